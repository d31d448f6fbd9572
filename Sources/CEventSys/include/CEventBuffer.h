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

#endif
