/*
 * bufferevent support for the Swift side: the public bufferevent headers,
 * and the allocation a bufferevent lives in.  The program sees (and may
 * touch) the `struct bufferevent` at the start; what follows is ours.
 * Included from CEventSys.h.
 */
#ifndef CEVENTBUFFEREVENT_H
#define CEVENTBUFFEREVENT_H

#include <sys/un.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_struct.h>
#include <event2/bufferevent_compat.h>
#include "CEventKindOps.h"

struct cev_bufferevent {
	/* Must stay first: a `struct bufferevent *` points here. */
	struct bufferevent bev;
	/* Queued on the base to run callbacks later (BEV_OPT_DEFER_CALLBACKS). */
	struct event_callback deferred;
	/* The Swift object holding the private state (unretained). */
	void *owner;
};

/* The allocation of a bufferevent whose kind lives outside the core
 * (CEventKindOps.h): the kind's context pointer follows the core's part. */
struct cev_bufferevent_kind {
	struct cev_bufferevent core;
	void *kind_ctx;
};
static inline ptrdiff_t cev_kind_ctx_offset(void) { return offsetof(struct cev_bufferevent_kind, kind_ctx); }

static inline struct event *cev_bev_ev_read(struct bufferevent *b) { return &b->ev_read; }
static inline struct event *cev_bev_ev_write(struct bufferevent *b) { return &b->ev_write; }
static inline struct event_callback *cev_bev_deferred(struct bufferevent *b) {
	return &((struct cev_bufferevent *)b)->deferred;
}
static inline void *cev_bev_owner(const struct bufferevent *b) {
	return ((const struct cev_bufferevent *)b)->owner;
}
static inline void cev_bev_set_owner(struct bufferevent *b, void *owner) {
	((struct cev_bufferevent *)b)->owner = owner;
}

#endif
