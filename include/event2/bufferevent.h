/*
 * event2/bufferevent.h -- buffered I/O on top of the event loop.
 *
 * A bufferevent pairs an input and an output evbuffer with the events that
 * fill and drain them.  The program reads from the input buffer and writes
 * to the output buffer; callbacks report new data, drained output (both
 * subject to watermarks) and conditions such as EOF, errors or connect.
 * Kinds: socket, filter (transforms another bufferevent), pair (in-process),
 * and OpenSSL (see bufferevent_ssl.h).
 */
#ifndef EVENT2_BUFFEREVENT_H_INCLUDED_
#define EVENT2_BUFFEREVENT_H_INCLUDED_

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

/* evutil_socket_t, ev_ssize_t */
#include <event2/util.h>

/* Bits of the 'what' argument of a bufferevent_event_cb. */
#define BEV_EVENT_READING	0x01	/* happened while reading */
#define BEV_EVENT_WRITING	0x02	/* happened while writing */
#define BEV_EVENT_EOF		0x10	/* end of file */
#define BEV_EVENT_ERROR		0x20	/* error; see EVUTIL_SOCKET_ERROR() */
#define BEV_EVENT_TIMEOUT	0x40	/* the read or write timeout expired */
#define BEV_EVENT_CONNECTED	0x80	/* a requested connect finished */

/* The bufferevent object (layout in bufferevent_struct.h). */
struct bufferevent
#ifdef EVENT_IN_DOXYGEN_
{}
#endif
;
struct event_base;
struct evbuffer;
struct sockaddr;

/* Read or write callback: enough input arrived / output fell low enough. */
typedef void (*bufferevent_data_cb)(struct bufferevent *bev, void *ctx);

/* Event callback: 'what' holds BEV_EVENT_* bits. */
typedef void (*bufferevent_event_cb)(struct bufferevent *bev, short what, void *ctx);

/* Options given when a bufferevent is created. */
enum bufferevent_options {
	/* Close the socket / free the underlying bufferevent with this one. */
	BEV_OPT_CLOSE_ON_FREE = (1<<0),

	/* Give the bufferevent a lock so several threads can use it. */
	BEV_OPT_THREADSAFE = (1<<1),

	/* Queue callbacks to run from the loop rather than immediately. */
	BEV_OPT_DEFER_CALLBACKS = (1<<2),

	/* Do not hold the lock while calling user callbacks (needs DEFER). */
	BEV_OPT_UNLOCK_CALLBACKS = (1<<3)
};

/* A bufferevent on socket fd (-1: set later or via connect).  The socket
 * should be non-blocking.  NULL on error. */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_socket_new(struct event_base *base, evutil_socket_t fd, int options);

/* Start a non-blocking connect to the address (creating a socket if there is
 * none); completion is reported as BEV_EVENT_CONNECTED.  0 on success. */
EVENT2_EXPORT_SYMBOL
int bufferevent_socket_connect(struct bufferevent *, const struct sockaddr *, int);

struct evdns_base;
/* Resolve hostname (with evdns_base, or blocking if NULL) for the given
 * family (AF_INET, AF_INET6 or AF_UNSPEC) and connect to port. */
EVENT2_EXPORT_SYMBOL
int bufferevent_socket_connect_hostname(struct bufferevent *,
    struct evdns_base *, int, const char *, int);

/* The EVUTIL_EAI_* error of the last failed hostname lookup, or 0. */
EVENT2_EXPORT_SYMBOL
int bufferevent_socket_get_dns_error(struct bufferevent *bev);

/* Move the bufferevent to another base (only safe while it is idle). */
EVENT2_EXPORT_SYMBOL
int bufferevent_base_set(struct event_base *base, struct bufferevent *bufev);

EVENT2_EXPORT_SYMBOL
struct event_base *bufferevent_get_base(struct bufferevent *bev);

/* Priority of the bufferevent's internal events. */
EVENT2_EXPORT_SYMBOL
int bufferevent_priority_set(struct bufferevent *bufev, int pri);

