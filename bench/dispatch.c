/* dispatch: cost of dispatching one I/O event through libevent.
 *
 * N fd pairs (pipes by default, AF_UNIX socketpairs with -s) each carry a
 * read event on their read end.  A one-byte tokens are dropped into A pairs
 * spread evenly over the N; whenever a pair's read callback
 * fires it consumes one byte and, while the write budget W lasts, passes a
 * byte on to the next pair (index + 1, wrapping).  So at any moment about A
 * pairs are readable and N - A sit idle, and a run dispatches A + W read
 * events.  We report CPU time per dispatched event.
 *
 * Variants (-v):
 *   plain    EV_READ|EV_PERSIST, no timeout, added once.
 *   timeout  EV_READ|EV_PERSIST with a 10 s timeout; every callback calls
 *            event_add() again with the timeval (re-arms the timer each time).
 *   oneshot  EV_READ without EV_PERSIST; every callback re-adds it with the
 *            10 s timeout (exercises the backend add/delete path).
 * The timeout never expires during a run; if one does, it is reported.
 *
 * The backend is chosen the libevent way: EVENT_NOEPOLL / EVENT_NOPOLL /
 * EVENT_NOSELECT in the environment.  The method actually used is printed.
 *
 * -T calls evthread_use_pthreads() before the base is made, so the base has
 * its lock (taken and released around every callback and the backend wait)
 * and its wake-up channel, though only one thread ever uses it: the cost of
 * locking alone.
 *
 * A warm-up run of W/10 writes precedes the measured run so the measured one
 * sees the steady state (backend arrays grown, caches warm).  The measured
 * run is the function bench_measured_phase(), which callgrind can isolate
 * with --toggle-collect=bench_measured_phase.
 */
#include "bench_util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/thread.h>

enum variant { V_PLAIN, V_TIMEOUT, V_ONESHOT };

struct pair {
    int rfd;            /* read side: the event watches this one */
    int wfd;            /* write side: the previous pair writes here */
    struct event ev;
};

static struct event_base *base;
static struct pair *pairs;
static int npairs, nactive;
static enum variant variant = V_PLAIN;
static struct timeval rearm_tv = { 10, 0 };

static long writes_left;    /* budget of the current run */
static long fired;          /* read events handled in the current run */
static long target;         /* fired count at which the run ends */
static long timeouts_seen;
static long short_reads;

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    struct pair *p = arg;

    if (what & EV_TIMEOUT)
        timeouts_seen++;
    if (what & EV_READ) {
        char byte;
        if (read(fd, &byte, 1) == 1) {
            fired++;
            if (writes_left > 0) {
                long idx = (p - pairs) + 1;
                if (idx == npairs)
                    idx = 0;
                writes_left--;
                if (write(pairs[idx].wfd, "t", 1) != 1) {
                    perror("write");
                    exit(2);
                }
            }
        } else {
            short_reads++;
        }
    }
    if (variant != V_PLAIN)
        event_add(&p->ev, &rearm_tv);
    if (fired == target)
        event_base_loopbreak(base);
}

/* One run: drop A tokens, dispatch until W writes are done and every byte
 * has been read back. */
static void run_chain(long writes)
{
    fired = 0;
    writes_left = writes;
    target = nactive + writes;
    for (int i = 0; i < nactive; i++) {
        int idx = (int)((long)i * npairs / nactive);
        if (write(pairs[idx].wfd, "t", 1) != 1) {
            perror("write");
            exit(2);
        }
    }
    while (fired < target) {
        if (event_base_loop(base, 0) < 0) {
            fprintf(stderr, "event_base_loop failed\n");
            exit(2);
        }
        if (fired < target && !event_base_got_break(base)) {
            fprintf(stderr, "loop exited with %ld of %ld events\n", fired, target);
            exit(2);
        }
    }
}

static long measured_writes;
static int use_socketpairs;   /* -s: AF_UNIX socketpairs instead of pipes */
static int use_threads;       /* -T: evthread_use_pthreads() first */

__attribute__((noinline)) void bench_measured_phase(void)
{
    run_chain(measured_writes);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "dispatch: watchdog expired (lost events?)\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing to do */ }
    _exit(3);
}

