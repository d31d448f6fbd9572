/*
 * The C surface of the extra library (dns, http, tag, rpc). EventExtra never
 * imports the core's Swift module: like libevent's own libevent_extra it
 * reaches the core through C symbols only, the public API plus the internal
 * names Debian's libevent_core exports for its extra library, declared here
 * with libevent's signatures.
 */
#ifndef CEVENTEXTRA_H
#define CEVENTEXTRA_H

#include "CEventSys.h"
/* The core's libevent-internal exports (event_mm_*_, event_warn..., the
 * evthread_*_ data objects, the evdns getaddrinfo hooks). */
#include "CEventInternal.h"
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <event2/dns.h>
#include <event2/dns_struct.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/tag.h>
#include <event2/rpc.h>
#include <event2/rpc_struct.h>
#include "CEventRpc.h"

/* The internal names the core exports for this library (libevent's):
 * CEventInternal.h. */

/* One finished message at a severity (EVENT_LOG_*) through the core's
 * logging, so the program's log callback sees it as libevent's. */
static inline void cevx_log(int severity, const char *msg)
{
	if (severity == EVENT_LOG_DEBUG) cev_log_debugx(msg);
	else if (severity == EVENT_LOG_MSG) cev_log_msgx(msg);
	else cev_log_warnx(msg);
}

/* The getaddrinfo pieces evdns_getaddrinfo shares with evutil_getaddrinfo
 * (exported by the core, as libevent's). */
#define EVUTIL_EAI_NEED_RESOLVE -90002
int evutil_getaddrinfo_common_(const char *nodename, const char *servname,
    struct evutil_addrinfo *hints, struct evutil_addrinfo **res, int *portnum);
struct evutil_addrinfo *evutil_new_addrinfo_(struct sockaddr *sa,
    ev_socklen_t socklen, const struct evutil_addrinfo *hints);
struct evutil_addrinfo *evutil_addrinfo_append_(struct evutil_addrinfo *first,
    struct evutil_addrinfo *append);
void evutil_adjust_hints_for_addrconfig_(struct evutil_addrinfo *hints);

/* Whether event_enable_debug_logging turned debug messages on. */
static inline int cevx_debug_on(void) { return event_debug_logging_mask_ != 0; }

#include <fcntl.h>
#include <unistd.h>
/* open(2) is variadic: read-only, close-on-exec. */
static inline int cevx_open_read(const char *path) { return open(path, O_RDONLY | O_CLOEXEC); }

#endif
