/* Small helpers shared by the swift-libevent benchmarks (bench/). */
#ifndef SWIFT_LIBEVENT_BENCH_UTIL_H
#define SWIFT_LIBEVENT_BENCH_UTIL_H

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/resource.h>

/* CPU time of the process (user + system), in seconds.  CPU time rather than
 * wall time: the benchmark never blocks in its measured phase, and CPU time
 * is much less disturbed by other jobs on a shared machine. */
static inline double bench_cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static inline double bench_wall_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Lift the soft open-file limit to the hard one. */
static inline void bench_raise_nofile(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* Allocation counters exported by bench/malloc_count.c when it is preloaded.
 * Absent otherwise; then bench_allocs() reports -1. */
typedef void (*bench_malloc_snapshot_fn)(unsigned long long *allocs,
                                         unsigned long long *frees);

static inline long long bench_allocs(long long *frees_out)
{
    static bench_malloc_snapshot_fn fn;
    static int looked;
    if (!looked) {
        looked = 1;
        fn = (bench_malloc_snapshot_fn)dlsym(RTLD_DEFAULT, "bench_malloc_count_snapshot");
    }
    if (!fn) {
        if (frees_out) *frees_out = -1;
        return -1;
    }
    unsigned long long a = 0, f = 0;
    fn(&a, &f);
    if (frees_out) *frees_out = (long long)f;
    return (long long)a;
}

/* Path of the shared object that provides `sym` (which libevent we run on). */
static inline const char *bench_lib_of(void *sym)
{
    Dl_info info;
    if (sym && dladdr(sym, &info) && info.dli_fname)
        return info.dli_fname;
    return "?";
}

#endif