static void usage(void)
{
    fprintf(stderr,
            "usage: dispatch [-n pairs] [-a active] [-w writes] [-v plain|timeout|oneshot] [-s] [-T] [-l label]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    const char *label = "libevent";
    int opt;

    npairs = 100;
    nactive = 100;
    measured_writes = 100000;
    while ((opt = getopt(argc, argv, "n:a:w:v:l:sT")) != -1) {
        switch (opt) {
        case 's': use_socketpairs = 1; break;
        case 'T': use_threads = 1; break;
        case 'n': npairs = atoi(optarg); break;
        case 'a': nactive = atoi(optarg); break;
        case 'w': measured_writes = atol(optarg); break;
        case 'l': label = optarg; break;
        case 'v':
            if (!strcmp(optarg, "plain")) variant = V_PLAIN;
            else if (!strcmp(optarg, "timeout")) variant = V_TIMEOUT;
            else if (!strcmp(optarg, "oneshot")) variant = V_ONESHOT;
            else usage();
            break;
        default: usage();
        }
    }
    if (npairs < 1 || nactive < 1 || nactive > npairs || measured_writes < 0)
        usage();

    bench_raise_nofile();
    signal(SIGALRM, on_alarm);
    alarm(300);

    if (use_threads && evthread_use_pthreads() != 0) {
        fprintf(stderr, "evthread_use_pthreads failed\n");
        return 2;
    }
    base = event_base_new();
    if (!base) {
        fprintf(stderr, "event_base_new failed\n");
        return 2;
    }

    pairs = calloc((size_t)npairs, sizeof *pairs);
    if (!pairs) {
        perror("calloc");
        return 2;
    }
    short flags = EV_READ | (variant == V_ONESHOT ? 0 : EV_PERSIST);
    for (int i = 0; i < npairs; i++) {
        int sv[2];
        if ((use_socketpairs ? socketpair(AF_UNIX, SOCK_STREAM, 0, sv) : pipe(sv)) < 0) {
            fprintf(stderr, "pair #%d: %s\n", i, strerror(errno));
            return 2;
        }
        pairs[i].rfd = sv[0];
        pairs[i].wfd = sv[1];
        if (event_assign(&pairs[i].ev, base, sv[0], flags, on_read, &pairs[i]) < 0) {
            fprintf(stderr, "event_assign failed\n");
            return 2;
        }
        if (event_add(&pairs[i].ev, variant == V_PLAIN ? NULL : &rearm_tv) < 0) {
            fprintf(stderr, "event_add failed on fd %d\n", sv[0]);
            return 2;
        }
    }

    /* Warm-up: same workload, a tenth of the length. */
    run_chain(measured_writes / 10 > 1000 ? measured_writes / 10 : 1000);

    long long frees0, frees1;
    long long allocs0 = bench_allocs(&frees0);
    double cpu0 = bench_cpu_seconds();
    double wall0 = bench_wall_seconds();
    bench_measured_phase();
    double wall1 = bench_wall_seconds();
    double cpu1 = bench_cpu_seconds();
    long long allocs1 = bench_allocs(&frees1);

    const char *vname = variant == V_PLAIN ? "plain" : variant == V_TIMEOUT ? "timeout" : "oneshot";
    double cpu = cpu1 - cpu0;
    printf("dispatch impl=%s method=%s n=%d a=%d w=%ld variant=%s fds=%s events=%ld "
           "threads=%d cpu_s=%.6f wall_s=%.6f us_per_event=%.4f events_per_s=%.0f",
           label, event_base_get_method(base), npairs, nactive, measured_writes, vname,
           use_socketpairs ? "socketpair" : "pipe",
           fired, use_threads, cpu, wall1 - wall0, cpu * 1e6 / (double)fired, (double)fired / cpu);
    if (allocs0 >= 0)
        printf(" allocs=%lld frees=%lld allocs_per_event=%.6f",
               allocs1 - allocs0, frees1 - frees0,
               (double)(allocs1 - allocs0) / (double)fired);
    printf(" timeouts=%ld short_reads=%ld lib=%s\n", timeouts_seen, short_reads,
           bench_lib_of((void *)event_base_new));

    for (int i = 0; i < npairs; i++) {
        event_del(&pairs[i].ev);
        close(pairs[i].rfd);
        close(pairs[i].wfd);
    }
    free(pairs);
    event_base_free(base);
    return timeouts_seen || short_reads ? 4 : 0;
}
