/*
 * libevent-internal names that its extra library and programs built against
 * libevent bind to (issue 15): the data objects, which a program may
 * copy-relocate into itself, so they are C objects here that Swift keeps up
 * to date through the setters below (every reference of ours goes through
 * the GOT and so sees the program's copy), the variadic logging functions,
 * and the hooks through which evdns serves bufferevent_socket_connect_hostname.
 * Signatures are libevent 2.1.12's (log-internal.h, evthread-internal.h,
 * util-internal.h).
 */
#include "CEventSys.h"
#include <stdarg.h>
#include <event2/event.h>

#define CEV_EXPORT __attribute__((visibility("default")))

/* ---- data objects ---------------------------------------------------- */

/* The lock and condition tables the library calls (lock debugging's
 * wrappers while it is on); all zero while no locking is set up. */
CEV_EXPORT struct evthread_lock_callbacks evthread_lock_fns_ = { 0 };
CEV_EXPORT struct evthread_condition_callbacks evthread_cond_fns_ = { 0 };
CEV_EXPORT unsigned long (*evthread_id_fn_)(void) = NULL;
CEV_EXPORT int evthread_lock_debugging_enabled_ = 0;
/* event_enable_debug_logging's mask: non-zero lets debug messages through. */
CEV_EXPORT uint32_t event_debug_logging_mask_ = 0;
/* Debug mode is on (event_enable_debug_mode), and it is too late to turn
 * it on (a base or event exists). */
CEV_EXPORT int event_debug_mode_on_ = 0;
CEV_EXPORT int event_debug_created_threadable_ctx_ = 0;
/* The 1.x API's current base (event_init, event_set, event_dispatch). */
CEV_EXPORT struct event_base *event_global_current_base_ = NULL;

CEV_EXPORT void *(*volatile evutil_memset_volatile_)(void *, int, size_t) = memset;

void cev_memclear(void *p, size_t n) { evutil_memset_volatile_(p, 0, n); }

void cev_publish_lock_fns(const struct evthread_lock_callbacks *t)
{
	if (t)
		evthread_lock_fns_ = *t;
	else
		memset(&evthread_lock_fns_, 0, sizeof(evthread_lock_fns_));
}

void cev_publish_cond_fns(const struct evthread_condition_callbacks *t)
{
	if (t)
		evthread_cond_fns_ = *t;
	else
		memset(&evthread_cond_fns_, 0, sizeof(evthread_cond_fns_));
}

/* While lock debugging is on, the program's own tables (behind the
 * checking ones above): what the two getters then return, as libevent's. */
static struct evthread_lock_callbacks original_lock_fns;
static struct evthread_condition_callbacks original_cond_fns;

void cev_publish_original_lock_fns(const struct evthread_lock_callbacks *t)
{
	if (t)
		original_lock_fns = *t;
	else
		memset(&original_lock_fns, 0, sizeof(original_lock_fns));
}

void cev_publish_original_cond_fns(const struct evthread_condition_callbacks *t)
{
	if (t)
		original_cond_fns = *t;
	else
		memset(&original_cond_fns, 0, sizeof(original_cond_fns));
}

CEV_EXPORT struct evthread_lock_callbacks *evthread_get_lock_callbacks(void)
{
	return evthread_lock_debugging_enabled_ ? &original_lock_fns : &evthread_lock_fns_;
}

CEV_EXPORT struct evthread_condition_callbacks *evthread_get_condition_callbacks(void)
{
	return evthread_lock_debugging_enabled_ ? &original_cond_fns : &evthread_cond_fns_;
}

void cev_publish_id_fn(unsigned long (*fn)(void)) { evthread_id_fn_ = fn; }
void cev_publish_lock_debugging(int on) { evthread_lock_debugging_enabled_ = on; }
void cev_publish_debug_mode(int on, int too_late)
{
	event_debug_mode_on_ = on;
	event_debug_created_threadable_ctx_ = too_late;
}

/* libevent's tests turn the debugging flag off (the checking tables stay). */
CEV_EXPORT void evthreadimpl_disable_lock_debugging_(void) { evthread_lock_debugging_enabled_ = 0; }

uint32_t cev_debug_logging_mask(void) { return event_debug_logging_mask_; }
void cev_set_debug_logging_mask(uint32_t m) { event_debug_logging_mask_ = m; }
struct event_base *cev_global_current_base(void) { return event_global_current_base_; }
void cev_set_global_current_base(struct event_base *b) { event_global_current_base_ = b; }

/* ---- logging (log-internal.h) ------------------------------------------
 * Formatted here into libevent's 1024-byte message (longer text is cut),
 * optionally followed by ": <error text>", then handed to Swift's Log,
 * which calls the program's log callback or writes "[sev] msg" to stderr.
 * The *err forms then exit through the fatal-callback rules. */

