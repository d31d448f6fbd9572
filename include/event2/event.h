/*
 * event2/event.h -- the core event loop API of swift-libevent.
 *
 * Declarations match libevent 2.1.12: an event_base owns a backend (epoll,
 * poll, select) and dispatches struct event objects, which watch a file
 * descriptor, a signal, a timeout, or nothing at all (user-triggered).
 * struct event's layout lives in <event2/event_struct.h>; code that does not
 * embed events can treat it as opaque and use event_new()/event_free().
 */
#ifndef EVENT2_EVENT_H_INCLUDED_
#define EVENT2_EVENT_H_INCLUDED_

#include <event2/visibility.h>

#ifdef __cplusplus
extern "C" {
#endif

#include <event2/event-config.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_TIME_H
#include <sys/time.h>
#endif

#include <stdio.h>

/* evutil_socket_t, ev_uint32_t and friends */
#include <event2/util.h>

/* A loop: the backend plus every pending and active event it tracks. */
struct event_base
#ifdef EVENT_IN_DOXYGEN_
{ }
#endif
;

/* One watched condition and its callback (layout in event_struct.h). */
struct event
#ifdef EVENT_IN_DOXYGEN_
{ }
#endif
;

/* Options collected before creating a base with event_base_new_with_config. */
struct event_config
#ifdef EVENT_IN_DOXYGEN_
{ }
#endif
;

/* Track every event the program creates and catch misuse; call this before
 * creating any event or event_base. */
EVENT2_EXPORT_SYMBOL
void event_enable_debug_mode(void);

/* Tell debug mode that an event which was never added is going away. */
EVENT2_EXPORT_SYMBOL
void event_debug_unassign(struct event *);

/* A base with the default configuration; NULL on failure. */
EVENT2_EXPORT_SYMBOL
struct event_base *event_base_new(void);

/* Rebuild backend state in the child after fork(); 0 on success. */
EVENT2_EXPORT_SYMBOL
int event_reinit(struct event_base *base);

/* Run the loop until no events remain or it is told to stop. */
EVENT2_EXPORT_SYMBOL
int event_base_dispatch(struct event_base *);

/* Name of the backend in use, e.g. "epoll". */
EVENT2_EXPORT_SYMBOL
const char *event_base_get_method(const struct event_base *);

/* NULL-terminated list of backend names compiled in, best first. */
EVENT2_EXPORT_SYMBOL
const char **event_get_supported_methods(void);

/* The base's monotonic clock reading; 0 on success. */
EVENT2_EXPORT_SYMBOL
int event_gettime_monotonic(struct event_base *base, struct timeval *tp);

/* Which events event_base_get_num_events() and _get_max_events() count. */
#define EVENT_BASE_COUNT_ACTIVE  1U
#define EVENT_BASE_COUNT_VIRTUAL 2U
#define EVENT_BASE_COUNT_ADDED   4U

/* Number of events in the categories selected by the EVENT_BASE_COUNT_* mask. */
EVENT2_EXPORT_SYMBOL
int event_base_get_num_events(struct event_base *, unsigned int);

/* High-water mark of that count; a nonzero last argument resets it. */
EVENT2_EXPORT_SYMBOL
int event_base_get_max_events(struct event_base *, unsigned int, int);

/* A fresh, empty configuration; NULL on failure. */
EVENT2_EXPORT_SYMBOL
struct event_config *event_config_new(void);

EVENT2_EXPORT_SYMBOL
void event_config_free(struct event_config *cfg);

/* Never pick the named backend for bases made from cfg. */
EVENT2_EXPORT_SYMBOL
int event_config_avoid_method(struct event_config *cfg, const char *method);

/* Backend capabilities, for event_config_require_features(). */
enum event_method_feature {
    /* Edge-triggered notification (EV_ET). */
    EV_FEATURE_ET = 0x01,
    /* Adding, removing and reporting one event is O(1). */
    EV_FEATURE_O1 = 0x02,
    /* Any kind of descriptor works, not only sockets. */
    EV_FEATURE_FDS = 0x04,
    /* Peer close can be detected without reading (EV_CLOSED). */
    EV_FEATURE_EARLY_CLOSE = 0x08
};

/* Flags for event_config_set_flag(). */
enum event_base_config_flag {
	/* Leave the base unlocked even when threading is set up. */
	EVENT_BASE_FLAG_NOLOCK = 0x01,
	/* Do not consult EVENT_* environment variables. */
	EVENT_BASE_FLAG_IGNORE_ENV = 0x02,
	/* Windows only: start with IOCP enabled. */
	EVENT_BASE_FLAG_STARTUP_IOCP = 0x04,
	/* Read the clock after every callback instead of once per iteration. */
	EVENT_BASE_FLAG_NO_CACHE_TIME = 0x08,
	/* epoll: batch changes and apply them right before waiting. */
	EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST = 0x10,
	/* Use a finer (possibly slower) clock for timeouts. */
	EVENT_BASE_FLAG_PRECISE_TIMER = 0x20
};

/* EV_FEATURE_* bits the base's backend provides. */
EVENT2_EXPORT_SYMBOL
int event_base_get_features(const struct event_base *base);

/* Accept only backends that provide all the given EV_FEATURE_* bits. */
EVENT2_EXPORT_SYMBOL
int event_config_require_features(struct event_config *cfg, int feature);

/* Add EVENT_BASE_FLAG_* bits to the configuration. */
EVENT2_EXPORT_SYMBOL
int event_config_set_flag(struct event_config *cfg, int flag);

/* Hint how many CPUs the base may use (only IOCP looks at it). */
EVENT2_EXPORT_SYMBOL
int event_config_set_num_cpus_hint(struct event_config *cfg, int cpus);

/* Bound the time or number of callbacks run before checking for new events;
 * priorities at or above min_priority are exempt. */
EVENT2_EXPORT_SYMBOL
int event_config_set_max_dispatch_interval(struct event_config *cfg,
    const struct timeval *max_interval, int max_callbacks,
    int min_priority);

/* A base honoring cfg; NULL if no backend satisfies it. */
EVENT2_EXPORT_SYMBOL
struct event_base *event_base_new_with_config(const struct event_config *);

/* Free a base (pending events are not freed; finalizers are run). */
EVENT2_EXPORT_SYMBOL
void event_base_free(struct event_base *);

/* Like event_base_free() but without running pending finalizers. */
EVENT2_EXPORT_SYMBOL
void event_base_free_nofinalize(struct event_base *);

/* Severities handed to an event_log_cb. */
#define EVENT_LOG_DEBUG 0
#define EVENT_LOG_MSG   1
#define EVENT_LOG_WARN  2
#define EVENT_LOG_ERR   3

/* Older spellings of the same levels. */
#define _EVENT_LOG_DEBUG EVENT_LOG_DEBUG
#define _EVENT_LOG_MSG EVENT_LOG_MSG
#define _EVENT_LOG_WARN EVENT_LOG_WARN
#define _EVENT_LOG_ERR EVENT_LOG_ERR

/* Receives the library's log lines. */
typedef void (*event_log_cb)(int severity, const char *msg);
/* Route log output to cb; NULL restores printing to stderr. */
EVENT2_EXPORT_SYMBOL
void event_set_log_callback(event_log_cb cb);

/* Called on an unrecoverable internal error; must not return. */
typedef void (*event_fatal_cb)(int err);
EVENT2_EXPORT_SYMBOL
void event_set_fatal_callback(event_fatal_cb cb);

/* Arguments of event_enable_debug_logging(). */
#define EVENT_DBG_ALL 0xffffffffu
#define EVENT_DBG_NONE 0

/* Switch internal debug messages on (EVENT_DBG_ALL) or off. */
EVENT2_EXPORT_SYMBOL
void event_enable_debug_logging(ev_uint32_t which);

/* Move a not-yet-added event to another base. */
EVENT2_EXPORT_SYMBOL
int event_base_set(struct event_base *, struct event *);

/* Flags for event_base_loop(). */
/* Wait for at least one event, run what is ready, then return. */
#define EVLOOP_ONCE	0x01
/* Run what is ready right now without waiting. */
#define EVLOOP_NONBLOCK	0x02
/* Keep looping even when nothing is pending. */
#define EVLOOP_NO_EXIT_ON_EMPTY 0x04

/* Run the loop; 0 on normal exit, 1 if nothing was pending, -1 on error. */
EVENT2_EXPORT_SYMBOL
int event_base_loop(struct event_base *, int);

/* Stop the loop after the given delay (NULL: after this iteration). */
EVENT2_EXPORT_SYMBOL
int event_base_loopexit(struct event_base *, const struct timeval *);

/* Stop the loop as soon as the running callback returns. */
EVENT2_EXPORT_SYMBOL
int event_base_loopbreak(struct event_base *);

/* Go back to polling right away, skipping the remaining active callbacks. */
EVENT2_EXPORT_SYMBOL
int event_base_loopcontinue(struct event_base *);

/* Nonzero if the last loop ended through event_base_loopexit(). */
EVENT2_EXPORT_SYMBOL
int event_base_got_exit(struct event_base *);

/* Nonzero if the last loop ended through event_base_loopbreak(). */
EVENT2_EXPORT_SYMBOL
int event_base_got_break(struct event_base *);

/* Condition bits of an event (the 'short what' values). */
#define EV_TIMEOUT	0x01   /* the timeout expired */
#define EV_READ		0x02   /* descriptor is readable */
#define EV_WRITE	0x04   /* descriptor is writable */
#define EV_SIGNAL	0x08   /* the signal was delivered */
#define EV_PERSIST	0x10   /* stay pending after the callback runs */
#define EV_ET		0x20   /* edge-triggered, if the backend can */
#define EV_FINALIZE     0x40   /* deleting from another thread needs no wait */
#define EV_CLOSED	0x80   /* the peer closed the connection */

/* Pure-timer helpers. */
#define evtimer_assign(ev, b, cb, arg) \
	event_assign((ev), (b), -1, 0, (cb), (arg))
#define evtimer_new(b, cb, arg)	       event_new((b), -1, 0, (cb), (arg))
#define evtimer_add(ev, tv)		event_add((ev), (tv))
#define evtimer_del(ev)			event_del(ev)
#define evtimer_pending(ev, tv)		event_pending((ev), EV_TIMEOUT, (tv))
#define evtimer_initialized(ev)		event_initialized(ev)

/* Signal helpers: x is the signal number; signal events persist. */
#define evsignal_add(ev, tv)		event_add((ev), (tv))
#define evsignal_assign(ev, b, x, cb, arg)			\
	event_assign((ev), (b), (x), EV_SIGNAL|EV_PERSIST, cb, (arg))
#define evsignal_new(b, x, cb, arg)				\
	event_new((b), (x), EV_SIGNAL|EV_PERSIST, (cb), (arg))
#define evsignal_del(ev)		event_del(ev)
#define evsignal_pending(ev, tv)	event_pending((ev), EV_SIGNAL, (tv))
#define evsignal_initialized(ev)	event_initialized(ev)

/* User events: fire only when evuser_trigger() activates them. */
#define evuser_new(b, cb, arg)		event_new((b), -1, 0, (cb), (arg))
#define evuser_del(ev)			event_del(ev)
#define evuser_pending(ev, tv)		event_pending((ev), 0, (tv))
#define evuser_initialized(ev)		event_initialized(ev)
#define evuser_trigger(ev)		event_active((ev), 0, 0)

/* Callback signature: (fd or signal number, EV_* bits that fired, arg). */
typedef void (*event_callback_fn)(evutil_socket_t, short, void *);

/* Placeholder argument: event_new(..., event_self_cbarg()) passes the new
 * event itself to its callback. */
EVENT2_EXPORT_SYMBOL
void *event_self_cbarg(void);

/* Allocate and set up an event (fd -1 for pure timers); NULL on error. */
EVENT2_EXPORT_SYMBOL
struct event *event_new(struct event_base *, evutil_socket_t, short, event_callback_fn, void *);

/* Set up caller-owned storage as an event; it must not be pending. */
EVENT2_EXPORT_SYMBOL
int event_assign(struct event *, struct event_base *, evutil_socket_t, short, event_callback_fn, void *);

/* Remove (if pending) and free an event from event_new(). */
EVENT2_EXPORT_SYMBOL
void event_free(struct event *);

/* Run after an event is finalized, from the loop thread. */
typedef void (*event_finalize_callback_fn)(struct event *, void *);
/* Delete the event without blocking and call cb once it can no longer run. */
EVENT2_EXPORT_SYMBOL
int event_finalize(unsigned, struct event *, event_finalize_callback_fn);
/* As event_finalize(), then free the event. */
EVENT2_EXPORT_SYMBOL
int event_free_finalize(unsigned, struct event *, event_finalize_callback_fn);

/* Fire a callback once for the fd/timeout; the library owns the event.
 * EV_SIGNAL and EV_PERSIST are not allowed. */
EVENT2_EXPORT_SYMBOL
int event_base_once(struct event_base *, evutil_socket_t, short, event_callback_fn, void *, const struct timeval *);

/* Make the event pending, with an optional timeout; 0 on success. */
EVENT2_EXPORT_SYMBOL
int event_add(struct event *ev, const struct timeval *timeout);

/* Drop only the timeout of a pending event. */
EVENT2_EXPORT_SYMBOL
int event_remove_timer(struct event *ev);

/* Make the event non-pending and non-active; 0 on success. */
EVENT2_EXPORT_SYMBOL
int event_del(struct event *);

/* event_del() that never waits for a callback running in another thread. */
EVENT2_EXPORT_SYMBOL
int event_del_noblock(struct event *ev);
/* event_del() that always waits for such a callback to finish. */
EVENT2_EXPORT_SYMBOL
int event_del_block(struct event *ev);

/* Activate the event now with the given result bits (ncalls is obsolete). */
EVENT2_EXPORT_SYMBOL
void event_active(struct event *ev, int res, short ncalls);

/* Which of 'events' the event is pending or active for; with EV_TIMEOUT and
 * a non-NULL tv, also report the expiry time. */
EVENT2_EXPORT_SYMBOL
int event_pending(const struct event *ev, short events, struct timeval *tv);

/* The event whose callback is running in this base, or NULL. */
EVENT2_EXPORT_SYMBOL
struct event *event_base_get_running_event(struct event_base *base);

/* Nonzero if the storage has been set up by event_assign()/event_new(). */
EVENT2_EXPORT_SYMBOL
int event_initialized(const struct event *ev);

/* Signal number of a signal event. */
#define event_get_signal(ev) ((int)event_get_fd(ev))

/* Accessors for what an event was created with. */
EVENT2_EXPORT_SYMBOL
evutil_socket_t event_get_fd(const struct event *ev);

EVENT2_EXPORT_SYMBOL
struct event_base *event_get_base(const struct event *ev);

EVENT2_EXPORT_SYMBOL
short event_get_events(const struct event *ev);

EVENT2_EXPORT_SYMBOL
event_callback_fn event_get_callback(const struct event *ev);

EVENT2_EXPORT_SYMBOL
void *event_get_callback_arg(const struct event *ev);

EVENT2_EXPORT_SYMBOL
int event_get_priority(const struct event *ev);

/* All of the above at once; any out-pointer may be NULL. */
EVENT2_EXPORT_SYMBOL
void event_get_assignment(const struct event *event,
    struct event_base **base_out, evutil_socket_t *fd_out, short *events_out,
    event_callback_fn *callback_out, void **arg_out);

/* sizeof(struct event) as the library sees it. */
EVENT2_EXPORT_SYMBOL
size_t event_get_struct_event_size(void);

/* Run-time version, e.g. "2.1.12-stable". */
EVENT2_EXPORT_SYMBOL
const char *event_get_version(void);

/* Run-time version as a number, 0x02010c00 for 2.1.12. */
EVENT2_EXPORT_SYMBOL
ev_uint32_t event_get_version_number(void);

/* Compile-time version. */
#define LIBEVENT_VERSION EVENT__VERSION
#define LIBEVENT_VERSION_NUMBER EVENT__NUMERIC_VERSION

/* Upper bound for event_base_priority_init(). */
#define EVENT_MAX_PRIORITIES 256

/* Give the base npriorities priority levels (0 is most urgent). */
EVENT2_EXPORT_SYMBOL
int	event_base_priority_init(struct event_base *, int);

EVENT2_EXPORT_SYMBOL
int	event_base_get_npriorities(struct event_base *eb);

/* Set the priority of a non-active event. */
EVENT2_EXPORT_SYMBOL
int	event_priority_set(struct event *, int);

/* Get a magic timeval standing for 'duration' that lets many events sharing
 * the same timeout be queued in O(1). */
EVENT2_EXPORT_SYMBOL
const struct timeval *event_base_init_common_timeout(struct event_base *base,
    const struct timeval *duration);

#if !defined(EVENT__DISABLE_MM_REPLACEMENT) || defined(EVENT_IN_DOXYGEN_)
/* Replace the allocator used for library memory; call before anything else. */
EVENT2_EXPORT_SYMBOL
void event_set_mem_functions(
	void *(*malloc_fn)(size_t sz),
	void *(*realloc_fn)(void *ptr, size_t sz),
	void (*free_fn)(void *ptr));
/* Tells the caller that event_set_mem_functions() is available. */
#define EVENT_SET_MEM_FUNCTIONS_IMPLEMENTED
#endif

/* Print every inserted and active event to the stream. */
EVENT2_EXPORT_SYMBOL
void event_base_dump_events(struct event_base *, FILE *);

/* Activate all events on fd for the given EV_READ/EV_WRITE/EV_CLOSED bits. */
EVENT2_EXPORT_SYMBOL
void event_base_active_by_fd(struct event_base *base, evutil_socket_t fd, short events);

/* Activate all events waiting on signal sig. */
EVENT2_EXPORT_SYMBOL
void event_base_active_by_signal(struct event_base *base, int sig);

/* Visitor for event_base_foreach_event(); nonzero stops the walk. */
typedef int (*event_base_foreach_event_cb)(const struct event_base *, const struct event *, void *);

/* Call fn for every added or active event; returns fn's stopping value or 0. */
EVENT2_EXPORT_SYMBOL
int event_base_foreach_event(struct event_base *base, event_base_foreach_event_cb fn, void *arg);

/* The loop's cached wall-clock time (or the current time if not cached). */
EVENT2_EXPORT_SYMBOL
int event_base_gettimeofday_cached(struct event_base *base,
    struct timeval *tv);

/* Refresh the base's cached time now. */
EVENT2_EXPORT_SYMBOL
int event_base_update_cache_time(struct event_base *base);

/* Release global library state; nothing may be used afterwards. */
EVENT2_EXPORT_SYMBOL
void libevent_global_shutdown(void);

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
