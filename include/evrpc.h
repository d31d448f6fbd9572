/*
 * <evrpc.h> -- 1.x umbrella for the RPC API: <event.h> plus the evrpc
 * headers (API, structures, variadic 1.x accessors).
 */
#ifndef EVENT1_EVRPC_H_INCLUDED_
#define EVENT1_EVRPC_H_INCLUDED_

#include <event.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>
#include <event2/rpc_compat.h>

#endif /* end of include guard */
