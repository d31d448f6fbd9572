/*
 * event2/bufferevent_struct.h -- the public prefix of struct bufferevent.
 *
 * Laid out exactly as in libevent 2.1.12 (392 bytes on LP64) so that 1.x
 * style code reading bev->input, bev->output or the watermarks directly keeps
 * working.  Every bufferevent the library creates starts with this struct.
 * New code should use the accessor functions of <event2/bufferevent.h>,
 * which must be included before this header (it uses bufferevent_data_cb).
 */
#ifndef EVENT2_BUFFEREVENT_STRUCT_H_INCLUDED_
#define EVENT2_BUFFEREVENT_STRUCT_H_INCLUDED_

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

/* evutil_socket_t and the ev_* integer names */
#include <event2/util.h>
/* struct event, embedded below */
#include <event2/event_struct.h>

/* Low and high watermark of one direction. */
struct event_watermark {
	size_t low;
	size_t high;
};

struct bufferevent {
	/* Loop the bufferevent belongs to. */
	struct event_base *ev_base;
	/* Implementation table of this bufferevent kind (library-private). */
	const struct bufferevent_ops *be_ops;

	/* Read and write events (socket kinds watch the fd with these). */
	struct event ev_read;
	struct event ev_write;

	/* Incoming and outgoing data. */
	struct evbuffer *input;
	struct evbuffer *output;

	struct event_watermark wm_read;
	struct event_watermark wm_write;

	bufferevent_data_cb readcb;
	bufferevent_data_cb writecb;
	/* Receives BEV_EVENT_* notifications (the "event callback"). */
	bufferevent_event_cb errorcb;
	void *cbarg;

	struct timeval timeout_read;
	struct timeval timeout_write;

	/* EV_READ / EV_WRITE bits currently enabled. */
	short enabled;
};

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
