/*
 * Memory for the Swift runtime, and what happens when there is none.
 *
 * Routing. Embedded Swift allocates class instances, Array and closure
 * storage in swift_allocObject and raw memory (UnsafeMutablePointer.allocate)
 * in swift_slowAlloc. The standard library defines both weakly, and its
 * swift_allocObject calls posix_memalign itself rather than swift_slowAlloc,
 * so overriding swift_slowAlloc alone left every object (the event_base,
 * event_config, evconnlistener a program holds) outside the allocator
 * installed with event_set_mem_functions. The strong definitions below
 * replace the whole set (allocation and every release path), so each Swift
 * object is a block the program's malloc returned, like libevent's objects.
 *
 * Running out. The runtime cannot report a failed allocation: callers of
 * swift_allocObject use the object at once (the library traps on NULL). So
 * when the program's allocator returns NULL the block comes from a small
 * static reserve instead, and a per-thread failure count goes up. Every entry
 * point that builds something (event_base_new, evbuffer_new,
 * bufferevent_*_new, evconnlistener_new, event_config_avoid_method, ...)
 * reads the count before and after (Memory.failureMark / Memory.failed in
 * Memory.swift); if it moved, it takes apart what it built and returns
 * libevent's failure, NULL or -1. So a reserve block never reaches a C caller
 * and never outlives the call that took it; temporaries (log text, small
 * arrays) may use it meanwhile. This covers a failure anywhere, including
 * inside Array growth, without a check at each allocation. Tables that grow
 * for the life of an object (fd map, timer heap, chains, callback entries)
 * use Memory.malloc/realloc, which return NULL for the caller to handle.
 * Blocks are told apart on release by address. Should the reserve be full
 * (a huge temporary, or many threads failing at once), libc's malloc is
 * tried, its blocks remembered in a small table; past that the process
 * aborts, the one case left where the library cannot go on.
 *
 * Only the embedded build defines the runtime entry points: the unit tests
 * run on the ordinary runtime. The failure count exists in both.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static __thread unsigned long cev_failures __attribute__((tls_model("initial-exec")));

/* Allocations this thread could not get from the allocator so far. */
unsigned long cev_alloc_failure_count(void) { return cev_failures; }

#ifdef CEV_EMBEDDED

/* Swift side (Memory.swift): the program's replacements, or libc. */
void *cev_mem_alloc(size_t size);
void cev_mem_free(void *p);

/* ---------------------------------------------------------------- reserve
 * First fit over blocks laid end to end, each behind a 16-byte header
 * (size in 16-byte units, header included; in use or not). Free neighbours
 * merge while searching. Only failure paths come here, so a spin lock and a
 * linear walk are enough. */
#define CEV_RESERVE_BYTES 4096
#define CEV_UNIT 16

struct cev_head {
	uint32_t units;
	uint32_t used;
	uint64_t pad;
};

static _Alignas(16) unsigned char cev_reserve[CEV_RESERVE_BYTES];
static int cev_reserve_ready;
static char cev_lock_flag;

/* Blocks libc gave when the reserve was full. */
#define CEV_SPILL_SLOTS 32
static void *cev_spill[CEV_SPILL_SLOTS];
static int cev_spill_count;

static void cev_lock(void)
{
	while (__atomic_test_and_set(&cev_lock_flag, __ATOMIC_ACQUIRE))
		;
}

static void cev_unlock(void) { __atomic_clear(&cev_lock_flag, __ATOMIC_RELEASE); }

static inline int cev_in_reserve(const void *p)
{
	const unsigned char *b = p;
	return b >= cev_reserve && b < cev_reserve + CEV_RESERVE_BYTES;
}

static void *cev_reserve_take(size_t size)
{
	size_t need, at = 0;
	void *r = NULL;
	if (size > CEV_RESERVE_BYTES)
		return NULL;
	need = (size + CEV_UNIT - 1) / CEV_UNIT + 1;
	cev_lock();
	if (!cev_reserve_ready) {
		struct cev_head *h = (struct cev_head *)cev_reserve;
		h->units = CEV_RESERVE_BYTES / CEV_UNIT;
		h->used = 0;
		cev_reserve_ready = 1;
	}
	while (at < CEV_RESERVE_BYTES / CEV_UNIT) {
		struct cev_head *h = (struct cev_head *)(cev_reserve + at * CEV_UNIT);
		if (!h->used) {
			size_t next = at + h->units;
			while (next < CEV_RESERVE_BYTES / CEV_UNIT) {
				struct cev_head *n = (struct cev_head *)(cev_reserve + next * CEV_UNIT);
				if (n->used)
					break;
				h->units += n->units;
				next += n->units;
			}
			if (h->units >= need) {
				if (h->units >= need + 2) {
					struct cev_head *rest = (struct cev_head *)(cev_reserve + (at + need) * CEV_UNIT);
					rest->units = h->units - (uint32_t)need;
					rest->used = 0;
					h->units = (uint32_t)need;
				}
				h->used = 1;
				r = h + 1;
				break;
			}
		}
		at += h->units;
	}
	cev_unlock();
	return r;
}

static void cev_fatal(const char *msg)
{
	/* Nothing may allocate here any more: write and stop. */
	ssize_t n = write(2, msg, strlen(msg));
	(void)n;
	abort();
}

/* A block for an allocation the program's allocator refused. */
static void *cev_emergency(size_t size)
{
	void *p;
	cev_failures++;
	if ((p = cev_reserve_take(size)))
		return p;
	if (posix_memalign(&p, 16, size) == 0) {
		int kept = 0;
		cev_lock();
		if (cev_spill_count < CEV_SPILL_SLOTS) {
			for (int i = 0; i < CEV_SPILL_SLOTS; i++)
				if (!cev_spill[i]) {
					cev_spill[i] = p;
					__atomic_add_fetch(&cev_spill_count, 1, __ATOMIC_RELAXED);
					kept = 1;
					break;
				}
		}
		cev_unlock();
		if (kept)
			return p;
		free(p);
	}
	cev_fatal("[err] libevent: out of memory (allocator and emergency reserve exhausted)\n");
	return NULL;
}

