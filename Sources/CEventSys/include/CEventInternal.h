/*
 * libevent-internal names our core exports for libevent_extra and for
 * programs built against libevent (issue 15), with libevent 2.1.12's
 * signatures; defined in internal_exports.c (C: data objects, variadic
 * functions) and Sources/Event/Exports/InternalExports.swift.
 */
#ifndef CEVENTINTERNAL_H
#define CEVENTINTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <event2/util.h>
#include <event2/thread.h>

struct event_base;
struct evdns_base;
struct evdns_getaddrinfo_request;

/* Data objects (a program may hold copies of them; we go through the GOT). */
extern struct evthread_lock_callbacks evthread_lock_fns_;
extern struct evthread_condition_callbacks evthread_cond_fns_;
extern unsigned long (*evthread_id_fn_)(void);
extern int evthread_lock_debugging_enabled_;
extern uint32_t event_debug_logging_mask_;
extern struct event_base *event_global_current_base_;
extern int event_debug_mode_on_;
extern int event_debug_created_threadable_ctx_;

/* How Swift keeps them equal to its own state (NULL table: all zero). */
void cev_publish_lock_fns(const struct evthread_lock_callbacks *t);
void cev_publish_cond_fns(const struct evthread_condition_callbacks *t);
void cev_publish_original_lock_fns(const struct evthread_lock_callbacks *t);
void cev_publish_original_cond_fns(const struct evthread_condition_callbacks *t);
struct evthread_lock_callbacks *evthread_get_lock_callbacks(void);
struct evthread_condition_callbacks *evthread_get_condition_callbacks(void);
void cev_publish_id_fn(unsigned long (*fn)(void));
void cev_publish_lock_debugging(int on);
void cev_publish_debug_mode(int on, int too_late);
void evthreadimpl_disable_lock_debugging_(void);
uint32_t cev_debug_logging_mask(void);
void cev_set_debug_logging_mask(uint32_t m);
struct event_base *cev_global_current_base(void);
void cev_set_global_current_base(struct event_base *b);

/* evutil_memclear_'s memset, through a volatile pointer so the compiler
 * cannot drop the clearing (util-internal.h). */
extern void *(*volatile evutil_memset_volatile_)(void *, int, size_t);
void cev_memclear(void *p, size_t n);

/* Logging (log-internal.h). */
void event_err(int eval, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void event_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void event_sock_err(int eval, evutil_socket_t sock, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
void event_sock_warn(evutil_socket_t sock, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void event_errx(int eval, const char *fmt, ...) __attribute__((format(printf, 2, 3), noreturn));
void event_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void event_msgx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void event_debugx_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void event_logv_(int severity, const char *errstr, const char *fmt, va_list ap);
/* For Swift, which cannot make variadic calls (libevent_extra's Support):
 * one finished message through the exported functions above. cev_log_warn
 * and cev_log_sock_warn append errno's text, so call them right after the
 * failing call. */
static inline void cev_log_warnx(const char *msg) { event_warnx("%s", msg); }
static inline void cev_log_warn(const char *msg) { event_warn("%s", msg); }
static inline void cev_log_sock_warn(evutil_socket_t fd, const char *msg) { event_sock_warn(fd, "%s", msg); }
static inline void cev_log_msgx(const char *msg) { event_msgx("%s", msg); }
static inline void cev_log_debugx(const char *msg) { event_debugx_("%s", msg); }
static inline void cev_log_errx(int eval, const char *msg) { event_errx(eval, "%s", msg); }

/* Swift's side (Log): emit one finished message; exit as event_err does. */
void cev_log_emit_c(int severity, const char *msg);
void cev_log_exit(int code) __attribute__((noreturn));

/* The program's allocator (mm-internal.h). */
void *event_mm_malloc_(size_t sz);
void *event_mm_calloc_(size_t count, size_t size);
char *event_mm_strdup_(const char *str);
void *event_mm_realloc_(void *p, size_t sz);
void event_mm_free_(void *p);

/* evdns behind bufferevent_socket_connect_hostname (util-internal.h). */
typedef struct evdns_getaddrinfo_request *(*cev_evdns_getaddrinfo_fn)(
    struct evdns_base *base, const char *nodename, const char *servname,
    const struct evutil_addrinfo *hints_in,
    void (*cb)(int, struct evutil_addrinfo *, void *), void *arg);
typedef void (*cev_evdns_getaddrinfo_cancel_fn)(struct evdns_getaddrinfo_request *req);
void evutil_set_evdns_getaddrinfo_fn_(cev_evdns_getaddrinfo_fn fn);
void evutil_set_evdns_getaddrinfo_cancel_fn_(cev_evdns_getaddrinfo_cancel_fn fn);
struct evdns_getaddrinfo_request *evutil_getaddrinfo_async_(
    struct evdns_base *dns_base, const char *nodename, const char *servname,
    const struct evutil_addrinfo *hints_in,
    void (*cb)(int, struct evutil_addrinfo *, void *), void *arg);
void evutil_getaddrinfo_cancel_async_(struct evdns_getaddrinfo_request *req);

#endif
