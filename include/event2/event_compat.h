/*
 * event2/event_compat.h -- the libevent 1.x event API.
 *
 * These calls operate on an implicit global base (created by event_init())
 * and are kept only so that old programs build; new code should use the
 * event_base_* functions of <event2/event.h>.
 */
#ifndef EVENT2_EVENT_COMPAT_H_INCLUDED_
#define EVENT2_EVENT_COMPAT_H_INCLUDED_

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

/* evutil_socket_t */
#include <event2/util.h>

/* Create the global base (also returned); not thread-safe. */
EVENT2_EXPORT_SYMBOL
struct event_base *event_init(void);

/* event_base_dispatch() on the global base. */
EVENT2_EXPORT_SYMBOL
int event_dispatch(void);

/* event_base_loop() on the global base. */
EVENT2_EXPORT_SYMBOL
int event_loop(int);

/* event_base_loopexit() on the global base. */
EVENT2_EXPORT_SYMBOL
int event_loopexit(const struct timeval *);

/* event_base_loopbreak() on the global base. */
EVENT2_EXPORT_SYMBOL
int event_loopbreak(void);

/* event_base_once() on the global base. */
EVENT2_EXPORT_SYMBOL
int event_once(evutil_socket_t , short,
    void (*)(evutil_socket_t, short, void *), void *, const struct timeval *);

/* event_base_get_method() on the global base. */
EVENT2_EXPORT_SYMBOL
const char *event_get_method(void);

/* event_base_priority_init() on the global base. */
EVENT2_EXPORT_SYMBOL
int	event_priority_init(int);

/* Set up an event bound to the global base (1.x form of event_assign()). */
EVENT2_EXPORT_SYMBOL
void event_set(struct event *, evutil_socket_t, short, void (*)(evutil_socket_t, short, void *), void *);

#define evtimer_set(ev, cb, arg)	event_set((ev), -1, 0, (cb), (arg))
#define evsignal_set(ev, x, cb, arg)	\
	event_set((ev), (x), EV_SIGNAL|EV_PERSIST, (cb), (arg))

/* 1.x names for the timer helpers. */
#define timeout_add(ev, tv)		event_add((ev), (tv))
#define timeout_set(ev, cb, arg)	event_set((ev), -1, 0, (cb), (arg))
#define timeout_del(ev)			event_del(ev)
#define timeout_pending(ev, tv)		event_pending((ev), EV_TIMEOUT, (tv))
#define timeout_initialized(ev)		event_initialized(ev)

/* 1.x names for the signal helpers. */
#define signal_add(ev, tv)		event_add((ev), (tv))
#define signal_set(ev, x, cb, arg)				\
	event_set((ev), (x), EV_SIGNAL|EV_PERSIST, (cb), (arg))
#define signal_del(ev)			event_del(ev)
#define signal_pending(ev, tv)		event_pending((ev), EV_SIGNAL, (tv))
#define signal_initialized(ev)		event_initialized(ev)

#ifndef EVENT_FD
/* Descriptor or signal number of an event, via the accessor functions. */
#define EVENT_FD(ev)		((int)event_get_fd(ev))
#define EVENT_SIGNAL(ev)	event_get_signal(ev)
#endif

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
