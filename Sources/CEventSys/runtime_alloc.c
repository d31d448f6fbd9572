/*
 * Embedded Swift's runtime allocates every object through swift_slowAlloc /
 * swift_slowDealloc, which the standard library defines weakly. The shipped
 * library defines them here so that Swift objects (the event_base behind a
 * struct event_base *, buffers, arrays) come from the allocator a program
 * installs with event_set_mem_functions, like every libevent allocation.
 * Only in the embedded build: the unit tests run on the ordinary runtime.
 */
#ifdef CEV_EMBEDDED
#include <stddef.h>
#include <stdlib.h>

/* Swift side (Memory.swift): the program's replacements, or libc. */
void *cev_mem_alloc(size_t size);
void cev_mem_free(void *p);

void *swift_slowAlloc(size_t size, size_t alignMask)
{
	void *p = NULL;
	/* alignMask is SIZE_MAX for "the default alignment". malloc (and any
	 * sane replacement) aligns to 16; larger requests, which the library
	 * never makes, go to libc. */
	if (alignMask <= 15 || alignMask == (size_t)-1)
		return cev_mem_alloc(size ? size : 1);
	if (posix_memalign(&p, alignMask + 1, size ? size : 1) != 0)
		abort();
	return p;
}

void swift_slowDealloc(void *ptr, size_t size, size_t alignMask)
{
	(void)size;
	if (alignMask <= 15 || alignMask == (size_t)-1)
		cev_mem_free(ptr);
	else
		free(ptr);
}
#endif
