/*
 * event2/bufferevent_compat.h -- bufferevent API of libevent 1.x.
 * Needs <event2/bufferevent.h> first; new code should use that header.
 */
#ifndef EVENT2_BUFFEREVENT_COMPAT_H_INCLUDED_
#define EVENT2_BUFFEREVENT_COMPAT_H_INCLUDED_

#include <event2/visibility.h>

/* 1.x names of the callback types. */
#define evbuffercb bufferevent_data_cb
#define everrorcb bufferevent_event_cb

/* 1.x constructor: a socket bufferevent on the global base (event_init()),
 * with callbacks already installed.  Prefer bufferevent_socket_new(). */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_new(evutil_socket_t fd,
    evbuffercb readcb, evbuffercb writecb, everrorcb errorcb, void *cbarg);

/* Read and write timeouts in whole seconds (0: none). */
EVENT2_EXPORT_SYMBOL
void bufferevent_settimeout(struct bufferevent *bufev,
    int timeout_read, int timeout_write);

/* 1.x names of the BEV_EVENT_* bits. */
#define EVBUFFER_READ		BEV_EVENT_READING
#define EVBUFFER_WRITE		BEV_EVENT_WRITING
#define EVBUFFER_EOF		BEV_EVENT_EOF
#define EVBUFFER_ERROR		BEV_EVENT_ERROR
#define EVBUFFER_TIMEOUT	BEV_EVENT_TIMEOUT

/* 1.x accessors of the two buffers. */
#define EVBUFFER_INPUT(x)	bufferevent_get_input(x)
#define EVBUFFER_OUTPUT(x)	bufferevent_get_output(x)

#endif /* end of include guard */