CEV_EXPORT void event_logv_(int severity, const char *errstr, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t used;

	if (severity == EVENT_LOG_DEBUG && event_debug_logging_mask_ == 0)
		return;
	msg[0] = '\0';
	if (fmt != NULL)
		evutil_vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errstr != NULL) {
		used = strlen(msg);
		/* Only when ": x" still fits at least in part. */
		if (used + 3 < sizeof(msg))
			evutil_snprintf(msg + used, sizeof(msg) - used, ": %s", errstr);
	}
	cev_log_emit_c(severity, msg);
}

/* One variadic wrapper: severity, optional error text, then maybe exit. */
#define CEV_LOG_BODY(sev, errtext, fmt)                 \
	do {                                            \
		va_list ap;                             \
		va_start(ap, fmt);                      \
		event_logv_((sev), (errtext), fmt, ap); \
		va_end(ap);                             \
	} while (0)

CEV_EXPORT void event_err(int eval, const char *fmt, ...)
{
	const char *why = strerror(errno);
	CEV_LOG_BODY(EVENT_LOG_ERR, why, fmt);
	cev_log_exit(eval);
}

CEV_EXPORT void event_warn(const char *fmt, ...)
{
	const char *why = strerror(errno);
	CEV_LOG_BODY(EVENT_LOG_WARN, why, fmt);
}

/* On POSIX a socket's error is errno (evutil_socket_geterror). */
CEV_EXPORT void event_sock_err(int eval, evutil_socket_t sock, const char *fmt, ...)
{
	const char *why;
	(void)sock;
	why = strerror(errno);
	CEV_LOG_BODY(EVENT_LOG_ERR, why, fmt);
	cev_log_exit(eval);
}

CEV_EXPORT void event_sock_warn(evutil_socket_t sock, const char *fmt, ...)
{
	const char *why;
	(void)sock;
	why = strerror(errno);
	CEV_LOG_BODY(EVENT_LOG_WARN, why, fmt);
}

CEV_EXPORT void event_errx(int eval, const char *fmt, ...)
{
	CEV_LOG_BODY(EVENT_LOG_ERR, NULL, fmt);
	cev_log_exit(eval);
}

CEV_EXPORT void event_warnx(const char *fmt, ...) { CEV_LOG_BODY(EVENT_LOG_WARN, NULL, fmt); }
CEV_EXPORT void event_msgx(const char *fmt, ...) { CEV_LOG_BODY(EVENT_LOG_MSG, NULL, fmt); }
CEV_EXPORT void event_debugx_(const char *fmt, ...) { CEV_LOG_BODY(EVENT_LOG_DEBUG, NULL, fmt); }

/* ---- evdns behind bufferevent_socket_connect_hostname (util-internal.h) */

static cev_evdns_getaddrinfo_fn evdns_lookup_fn;
static cev_evdns_getaddrinfo_cancel_fn evdns_cancel_fn;

/* The first registration wins, as in libevent. */
CEV_EXPORT void evutil_set_evdns_getaddrinfo_fn_(cev_evdns_getaddrinfo_fn fn)
{
	if (evdns_lookup_fn == NULL)
		evdns_lookup_fn = fn;
}

CEV_EXPORT void evutil_set_evdns_getaddrinfo_cancel_fn_(cev_evdns_getaddrinfo_cancel_fn fn)
{
	if (evdns_cancel_fn == NULL)
		evdns_cancel_fn = fn;
}

/* With an evdns base and a registered resolver the lookup is evdns's (its
 * request, or NULL when it answered at once); otherwise a blocking
 * evutil_getaddrinfo whose result reaches cb before this returns NULL. */
CEV_EXPORT struct evdns_getaddrinfo_request *evutil_getaddrinfo_async_(
    struct evdns_base *dns_base, const char *nodename, const char *servname,
    const struct evutil_addrinfo *hints_in,
    void (*cb)(int, struct evutil_addrinfo *, void *), void *arg)
{
	struct evutil_addrinfo *res = NULL;
	int err;

	if (dns_base != NULL && evdns_lookup_fn != NULL)
		return evdns_lookup_fn(dns_base, nodename, servname, hints_in, cb, arg);
	err = evutil_getaddrinfo(nodename, servname, hints_in, &res);
	cb(err, res, arg);
	return NULL;
}

CEV_EXPORT void evutil_getaddrinfo_cancel_async_(struct evdns_getaddrinfo_request *req)
{
	if (req != NULL && evdns_cancel_fn != NULL)
		evdns_cancel_fn(req);
}
