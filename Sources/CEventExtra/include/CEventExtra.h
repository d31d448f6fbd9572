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

/* ---- Internal names the core exports for this library (libevent's). ---- */

/* The program's allocator (event_set_mem_functions). */
void *event_mm_malloc_(size_t sz);
void *event_mm_calloc_(size_t count, size_t size);
char *event_mm_strdup_(const char *str);
void *event_mm_realloc_(void *p, size_t sz);
void event_mm_free_(void *p);

/* Logging through the program's log callback. */
void event_err(int eval, const char *fmt, ...);
void event_warn(const char *fmt, ...);
void event_sock_err(int eval, evutil_socket_t sock, const char *fmt, ...);
void event_sock_warn(evutil_socket_t sock, const char *fmt, ...);
void event_errx(int eval, const char *fmt, ...);
void event_warnx(const char *fmt, ...);
void event_msgx(const char *fmt, ...);
void event_debugx_(const char *fmt, ...);
extern ev_uint32_t event_debug_logging_mask_;

/* The lock, condition and thread-id callbacks the library uses (zeroed
 * tables while none are set; with lock debugging, the checking wrappers). */
extern struct evthread_lock_callbacks evthread_lock_fns_;
extern struct evthread_condition_callbacks evthread_cond_fns_;
extern unsigned long (*evthread_id_fn_)(void);

/* How evdns plugs into bufferevent_socket_connect_hostname. */
struct evdns_getaddrinfo_request;
typedef struct evdns_getaddrinfo_request *(*evdns_getaddrinfo_fn)(
    struct evdns_base *base, const char *nodename, const char *servname,
    const struct evutil_addrinfo *hints_in,
    void (*cb)(int, struct evutil_addrinfo *, void *), void *arg);
typedef void (*evdns_getaddrinfo_cancel_fn)(struct evdns_getaddrinfo_request *req);
void evutil_set_evdns_getaddrinfo_fn_(evdns_getaddrinfo_fn fn);
void evutil_set_evdns_getaddrinfo_cancel_fn_(evdns_getaddrinfo_cancel_fn fn);

/* ---- C helpers of this library (extra_shim.c) ---- */

/* One message at a severity (EVENT_LOG_*) through the core's logging. */
void cevx_log(int severity, const char *msg);
/* Whether event_enable_debug_logging turned debug messages on. */
static inline int cevx_debug_on(void) { return event_debug_logging_mask_ != 0; }

#endif