EVENT2_EXPORT_SYMBOL
int bufferevent_get_priority(const struct bufferevent *bufev);

/* Release the bufferevent; output not yet written is usually lost. */
EVENT2_EXPORT_SYMBOL
void bufferevent_free(struct bufferevent *bufev);

/* Install the three callbacks (NULL disables one) and their argument. */
EVENT2_EXPORT_SYMBOL
void bufferevent_setcb(struct bufferevent *bufev,
    bufferevent_data_cb readcb, bufferevent_data_cb writecb,
    bufferevent_event_cb eventcb, void *cbarg);

/* Read back the current callbacks; NULL out-pointers are skipped. */
EVENT2_EXPORT_SYMBOL
void bufferevent_getcb(struct bufferevent *bufev,
    bufferevent_data_cb *readcb_ptr,
    bufferevent_data_cb *writecb_ptr,
    bufferevent_event_cb *eventcb_ptr,
    void **cbarg_ptr);

/* Attach a (different) socket. */
EVENT2_EXPORT_SYMBOL
int bufferevent_setfd(struct bufferevent *bufev, evutil_socket_t fd);

/* The socket, or -1 if there is none. */
EVENT2_EXPORT_SYMBOL
evutil_socket_t bufferevent_getfd(struct bufferevent *bufev);

/* The bufferevent this one is layered on, or NULL. */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_get_underlying(struct bufferevent *bufev);

/* Queue a copy of data for sending; 0 on success. */
EVENT2_EXPORT_SYMBOL
int bufferevent_write(struct bufferevent *bufev,
    const void *data, size_t size);

/* Move the whole of buf to the output buffer. */
EVENT2_EXPORT_SYMBOL
int bufferevent_write_buffer(struct bufferevent *bufev, struct evbuffer *buf);

/* Take up to size bytes of input; returns how many were copied. */
EVENT2_EXPORT_SYMBOL
size_t bufferevent_read(struct bufferevent *bufev, void *data, size_t size);

/* Move all input into buf. */
EVENT2_EXPORT_SYMBOL
int bufferevent_read_buffer(struct bufferevent *bufev, struct evbuffer *buf);

/* The input buffer (data received, to be consumed by the program). */
EVENT2_EXPORT_SYMBOL
struct evbuffer *bufferevent_get_input(struct bufferevent *bufev);

/* The output buffer (data to be sent). */
EVENT2_EXPORT_SYMBOL
struct evbuffer *bufferevent_get_output(struct bufferevent *bufev);

/* Turn on reading and/or writing (EV_READ, EV_WRITE). */
EVENT2_EXPORT_SYMBOL
int bufferevent_enable(struct bufferevent *bufev, short event);

/* Turn off reading and/or writing. */
EVENT2_EXPORT_SYMBOL
int bufferevent_disable(struct bufferevent *bufev, short event);

/* Which of EV_READ / EV_WRITE are enabled. */
EVENT2_EXPORT_SYMBOL
short bufferevent_get_enabled(struct bufferevent *bufev);

/* Timeouts for waiting on reads and writes (NULL: none). */
EVENT2_EXPORT_SYMBOL
int bufferevent_set_timeouts(struct bufferevent *bufev,
    const struct timeval *timeout_read, const struct timeval *timeout_write);

/* Set watermarks for EV_READ and/or EV_WRITE.  Read: the read callback
 * needs lowmark bytes, and reading pauses above highmark (0: unlimited).
 * Write: the write callback runs once output drops to lowmark. */
EVENT2_EXPORT_SYMBOL
void bufferevent_setwatermark(struct bufferevent *bufev, short events,
    size_t lowmark, size_t highmark);

/* Read one direction's watermarks; -1 if events names both or neither. */
EVENT2_EXPORT_SYMBOL
int bufferevent_getwatermark(struct bufferevent *bufev, short events,
    size_t *lowmark, size_t *highmark);

/* Take or release the bufferevent's lock (no-op if it has none). */
EVENT2_EXPORT_SYMBOL
void bufferevent_lock(struct bufferevent *bufev);

