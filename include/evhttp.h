/*
 * <evhttp.h> -- 1.x umbrella for the HTTP API: <event.h> plus the evhttp
 * headers (API, request layout, 1.x wrappers).
 */
#ifndef EVENT1_EVHTTP_H_INCLUDED_
#define EVENT1_EVHTTP_H_INCLUDED_

#include <event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/http_compat.h>

#endif /* end of include guard */
