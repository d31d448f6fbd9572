/* timers: cost of adding, deleting and firing many pure timers.
 *
 * COUNT timer events (default 1e6) live in one array and are set up with
 * event_assign() up front.  Then, each phase timed separately (CPU time):
 *   add   event_add() every timer with its timeout;
 *   del   event_del() every other timer (odd indices: scattered positions in
 *         whatever structure holds them);
 *   fire  event_base_dispatch() until the remaining half has fired and the
 *         loop runs out of events.
 * Timeouts (-m):
 *   random  uniformly random in [0, 100 ms) with microsecond resolution:
 *           the general timer structure (libevent's min-heap);
 *   common  each timer picks one of K (-k, default 100) durations spread
 *           over (0, 100 ms], all registered with
 *           event_base_init_common_timeout(): the O(1) queue path.
 * The timeouts, and which common duration each timer uses, are drawn before
 * any timing from a fixed seed (-S), so every run does the same work.
 *
 * The fire phase may have to wait for the last deadlines; CPU time leaves
 * that sleep out, so "fire" is the cost of expiring timers and running their
 * callbacks.  Add and delete usually take longer than 100 ms for 1e6 timers,
 * so most timers are already due when dispatch starts.
 */
#include "bench_util.h"

#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>

static long fired;

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what; (void)arg;
    fired++;
}

/* xorshift64*: a small deterministic generator, independent of libc rand(). */
static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t rng_next(void)
{
    uint64_t x = rng_state;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    rng_state = x;
    return x * 0x2545F4914F6CDD1Dull;
}

__attribute__((noinline)) void bench_phase_add(struct event *evs, const struct timeval **tvs, long n)
{
    for (long i = 0; i < n; i++)
        if (event_add(&evs[i], tvs[i]) < 0) {
            fprintf(stderr, "event_add failed at %ld\n", i);
            exit(2);
        }
}

__attribute__((noinline)) void bench_phase_del(struct event *evs, long n)
{
    for (long i = 1; i < n; i += 2)
        if (event_del(&evs[i]) < 0) {
            fprintf(stderr, "event_del failed at %ld\n", i);
            exit(2);
        }
}

__attribute__((noinline)) void bench_phase_fire(struct event_base *base)
{
    if (event_base_dispatch(base) < 0) {
        fprintf(stderr, "event_base_dispatch failed\n");
        exit(2);
    }
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "timers: watchdog expired\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing to do */ }
    _exit(3);
}

static void usage(void)
{
    fprintf(stderr, "usage: timers [-n count] [-m random|common] [-k common-durations] [-S seed] [-l label]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    long n = 1000000;
    int common = 0, ncommon = 100;
    const char *label = "libevent";
    int opt;

    while ((opt = getopt(argc, argv, "n:m:k:S:l:")) != -1) {
        switch (opt) {
        case 'n': n = atol(optarg); break;
        case 'k': ncommon = atoi(optarg); break;
        case 'S': rng_state = strtoull(optarg, NULL, 0) | 1; break;
        case 'l': label = optarg; break;
        case 'm':
            if (!strcmp(optarg, "random")) common = 0;
            else if (!strcmp(optarg, "common")) common = 1;
            else usage();
            break;
        default: usage();
        }
    }
    if (n < 2 || ncommon < 1)
        usage();

    signal(SIGALRM, on_alarm);
    alarm(300);

    struct event_base *base = event_base_new();
    if (!base) {
        fprintf(stderr, "event_base_new failed\n");
        return 2;
    }

    struct event *evs = calloc((size_t)n, sizeof *evs);
    const struct timeval **tvs = calloc((size_t)n, sizeof *tvs);
    struct timeval *own = calloc((size_t)n, sizeof *own);
    const struct timeval **commons = calloc((size_t)ncommon, sizeof *commons);
    if (!evs || !tvs || !own || !commons) {
        perror("calloc");
        return 2;
    }

    if (common) {
        for (int k = 0; k < ncommon; k++) {
            struct timeval d;
            long us = 100000L * (k + 1) / ncommon;
            d.tv_sec = us / 1000000;
            d.tv_usec = us % 1000000;
            commons[k] = event_base_init_common_timeout(base, &d);
            if (!commons[k]) {
                fprintf(stderr, "event_base_init_common_timeout failed for #%d\n", k);
                return 2;
            }
        }
    }
    for (long i = 0; i < n; i++) {
        if (common) {
            tvs[i] = commons[rng_next() % (uint64_t)ncommon];
        } else {
            own[i].tv_sec = 0;
            own[i].tv_usec = (suseconds_t)(rng_next() % 100000);
            tvs[i] = &own[i];
        }
    }

    double t0 = bench_cpu_seconds();
    for (long i = 0; i < n; i++)
        if (event_assign(&evs[i], base, -1, 0, on_timer, NULL) < 0) {
            fprintf(stderr, "event_assign failed\n");
            return 2;
        }
    double t1 = bench_cpu_seconds();

    long long f0, f1, f2, f3;
    long long a0 = bench_allocs(&f0);
    double t2 = bench_cpu_seconds();
    bench_phase_add(evs, tvs, n);
    double t3 = bench_cpu_seconds();
    long long a1 = bench_allocs(&f1);
    bench_phase_del(evs, n);
    double t4 = bench_cpu_seconds();
    long long a2 = bench_allocs(&f2);
    double w0 = bench_wall_seconds();
    bench_phase_fire(base);
    double w1 = bench_wall_seconds();
    double t5 = bench_cpu_seconds();
    long long a3 = bench_allocs(&f3);

    long ndel = n / 2;
    long nfire = n - ndel;
    printf("timers impl=%s method=%s mode=%s n=%ld fired=%ld "
           "assign_ns=%.1f add_ns=%.1f del_ns=%.1f fire_ns=%.1f fire_wall_s=%.3f",
           label, event_base_get_method(base), common ? "common" : "random", n, fired,
           (t1 - t0) * 1e9 / (double)n, (t3 - t2) * 1e9 / (double)n,
           (t4 - t3) * 1e9 / (double)ndel, (t5 - t4) * 1e9 / (double)nfire, w1 - w0);
    if (a0 >= 0)
        printf(" allocs_add=%lld allocs_del=%lld allocs_fire=%lld frees_fire=%lld",
               a1 - a0, a2 - a1, a3 - a2, f3 - f2);
    (void)f0; (void)f1;
    printf(" lib=%s\n", bench_lib_of((void *)event_base_new));

    int bad = fired != nfire;
    if (bad)
        fprintf(stderr, "timers: %ld fired, expected %ld\n", fired, nfire);
    free(evs);
    free(tvs);
    free(own);
    free(commons);
    event_base_free(base);
    return bad ? 4 : 0;
}