/* Give back a block that may be an emergency one; 1 if it was. */
static int cev_emergency_release(void *p)
{
	if (cev_in_reserve(p)) {
		cev_lock();
		((struct cev_head *)p - 1)->used = 0;
		cev_unlock();
		return 1;
	}
	if (__atomic_load_n(&cev_spill_count, __ATOMIC_RELAXED) > 0) {
		int found = 0;
		cev_lock();
		for (int i = 0; i < CEV_SPILL_SLOTS; i++)
			if (cev_spill[i] == p) {
				cev_spill[i] = NULL;
				__atomic_sub_fetch(&cev_spill_count, 1, __ATOMIC_RELAXED);
				found = 1;
				break;
			}
		cev_unlock();
		if (found) {
			free(p);
			return 1;
		}
	}
	return 0;
}

/* For Memory.swift: the allocator, else the reserve (counted as a failure). */
void *cev_mem_alloc_or_reserve(size_t size)
{
	void *p = cev_mem_alloc(size ? size : 1);
	return p ? p : cev_emergency(size ? size : 1);
}

void cev_mem_free_any(void *p)
{
	if (p && !cev_emergency_release(p))
		cev_mem_free(p);
}

/* alignMask is SIZE_MAX for "the default alignment"; malloc (and any sane
 * replacement) aligns to 16. Larger alignments, which the library never
 * asks for, go to libc. */
static inline int cev_default_align(size_t alignMask)
{
	return alignMask <= 15 || alignMask == (size_t)-1;
}

void *swift_slowAlloc(size_t size, size_t alignMask)
{
	void *p = NULL;
	if (cev_default_align(alignMask))
		return cev_mem_alloc_or_reserve(size);
	if (posix_memalign(&p, alignMask + 1, size ? size : 1) != 0)
		cev_fatal("[err] libevent: out of memory (aligned allocation)\n");
	return p;
}

void swift_slowDealloc(void *ptr, size_t size, size_t alignMask)
{
	(void)size;
	if (cev_default_align(alignMask))
		cev_mem_free_any(ptr);
	else
		free(ptr);
}

/* The object header of Embedded Swift: metadata, then the reference count
 * whose top bit marks objects that are not to be freed (on the stack). */
struct cev_heap_object {
	void *metadata;
	intptr_t refcount;
};

#define CEV_DO_NOT_FREE ((intptr_t)1 << (sizeof(intptr_t) * 8 - 1))

void *swift_allocObject(void *metadata, size_t size, size_t alignMask)
{
	struct cev_heap_object *o = swift_slowAlloc(size, alignMask);
	o->metadata = metadata;
	o->refcount = 1;
	return o;
}

/* The standard library's Swift function behind that symbol is weak as well,
 * and it is called directly, not through the symbol: by the standard
 * library when it makes Array and Dictionary storage, and wherever the
 * optimiser inlined the symbol's thunk. Replace it too (its name is the
 * mangling of swift_allocObject(metadata:requiredSize:requiredAlignmentMask:);
 * ctests/mem_fault_inject.c notices if a toolchain renames it, as objects
 * would then stop coming from the program's allocator). */
__attribute__((swiftcall)) void *cev_stdlib_alloc_object(void *metadata, size_t size, size_t alignMask)
	__asm__("$es17swift_allocObject8metadata12requiredSize0E13AlignmentMaskSpys04HeapC0VGSpys13ClassMetadataVG_S2itF");

__attribute__((swiftcall)) void *cev_stdlib_alloc_object(void *metadata, size_t size, size_t alignMask)
{
	return swift_allocObject(metadata, size, alignMask);
}

void swift_deallocObject(void *object, size_t size, size_t alignMask)
{
	swift_slowDealloc(object, size, alignMask);
}

void swift_deallocUninitializedObject(void *object, size_t size, size_t alignMask)
{
	swift_slowDealloc(object, size, alignMask);
}

void swift_deallocClassInstance(void *object, size_t size, size_t alignMask)
{
	if (((struct cev_heap_object *)object)->refcount & CEV_DO_NOT_FREE)
		return;
	swift_slowDealloc(object, size, alignMask);
}

/* An initializer failed before the object was complete: destroy the
 * stored properties of the subclasses that did initialise theirs (as the
 * standard library does), then free the object, which the standard
 * library's version leaves allocated. Class metadata: superclass, destroy,
 * ivar destroyer (swiftcc, object as self). */
typedef void __attribute__((swiftcall)) (*cev_destroyer)(__attribute__((swift_context)) void *object);

void swift_deallocPartialClassInstance(void *object, void *metadata, size_t size, size_t alignMask)
{
	void **cls = ((struct cev_heap_object *)object)->metadata;
	while (cls && (void *)cls != metadata) {
		cev_destroyer d = (cev_destroyer)cls[2];
		if (d)
			d(object);
		cls = cls[0];
	}
	swift_deallocClassInstance(object, size, alignMask);
}

#else /* the ordinary runtime (unit tests): no reserve */

void *cev_mem_alloc(size_t size);
void cev_mem_free(void *p);

void *cev_mem_alloc_or_reserve(size_t size)
{
	void *p = cev_mem_alloc(size ? size : 1);
	if (!p)
		abort();
	return p;
}

void cev_mem_free_any(void *p) { cev_mem_free(p); }
#endif
