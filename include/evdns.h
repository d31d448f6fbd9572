/*
 * <evdns.h> -- 1.x umbrella for the DNS API: <event.h> plus the evdns
 * headers (new API, 1.x wrappers and the server request layout).
 */
#ifndef EVENT1_EVDNS_H_INCLUDED_
#define EVENT1_EVDNS_H_INCLUDED_

#include <event.h>
#include <event2/dns.h>
#include <event2/dns_compat.h>
#include <event2/dns_struct.h>

#endif /* end of include guard */
