/*
 * event_struct.h -- the memory layout of struct event.
 *
 * swift-libevent keeps every byte of this layout identical to libevent 2.1.12
 * (128 bytes on LP64) because programs embed struct event in their own
 * objects and hand it to event_assign().  All of the library's per-event
 * bookkeeping (queue links, heap index, flags) lives in these fields, so the
 * library never allocates on behalf of an embedded event.
 *
 * Touching these fields from application code is unsupported; they are
 * visible only so that the size is known at compile time.
 */
#ifndef EVENT2_EVENT_STRUCT_H_INCLUDED_
#define EVENT2_EVENT_STRUCT_H_INCLUDED_

#ifdef __cplusplus
extern "C" {
#endif

#include <event2/event-config.h>
#include <sys/types.h>
#include <sys/time.h>
#include <event2/util.h>
#include <event2/keyvalq_struct.h>

/* Bits of ev_evcallback.evcb_flags: which internal queues hold the event. */
#define EVLIST_TIMEOUT      0x01
#define EVLIST_INSERTED     0x02
#define EVLIST_SIGNAL       0x04
#define EVLIST_ACTIVE       0x08
#define EVLIST_INTERNAL     0x10
#define EVLIST_ACTIVE_LATER 0x20
#define EVLIST_FINALIZING   0x40
#define EVLIST_INIT         0x80
#define EVLIST_ALL          0xff

/* BSD-style queue link shapes, declared here only if <sys/queue.h> did not. */
#ifndef TAILQ_ENTRY
#define EVENT_DEFINED_TQENTRY_
#define TAILQ_ENTRY(type) \
	struct { struct type *tqe_next; struct type **tqe_prev; }
#endif
#ifndef TAILQ_HEAD
#define EVENT_DEFINED_TQHEAD_
#define TAILQ_HEAD(name, type) \
	struct name { struct type *tqh_first; struct type **tqh_last; }
#endif
#ifndef LIST_ENTRY
#define EVENT_DEFINED_LISTENTRY_
#define LIST_ENTRY(type) \
	struct { struct type *le_next; struct type **le_prev; }
#endif
#ifndef LIST_HEAD
#define EVENT_DEFINED_LISTHEAD_
#define LIST_HEAD(name, type) \
	struct name { struct type *lh_first; }
#endif

struct event;

/* The part of an event the active queues work with; also used on its own
 * for the library's deferred callbacks. */
struct event_callback {
	TAILQ_ENTRY(event_callback) evcb_active_next;
	short evcb_flags;          /* EVLIST_* */
	ev_uint8_t evcb_pri;       /* 0 runs first */
	ev_uint8_t evcb_closure;   /* how to invoke the callback (internal) */
	union {
		void (*evcb_callback)(evutil_socket_t, short, void *);
		void (*evcb_selfcb)(struct event_callback *, void *);
		void (*evcb_evfinalize)(struct event *, void *);
		void (*evcb_cbfinalize)(struct event_callback *, void *);
	} evcb_cb_union;
	void *evcb_arg;
};

struct event_base;

struct event {
	struct event_callback ev_evcallback;

	/* Position among the timeouts: index in the timer heap, or links in
	 * a common-timeout queue. */
	union {
		TAILQ_ENTRY(event) ev_next_with_common_timeout;
		int min_heap_idx;
	} ev_timeout_pos;
	evutil_socket_t ev_fd;

	struct event_base *ev_base;

	union {
		struct {
			LIST_ENTRY (event) ev_io_next;   /* events on the same fd */
			struct timeval ev_timeout;       /* relative, for EV_PERSIST */
		} ev_io;
		struct {
			LIST_ENTRY (event) ev_signal_next; /* events on the same signal */
			short ev_ncalls;
			short *ev_pncalls;
		} ev_signal;
	} ev_;

	short ev_events;
	short ev_res;              /* what the callback is told happened */
	struct timeval ev_timeout; /* absolute deadline, monotonic clock */
};

TAILQ_HEAD (event_list, event);
#ifdef EVENT_DEFINED_TQENTRY_
#undef TAILQ_ENTRY
#endif
#ifdef EVENT_DEFINED_TQHEAD_
#undef TAILQ_HEAD
#endif

LIST_HEAD (event_dlist, event);
#ifdef EVENT_DEFINED_LISTENTRY_
#undef LIST_ENTRY
#endif
#ifdef EVENT_DEFINED_LISTHEAD_
#undef LIST_HEAD
#endif

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
