/* malloc_count: LD_PRELOAD interposer that counts heap allocations.
 *
 * Every malloc/calloc/realloc/posix_memalign/aligned_alloc/memalign/valloc
 * counts as one allocation (realloc(p, 0) and realloc to a new block both
 * count: either may hit the allocator); every free of a non-NULL pointer
 * counts as one free.  The work is forwarded to glibc's __libc_* entry
 * points, so no dlsym bootstrap dance is needed.
 *
 * Programs read the counters through bench_malloc_count_snapshot(), found
 * with dlsym(RTLD_DEFAULT, ...) (see bench_util.h); when the interposer is
 * not preloaded the symbol is simply absent.
 */
#define _GNU_SOURCE
#include <stddef.h>
#include <errno.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

static unsigned long long n_allocs, n_frees;

#define COUNT(v) __atomic_fetch_add(&(v), 1, __ATOMIC_RELAXED)

__attribute__((visibility("default")))
void bench_malloc_count_snapshot(unsigned long long *allocs, unsigned long long *frees)
{
    *allocs = __atomic_load_n(&n_allocs, __ATOMIC_RELAXED);
    *frees = __atomic_load_n(&n_frees, __ATOMIC_RELAXED);
}

void *malloc(size_t size)
{
    COUNT(n_allocs);
    return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
    COUNT(n_allocs);
    return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
    COUNT(n_allocs);
    if (p && size == 0)
        COUNT(n_frees);
    return __libc_realloc(p, size);
}

void free(void *p)
{
    if (p)
        COUNT(n_frees);
    __libc_free(p);
}

void *memalign(size_t align, size_t size)
{
    COUNT(n_allocs);
    return __libc_memalign(align, size);
}

void *aligned_alloc(size_t align, size_t size)
{
    COUNT(n_allocs);
    return __libc_memalign(align, size);
}

int posix_memalign(void **out, size_t align, size_t size)
{
    if (align < sizeof(void *) || (align & (align - 1)) != 0)
        return EINVAL;
    COUNT(n_allocs);
    void *p = __libc_memalign(align, size);
    if (!p)
        return ENOMEM;
    *out = p;
    return 0;
}

void *valloc(size_t size)
{
    COUNT(n_allocs);
    return __libc_memalign(4096, size);
}
