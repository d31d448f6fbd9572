/*
 * evbuffer support for the Swift side: the public buffer types, and the few
 * system interfaces Swift cannot call directly (ioctl is variadic).
 * Included from CEventSys.h.
 */
#ifndef CEVENTBUFFER_H
#define CEVENTBUFFER_H

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <event2/buffer.h>
#include <event2/buffer_compat.h>

/* Bytes readable without blocking (FIONREAD), or -1. */
static inline int cev_fionread(int fd) {
	int n = 0;
	if (ioctl(fd, FIONREAD, &n) < 0)
		return -1;
	return n;
}

/* Per-thread cache of freed chain memory (buffer_shim.c). */
void *cev_chain_cache_get(size_t total);
int cev_chain_cache_put(void *p, size_t total);
void cev_chain_cache_flush_current(void);

/* A chain as Swift lays it out (Event/Buffer/Chain.swift; a unit test
 * compares the offsets). */
struct cev_chain_view {
	struct cev_chain_view *next;
	size_t buffer_len;
	size_t misalign;
	size_t off;
	unsigned flags;
	int refcnt;
	unsigned char *buffer;
};
#define CEV_WRITE_IOVECS 128
/* writev of the chains from `chain` on, at most `howmuch` bytes and
 * CEV_WRITE_IOVECS chains, stopping at a chain with `stop_flags`: the vectors
 * live on the C stack for the call (Swift would allocate them). 0 when there
 * is nothing to write; otherwise writev's result and errno. */
ssize_t cev_buffer_writev(int fd, const struct cev_chain_view *chain, size_t howmuch, unsigned stop_flags);

#define CEV_CACHE_CLASSES 8           /* 1 KiB .. 128 KiB */
/* Free 1 KiB chains a thread keeps: the chains of buffers that fill and
 * empty again (a request, its reply) come from here, so an emptied buffer
 * keeps nothing; a thread holds at most 128 KiB of them. */
#define CEV_CACHE_1K_MAX 128

struct cev_chain_cache {
	void *head[CEV_CACHE_CLASSES];
	unsigned count[CEV_CACHE_CLASSES];
	/* Free slots left in the 1 KiB class; 0 until the thread registered
	 * its exit flush (so the inline put below goes out of line first). */
	unsigned room1k;
	int registered;
};
extern __thread struct cev_chain_cache cev_tcache
	__attribute__((tls_model("initial-exec"), visibility("hidden")));

/* The 1 KiB class inline, for the buffer's hot paths (no call). */
static inline void *cev_chain_cache_get_1k(void) {
	void *p = cev_tcache.head[0];
	if (p) {
		cev_tcache.head[0] = *(void **)p;
		cev_tcache.count[0]--;
		cev_tcache.room1k++;
	}
	return p;
}
/* 1 if kept, 0 if the caller must free it. */
static inline int cev_chain_cache_put_1k(void *p) {
	if (__builtin_expect(cev_tcache.room1k == 0, 0))
		return cev_chain_cache_put(p, 1024);
	*(void **)p = cev_tcache.head[0];
	cev_tcache.head[0] = p;
	cev_tcache.count[0]++;
	cev_tcache.room1k--;
	return 1;
}

#endif