EVENT2_EXPORT_SYMBOL
void bufferevent_unlock(struct bufferevent *bufev);

/* Add a reference. */
EVENT2_EXPORT_SYMBOL
void bufferevent_incref(struct bufferevent *bufev);

/* Drop a reference; returns 1 if that freed the bufferevent. */
EVENT2_EXPORT_SYMBOL
int bufferevent_decref(struct bufferevent *bufev);

/* Argument of bufferevent_flush() and of filter callbacks. */
enum bufferevent_flush_mode {
	/* Ordinary operation. */
	BEV_NORMAL = 0,

	/* Push out everything that can be pushed. */
	BEV_FLUSH = 1,

	/* Everything is done; emit any trailing data (e.g. end of stream). */
	BEV_FINISHED = 2
};

/* Force data through; returns -1 on failure, 0 if nothing moved, 1 else. */
EVENT2_EXPORT_SYMBOL
int bufferevent_flush(struct bufferevent *bufev,
    short iotype,
    enum bufferevent_flush_mode mode);

/* Options of bufferevent_trigger() and bufferevent_trigger_event(). */
enum bufferevent_trigger_options {
	/* Run the callback regardless of the watermarks. */
	BEV_TRIG_IGNORE_WATERMARKS = (1<<16),

	/* Queue the callback instead of calling it now. */
	BEV_TRIG_DEFER_CALLBACKS = BEV_OPT_DEFER_CALLBACKS

	/* (further bits may be defined later) */
};

/* Invoke the read and/or write callback as if data had moved. */
EVENT2_EXPORT_SYMBOL
void bufferevent_trigger(struct bufferevent *bufev, short iotype,
    int options);

/* Invoke the event callback with the given BEV_EVENT_* bits. */
EVENT2_EXPORT_SYMBOL
void bufferevent_trigger_event(struct bufferevent *bufev, short what,
    int options);

/* Result of a filter callback. */
enum bufferevent_filter_result {
	/* Some output was produced. */
	BEV_OK = 0,

	/* More input is needed before output can be produced. */
	BEV_NEED_MORE = 1,

	/* The input is bad; treat it as an error. */
	BEV_ERROR = 2
};

/* Move data from src to dst, transforming it; write at most dst_limit bytes
 * (when non-negative). */
typedef enum bufferevent_filter_result (*bufferevent_filter_cb)(
    struct evbuffer *src, struct evbuffer *dst, ev_ssize_t dst_limit,
    enum bufferevent_flush_mode mode, void *ctx);

/* A bufferevent that passes data to and from 'underlying' through the two
 * filters (NULL: copy unchanged); free_context(ctx) runs when it is freed. */
EVENT2_EXPORT_SYMBOL
struct bufferevent *
bufferevent_filter_new(struct bufferevent *underlying,
		       bufferevent_filter_cb input_filter,
		       bufferevent_filter_cb output_filter,
		       int options,
		       void (*free_context)(void *),
		       void *ctx);

/* Two bufferevents connected to each other in memory; 0 on success. */
EVENT2_EXPORT_SYMBOL
int bufferevent_pair_new(struct event_base *base, int options,
    struct bufferevent *pair[2]);

/* The other end of a pair, or NULL. */
EVENT2_EXPORT_SYMBOL
struct bufferevent *bufferevent_pair_get_partner(struct bufferevent *bev);

/* Token-bucket rate limiting configuration. */
struct ev_token_bucket_cfg;

/* Bandwidth budget shared by a group of bufferevents. */
struct bufferevent_rate_limit_group;

/* Largest rate or burst value that may be configured. */
#define EV_RATE_LIMIT_MAX EV_SSIZE_MAX

/* Rates are bytes per tick; tick_len NULL means one second.  NULL on
 * invalid arguments. */
EVENT2_EXPORT_SYMBOL
struct ev_token_bucket_cfg *ev_token_bucket_cfg_new(
	size_t read_rate, size_t read_burst,
	size_t write_rate, size_t write_burst,
	const struct timeval *tick_len);

