/*
 * event2/buffer.h -- evbuffer, the byte queue used for network I/O.
 *
 * An evbuffer appends at the end and removes from the front.  Internally it
 * is a chain of memory blocks, so adding another buffer or a reference to
 * caller memory does not copy; functions such as evbuffer_pullup() make a
 * region contiguous when a flat view is needed.
 */
#ifndef EVENT2_BUFFER_H_INCLUDED_
#define EVENT2_BUFFER_H_INCLUDED_

#include <event2/visibility.h>

#ifdef __cplusplus
extern "C" {
#endif

#include <event2/event-config.h>
#include <stdarg.h>
#ifdef EVENT__HAVE_SYS_TYPES_H
#include <sys/types.h>
#endif
#ifdef EVENT__HAVE_SYS_UIO_H
#include <sys/uio.h>
#endif
#include <event2/util.h>

/* The buffer object itself; only reachable through these functions. */
struct evbuffer
#ifdef EVENT_IN_DOXYGEN_
{}
#endif
;

/* A position inside an evbuffer (from evbuffer_search*, evbuffer_ptr_set).
 * Any change to the buffer makes it stale.  pos is the byte offset from the
 * start, or -1 when nothing was found; internal_ belongs to the library. */
struct evbuffer_ptr {
	ev_ssize_t pos;

	struct {
		void *chain;
		size_t pos_in_chain;
	} internal_;
};

/* One (pointer, length) piece, used by reserve/commit and peek.  On systems
 * with <sys/uio.h> it is struct iovec itself. */
#ifdef EVENT__HAVE_SYS_UIO_H
#define evbuffer_iovec iovec
/* Defined when evbuffer_iovec is the system's iovec. */
#define EVBUFFER_IOVEC_IS_NATIVE_
#else
struct evbuffer_iovec {
	void *iov_base;    /* start of the piece */
	size_t iov_len;    /* its length in bytes */
};
#endif

/* A new empty buffer; NULL on allocation failure. */
EVENT2_EXPORT_SYMBOL
struct evbuffer *evbuffer_new(void);
EVENT2_EXPORT_SYMBOL
void evbuffer_free(struct evbuffer *buf);

/* Protect the buffer with lock (NULL: allocate a recursive lock). */
EVENT2_EXPORT_SYMBOL
int evbuffer_enable_locking(struct evbuffer *buf, void *lock);

/* Hold the buffer's lock across several calls. */
EVENT2_EXPORT_SYMBOL
void evbuffer_lock(struct evbuffer *buf);
EVENT2_EXPORT_SYMBOL
void evbuffer_unlock(struct evbuffer *buf);

/* Buffer flag: bytes only ever leave by being written to a descriptor,
 * drained, or moved out whole, which lets evbuffer_add_file() use
 * sendfile(). */
#define EVBUFFER_FLAG_DRAINS_TO_FD 1
EVENT2_EXPORT_SYMBOL
int evbuffer_set_flags(struct evbuffer *buf, ev_uint64_t flags);
EVENT2_EXPORT_SYMBOL
int evbuffer_clear_flags(struct evbuffer *buf, ev_uint64_t flags);

/* Number of bytes stored. */
EVENT2_EXPORT_SYMBOL
size_t evbuffer_get_length(const struct evbuffer *buf);

/* Bytes available contiguously at the front (the first chunk). */
EVENT2_EXPORT_SYMBOL
size_t evbuffer_get_contiguous_space(const struct evbuffer *buf);

/* Make room for datlen more bytes without further allocation. */
EVENT2_EXPORT_SYMBOL
int evbuffer_expand(struct evbuffer *buf, size_t datlen);

/* Hand out up to n_vec writable extents totalling at least size bytes at
 * the end of the buffer; returns how many vec entries were filled, -1 on
 * error.  Nothing becomes part of the buffer until evbuffer_commit_space(). */
EVENT2_EXPORT_SYMBOL
int
evbuffer_reserve_space(struct evbuffer *buf, ev_ssize_t size,
    struct evbuffer_iovec *vec, int n_vec);

/* Append the reserved bytes actually written (iov_len may be shortened). */
EVENT2_EXPORT_SYMBOL
int evbuffer_commit_space(struct evbuffer *buf,
    struct evbuffer_iovec *vec, int n_vecs);

/* Append a copy of data; 0 on success. */
EVENT2_EXPORT_SYMBOL
int evbuffer_add(struct evbuffer *buf, const void *data, size_t datlen);

/* Move up to datlen bytes from the front into data; returns the count. */
EVENT2_EXPORT_SYMBOL
int evbuffer_remove(struct evbuffer *buf, void *data, size_t datlen);

/* Copy up to datlen bytes from the front without removing them. */
EVENT2_EXPORT_SYMBOL
ev_ssize_t evbuffer_copyout(struct evbuffer *buf, void *data_out, size_t datlen);

/* evbuffer_copyout() starting at pos (NULL: at the front). */
EVENT2_EXPORT_SYMBOL
ev_ssize_t evbuffer_copyout_from(struct evbuffer *buf, const struct evbuffer_ptr *pos, void *data_out, size_t datlen);

/* Move up to datlen bytes from src to the end of dst, avoiding copies. */
EVENT2_EXPORT_SYMBOL
int evbuffer_remove_buffer(struct evbuffer *src, struct evbuffer *dst,
    size_t datlen);

/* What counts as a line ending for evbuffer_readln(). */
enum evbuffer_eol_style {
	/* Any run of \r and \n characters. */
	EVBUFFER_EOL_ANY,
	/* \n, optionally preceded by one \r. */
	EVBUFFER_EOL_CRLF,
	/* Exactly \r\n. */
	EVBUFFER_EOL_CRLF_STRICT,
	/* Exactly \n. */
	EVBUFFER_EOL_LF,
	/* A NUL byte. */
	EVBUFFER_EOL_NUL
};

/* Remove one line (without its terminator) as a malloc'ed, NUL-terminated
 * string; NULL if no complete line is buffered. */
EVENT2_EXPORT_SYMBOL
char *evbuffer_readln(struct evbuffer *buffer, size_t *n_read_out,
    enum evbuffer_eol_style eol_style);

/* Move all of inbuf to the end of outbuf. */
EVENT2_EXPORT_SYMBOL
int evbuffer_add_buffer(struct evbuffer *outbuf, struct evbuffer *inbuf);

/* Append inbuf's contents to outbuf by reference, leaving inbuf intact;
 * neither buffer may change while the reference exists. */
EVENT2_EXPORT_SYMBOL
int evbuffer_add_buffer_reference(struct evbuffer *outbuf,
    struct evbuffer *inbuf);

/* Called when referenced memory is no longer needed. */
typedef void (*evbuffer_ref_cleanup_cb)(const void *data,
    size_t datalen, void *extra);

/* Append caller memory without copying; cleanupfn runs when it is released. */
EVENT2_EXPORT_SYMBOL
int evbuffer_add_reference(struct evbuffer *outbuf,
    const void *data, size_t datlen,
    evbuffer_ref_cleanup_cb cleanupfn, void *cleanupfn_arg);

/* Append length bytes of file fd starting at offset (sendfile or mmap when
 * possible); the buffer takes ownership of fd and closes it. */
EVENT2_EXPORT_SYMBOL
int evbuffer_add_file(struct evbuffer *outbuf, int fd, ev_off_t offset,
    ev_off_t length);

/* A reference-counted slice of a file that can be added to many buffers. */
struct evbuffer_file_segment;

/* Flags for evbuffer_file_segment_new(). */
#define EVBUF_FS_CLOSE_ON_FREE    0x01  /* close fd with the last reference */
#define EVBUF_FS_DISABLE_MMAP     0x02  /* do not map the file */
#define EVBUF_FS_DISABLE_SENDFILE 0x04  /* do not use sendfile() */
#define EVBUF_FS_DISABLE_LOCKING  0x08  /* no lock: single-threaded use only */

/* Called when the last reference to a segment is dropped. */
typedef void (*evbuffer_file_segment_cleanup_cb)(
    struct evbuffer_file_segment const* seg, int flags, void* arg);

/* Describe length bytes (-1: to the end) of fd from offset. */
EVENT2_EXPORT_SYMBOL
struct evbuffer_file_segment *evbuffer_file_segment_new(
	int fd, ev_off_t offset, ev_off_t length, unsigned flags);

/* Drop the caller's reference to seg. */
EVENT2_EXPORT_SYMBOL
void evbuffer_file_segment_free(struct evbuffer_file_segment *seg);

/* Set the function run when seg is finally released. */
EVENT2_EXPORT_SYMBOL
void evbuffer_file_segment_add_cleanup_cb(struct evbuffer_file_segment *seg,
	evbuffer_file_segment_cleanup_cb cb, void* arg);

/* Append part of a segment (offset/length relative to the segment). */
EVENT2_EXPORT_SYMBOL
int evbuffer_add_file_segment(struct evbuffer *buf,
    struct evbuffer_file_segment *seg, ev_off_t offset, ev_off_t length);

/* Append printf-style output; returns the number of bytes added or -1. */
EVENT2_EXPORT_SYMBOL
int evbuffer_add_printf(struct evbuffer *buf, const char *fmt, ...)
#ifdef __GNUC__
  __attribute__((format(printf, 2, 3)))
#endif
;

/* The va_list form of evbuffer_add_printf(). */
EVENT2_EXPORT_SYMBOL
int evbuffer_add_vprintf(struct evbuffer *buf, const char *fmt, va_list ap)
#ifdef __GNUC__
	__attribute__((format(printf, 2, 0)))
#endif
;

/* Discard len bytes from the front. */
EVENT2_EXPORT_SYMBOL
int evbuffer_drain(struct evbuffer *buf, size_t len);

/* Send as much as possible to fd and drain what was sent; returns the
 * byte count or -1. */
EVENT2_EXPORT_SYMBOL
int evbuffer_write(struct evbuffer *buffer, evutil_socket_t fd);

/* evbuffer_write() limited to howmuch bytes (negative: no limit). */
EVENT2_EXPORT_SYMBOL
int evbuffer_write_atmost(struct evbuffer *buffer, evutil_socket_t fd,
						  ev_ssize_t howmuch);

/* Read up to howmuch bytes (negative: a sensible amount) from fd and
 * append them; returns the count, 0 at EOF, -1 on error. */
EVENT2_EXPORT_SYMBOL
int evbuffer_read(struct evbuffer *buffer, evutil_socket_t fd, int howmuch);

/* Find the first occurrence of what[0..len) at or after start (NULL: from
 * the beginning); pos is -1 when absent. */
EVENT2_EXPORT_SYMBOL
struct evbuffer_ptr evbuffer_search(struct evbuffer *buffer, const char *what, size_t len, const struct evbuffer_ptr *start);

/* Like evbuffer_search(), but the match must end before *end. */
EVENT2_EXPORT_SYMBOL
struct evbuffer_ptr evbuffer_search_range(struct evbuffer *buffer, const char *what, size_t len, const struct evbuffer_ptr *start, const struct evbuffer_ptr *end);

/* How evbuffer_ptr_set() interprets its position argument. */
enum evbuffer_ptr_how {
	/* Absolute offset from the start of the buffer. */
	EVBUFFER_PTR_SET,
	/* Advance the pointer by that many bytes. */
	EVBUFFER_PTR_ADD
};

/* Point ptr at an offset; -1 if that lies beyond the data. */
EVENT2_EXPORT_SYMBOL
int
evbuffer_ptr_set(struct evbuffer *buffer, struct evbuffer_ptr *ptr,
    size_t position, enum evbuffer_ptr_how how);

/* Locate the next line ending of the given style; its length goes to
 * *eol_len_out. */
EVENT2_EXPORT_SYMBOL
struct evbuffer_ptr evbuffer_search_eol(struct evbuffer *buffer,
    struct evbuffer_ptr *start, size_t *eol_len_out,
    enum evbuffer_eol_style eol_style);

/* Describe the stored bytes in place: fill up to n_vec extents covering
 * len bytes (negative: everything) from start_at.  Returns the number of
 * extents needed, which may exceed n_vec. */
EVENT2_EXPORT_SYMBOL
int evbuffer_peek(struct evbuffer *buffer, ev_ssize_t len,
    struct evbuffer_ptr *start_at,
    struct evbuffer_iovec *vec_out, int n_vec);

/* What changed, as reported to an evbuffer_cb_func. */
struct evbuffer_cb_info {
	size_t orig_size;   /* length before the change(s) */
	size_t n_added;     /* bytes appended or prepended since */
	size_t n_deleted;   /* bytes drained or removed since */
};

/* Runs after the buffer's length changes (possibly deferred). */
typedef void (*evbuffer_cb_func)(struct evbuffer *buffer, const struct evbuffer_cb_info *info, void *arg);

/* Handle for one registered callback. */
struct evbuffer_cb_entry;

/* Register a change callback; several may coexist. NULL on failure. */
EVENT2_EXPORT_SYMBOL
struct evbuffer_cb_entry *evbuffer_add_cb(struct evbuffer *buffer, evbuffer_cb_func cb, void *cbarg);

/* Unregister by handle. */
EVENT2_EXPORT_SYMBOL
int evbuffer_remove_cb_entry(struct evbuffer *buffer,
			     struct evbuffer_cb_entry *ent);

/* Unregister the first callback matching (cb, cbarg); -1 if none. */
EVENT2_EXPORT_SYMBOL
int evbuffer_remove_cb(struct evbuffer *buffer, evbuffer_cb_func cb, void *cbarg);

/* Callback flag: the callback is active (set on new callbacks). */
#define EVBUFFER_CB_ENABLED 1

EVENT2_EXPORT_SYMBOL
int evbuffer_cb_set_flags(struct evbuffer *buffer,
			  struct evbuffer_cb_entry *cb, ev_uint32_t flags);

EVENT2_EXPORT_SYMBOL
int evbuffer_cb_clear_flags(struct evbuffer *buffer,
			  struct evbuffer_cb_entry *cb, ev_uint32_t flags);

/* Make the first size bytes (negative: all) contiguous and return them;
 * NULL if the buffer holds fewer bytes. */
EVENT2_EXPORT_SYMBOL
unsigned char *evbuffer_pullup(struct evbuffer *buf, ev_ssize_t size);

/* Insert a copy of data at the front. */
EVENT2_EXPORT_SYMBOL
int evbuffer_prepend(struct evbuffer *buf, const void *data, size_t size);

/* Move all of src to the front of dst. */
EVENT2_EXPORT_SYMBOL
int evbuffer_prepend_buffer(struct evbuffer *dst, struct evbuffer* src);

/* Refuse changes at the front (at_front != 0) or at the end. */
EVENT2_EXPORT_SYMBOL
int evbuffer_freeze(struct evbuffer *buf, int at_front);

/* Undo evbuffer_freeze(). */
EVENT2_EXPORT_SYMBOL
int evbuffer_unfreeze(struct evbuffer *buf, int at_front);

struct event_base;
/* Run this buffer's callbacks later from base's loop, not inline. */
EVENT2_EXPORT_SYMBOL
int evbuffer_defer_callbacks(struct evbuffer *buffer, struct event_base *base);

/* Append the bytes described by n_vec extents; returns bytes added. */
EVENT2_EXPORT_SYMBOL
size_t evbuffer_add_iovec(struct evbuffer * buffer, struct evbuffer_iovec * vec, int n_vec);

/* Most bytes one evbuffer_read() takes when asked for "as much as is
 * waiting" (4096 by default, as in libevent 2.1).  From libevent 2.2;
 * max must be between 1 and INT_MAX.  Returns 0, or -1 on a bad max. */
EVENT2_EXPORT_SYMBOL
int evbuffer_set_max_read(struct evbuffer *buf, size_t max);
EVENT2_EXPORT_SYMBOL
size_t evbuffer_get_max_read(struct evbuffer *buf);

#ifdef __cplusplus
}
#endif

#endif /* end of include guard */
