/*
 * A bufferevent kind implemented outside the core (the TLS library,
 * libevent_openssl): the core owns the bufferevent (buffers, callbacks,
 * references, deferred callbacks, rate limits, finalization) and asks the
 * kind's table for what differs: enabling and disabling I/O, the fd, the
 * underlying bufferevent, unlinking and destruction. libevent's
 * struct bufferevent_ops, with our own layout.  Shared by the core (through
 * CEventBufferEvent.h) and the TLS library (a symlink in its include/), so
 * it holds only plain C declarations.
 */
#ifndef CEVENTKINDOPS_H
#define CEVENTKINDOPS_H

#include <stddef.h>
#include <sys/types.h>
#include <event2/util.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_struct.h>

struct bufferevent_ops {
	/* For log messages ("ssl"). */
	const char *type;
	/* Start / stop the directions in `events` (only those not suspended). */
	int (*enable)(struct bufferevent *bev, short events);
	int (*disable)(struct bufferevent *bev, short events);
	/* The last reference is gone: let go of other bufferevents. With
	 * BEV_OPT_CLOSE_ON_FREE the core has just freed the underlying one. */
	void (*unlink)(struct bufferevent *bev);
	/* Finalizing: release what the kind owns (the SSL, the fd). */
	void (*destruct)(struct bufferevent *bev);
	/* Timeouts changed; NULL: the generic (timer-only events) rule. */
	int (*adj_timeouts)(struct bufferevent *bev);
	/* bufferevent_flush; NULL: 0. */
	int (*flush)(struct bufferevent *bev, short iotype, enum bufferevent_flush_mode mode);
	/* bufferevent_getfd / setfd: -1 when the kind has none / refuses. */
	evutil_socket_t (*get_fd)(struct bufferevent *bev);
	int (*set_fd)(struct bufferevent *bev, evutil_socket_t fd);
	/* bufferevent_get_underlying (a reference is held by the kind and
	 * dropped by the core after finalization, as for filters); NULL: none. */
	struct bufferevent *(*get_underlying)(struct bufferevent *bev);
};

/* Internal names the core exports for the TLS library: libevent's names,
 * our signatures (libevent passes its private structs). */
/* A new bufferevent of the kind `ops` (bev->be_ops == ops), its buffers
 * empty, EV_WRITE enabled, holding `ctx` in a pointer slot right after the
 * core's part of the allocation; *ctx_offset is that slot's distance from
 * the bufferevent (the same for every bufferevent), so the kind finds its
 * context again as *(void **)((char *)bev + offset) once it has checked
 * be_ops. NULL when memory ran out or the options are unusable. */
struct bufferevent *bufferevent_init_common_(struct event_base *base, const struct bufferevent_ops *ops,
    int options, void *ctx, ptrdiff_t *ctx_offset);
void bufferevent_run_readcb_(struct bufferevent *bev, int options);
void bufferevent_run_writecb_(struct bufferevent *bev, int options);
void bufferevent_run_eventcb_(struct bufferevent *bev, short what, int options);
void bufferevent_suspend_read_(struct bufferevent *bev, unsigned short what);
void bufferevent_unsuspend_read_(struct bufferevent *bev, unsigned short what);
void bufferevent_suspend_write_(struct bufferevent *bev, unsigned short what);
void bufferevent_unsuspend_write_(struct bufferevent *bev, unsigned short what);
void bufferevent_incref_and_lock_(struct bufferevent *bev);
int bufferevent_decref_and_unlock_(struct bufferevent *bev);
int bufferevent_enable_locking_(struct bufferevent *bev, void *lock);
void bufferevent_init_generic_timeout_cbs_(struct bufferevent *bev);
int bufferevent_generic_adj_timeouts_(struct bufferevent *bev);
int bufferevent_generic_adj_existing_timeouts_(struct bufferevent *bev);
int bufferevent_add_event_(struct event *ev, const struct timeval *tv);
ev_ssize_t bufferevent_get_read_max_(struct bufferevent *bev);
ev_ssize_t bufferevent_get_write_max_(struct bufferevent *bev);
int bufferevent_decrement_read_buckets_(struct bufferevent *bev, ev_ssize_t bytes);
int bufferevent_decrement_write_buckets_(struct bufferevent *bev, ev_ssize_t bytes);

#endif