/* Free a configuration that no bufferevent still uses. */
EVENT2_EXPORT_SYMBOL
void ev_token_bucket_cfg_free(struct ev_token_bucket_cfg *cfg);

/* Limit one bufferevent (cfg NULL removes the limit). */
EVENT2_EXPORT_SYMBOL
int bufferevent_set_rate_limit(struct bufferevent *bev,
    struct ev_token_bucket_cfg *cfg);

/* A new group sharing the budget described by cfg. */
EVENT2_EXPORT_SYMBOL
struct bufferevent_rate_limit_group *bufferevent_rate_limit_group_new(
	struct event_base *base,
	const struct ev_token_bucket_cfg *cfg);
/* Change a group's budget. */
EVENT2_EXPORT_SYMBOL
int bufferevent_rate_limit_group_set_cfg(
	struct bufferevent_rate_limit_group *,
	const struct ev_token_bucket_cfg *);

/* Smallest share handed to one member at a time (default 64 bytes). */
EVENT2_EXPORT_SYMBOL
int bufferevent_rate_limit_group_set_min_share(
	struct bufferevent_rate_limit_group *, size_t);

/* Free a group; its members must have been removed. */
EVENT2_EXPORT_SYMBOL
void bufferevent_rate_limit_group_free(struct bufferevent_rate_limit_group *);

/* Put a bufferevent in a group (leaving any previous group). */
EVENT2_EXPORT_SYMBOL
int bufferevent_add_to_rate_limit_group(struct bufferevent *bev,
    struct bufferevent_rate_limit_group *g);

EVENT2_EXPORT_SYMBOL
int bufferevent_remove_from_rate_limit_group(struct bufferevent *bev);

/* Cap the bytes moved by a single read or write call (0: default). */
EVENT2_EXPORT_SYMBOL
int bufferevent_set_max_single_read(struct bufferevent *bev, size_t size);
EVENT2_EXPORT_SYMBOL
int bufferevent_set_max_single_write(struct bufferevent *bev, size_t size);

EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_max_single_read(struct bufferevent *bev);
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_max_single_write(struct bufferevent *bev);

/* Tokens currently left in the bufferevent's own buckets. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_read_limit(struct bufferevent *bev);
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_write_limit(struct bufferevent *bev);

/* Bytes the next read/write may move, counting every applicable limit. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_max_to_read(struct bufferevent *bev);
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_get_max_to_write(struct bufferevent *bev);

/* The configuration set with bufferevent_set_rate_limit(), or NULL. */
EVENT2_EXPORT_SYMBOL
const struct ev_token_bucket_cfg *bufferevent_get_token_bucket_cfg(const struct bufferevent * bev);

/* Tokens left in a group's buckets. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_rate_limit_group_get_read_limit(
	struct bufferevent_rate_limit_group *);
EVENT2_EXPORT_SYMBOL
ev_ssize_t bufferevent_rate_limit_group_get_write_limit(
	struct bufferevent_rate_limit_group *);

/* Take tokens away (negative values give them back). */
EVENT2_EXPORT_SYMBOL
int bufferevent_decrement_read_limit(struct bufferevent *bev, ev_ssize_t decr);
EVENT2_EXPORT_SYMBOL
int bufferevent_decrement_write_limit(struct bufferevent *bev, ev_ssize_t decr);

EVENT2_EXPORT_SYMBOL
int bufferevent_rate_limit_group_decrement_read(
	struct bufferevent_rate_limit_group *, ev_ssize_t);
EVENT2_EXPORT_SYMBOL
int bufferevent_rate_limit_group_decrement_write(
	struct bufferevent_rate_limit_group *, ev_ssize_t);

/* Bytes read and written by group members since the last reset. */
EVENT2_EXPORT_SYMBOL
void bufferevent_rate_limit_group_get_totals(
    struct bufferevent_rate_limit_group *grp,
    ev_uint64_t *total_read_out, ev_uint64_t *total_written_out);

/* Zero those counters. */
EVENT2_EXPORT_SYMBOL
void
bufferevent_rate_limit_group_reset_totals(
	struct bufferevent_rate_limit_group *grp);

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
