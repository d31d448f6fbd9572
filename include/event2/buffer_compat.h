/*
 * event2/buffer_compat.h -- evbuffer functions from libevent 1.x.
 * Prefer the <event2/buffer.h> equivalents noted below in new code.
 */
#ifndef EVENT2_BUFFER_COMPAT_H_INCLUDED_
#define EVENT2_BUFFER_COMPAT_H_INCLUDED_

#include <event2/visibility.h>

/* Same as evbuffer_readln(buffer, NULL, EVBUFFER_EOL_ANY). */
EVENT2_EXPORT_SYMBOL
char *evbuffer_readline(struct evbuffer *buffer);

/* Old-style change callback: gets the lengths before and after. */
typedef void (*evbuffer_cb)(struct evbuffer *buffer, size_t old_len, size_t new_len, void *arg);

/* Replace all callbacks with a single old-style one (NULL removes it). */
EVENT2_EXPORT_SYMBOL
int evbuffer_setcb(struct evbuffer *buffer, evbuffer_cb cb, void *cbarg);

/* Pointer to the first match of what inside a pulled-up buffer, or NULL. */
EVENT2_EXPORT_SYMBOL
unsigned char *evbuffer_find(struct evbuffer *buffer, const unsigned char *what, size_t len);

/* 1.x accessors. */
#define EVBUFFER_LENGTH(x)	evbuffer_get_length(x)
#define EVBUFFER_DATA(x)	evbuffer_pullup((x), -1)

#endif /* end of include guard */
