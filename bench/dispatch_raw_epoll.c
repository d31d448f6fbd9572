/* dispatch_raw_epoll: the dispatch workload (see dispatch.c) written straight
 * on epoll, without libevent.  It is the floor: the same syscalls per event
 * (epoll_wait amortised over the ready set, one read, one write) and as
 * little user-space work as we can manage around them.
 *
 * Level-triggered, registered once, like libevent's epoll backend with
 * persistent events.  Same options and output format as dispatch
 * (only -v plain exists here).
 */
#include "bench_util.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

struct pair {
    int rfd;
    int wfd;
};

static int epfd;
static struct pair *pairs;
static int npairs, nactive;
static long writes_left, fired, target, short_reads;
static long measured_writes;
static int use_socketpairs;   /* -s: AF_UNIX socketpairs instead of pipes */

#define MAX_READY 1024
static struct epoll_event ready[MAX_READY];

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
        int n = epoll_wait(epfd, ready, MAX_READY, -1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            perror("epoll_wait");
            exit(2);
        }
        for (int k = 0; k < n; k++) {
            uint32_t idx = ready[k].data.u32;
            char byte;
            if (read(pairs[idx].rfd, &byte, 1) != 1) {
                short_reads++;
                continue;
            }
            fired++;
            if (writes_left > 0) {
                uint32_t next = idx + 1 == (uint32_t)npairs ? 0 : idx + 1;
                writes_left--;
                if (write(pairs[next].wfd, "t", 1) != 1) {
                    perror("write");
                    exit(2);
                }
            }
        }
    }
}

__attribute__((noinline)) void bench_measured_phase(void)
{
    run_chain(measured_writes);
}

static void on_alarm(int sig)
{
    (void)sig;
    static const char msg[] = "dispatch_raw_epoll: watchdog expired\n";
    if (write(2, msg, sizeof msg - 1) < 0) { /* nothing to do */ }
    _exit(3);
}

static void usage(void)
{
    fprintf(stderr, "usage: dispatch_raw_epoll [-n pairs] [-a active] [-w writes] [-v plain] [-s]\n");
    exit(1);
}

int main(int argc, char **argv)
{
    int opt;

    npairs = 100;
    nactive = 100;
    measured_writes = 100000;
    while ((opt = getopt(argc, argv, "n:a:w:v:l:s")) != -1) {
        switch (opt) {
        case 's': use_socketpairs = 1; break;
        case 'n': npairs = atoi(optarg); break;
        case 'a': nactive = atoi(optarg); break;
        case 'w': measured_writes = atol(optarg); break;
        case 'l': break;
        case 'v': if (strcmp(optarg, "plain")) usage(); break;
        default: usage();
        }
    }
    if (npairs < 1 || nactive < 1 || nactive > npairs || measured_writes < 0)
        usage();

    bench_raise_nofile();
    signal(SIGALRM, on_alarm);
    alarm(300);

    epfd = epoll_create1(EPOLL_CLOEXEC);
    if (epfd < 0) {
        perror("epoll_create1");
        return 2;
    }
    pairs = calloc((size_t)npairs, sizeof *pairs);
    if (!pairs) {
        perror("calloc");
        return 2;
    }
    for (int i = 0; i < npairs; i++) {
        int sv[2];
        if ((use_socketpairs ? socketpair(AF_UNIX, SOCK_STREAM, 0, sv) : pipe(sv)) < 0) {
            fprintf(stderr, "pair #%d: %s\n", i, strerror(errno));
            return 2;
        }
        pairs[i].rfd = sv[0];
        pairs[i].wfd = sv[1];
        struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
        if (epoll_ctl(epfd, EPOLL_CTL_ADD, sv[0], &ev) < 0) {
            perror("epoll_ctl");
            return 2;
        }
    }

    run_chain(measured_writes / 10 > 1000 ? measured_writes / 10 : 1000);

    long long frees0, frees1;
    long long allocs0 = bench_allocs(&frees0);
    double cpu0 = bench_cpu_seconds();
    double wall0 = bench_wall_seconds();
    bench_measured_phase();
    double wall1 = bench_wall_seconds();
    double cpu1 = bench_cpu_seconds();
    long long allocs1 = bench_allocs(&frees1);

    double cpu = cpu1 - cpu0;
    printf("dispatch impl=raw method=raw-epoll n=%d a=%d w=%ld variant=plain fds=%s events=%ld "
           "cpu_s=%.6f wall_s=%.6f us_per_event=%.4f events_per_s=%.0f",
           npairs, nactive, measured_writes, use_socketpairs ? "socketpair" : "pipe", fired, cpu, wall1 - wall0,
           cpu * 1e6 / (double)fired, (double)fired / cpu);
    if (allocs0 >= 0)
        printf(" allocs=%lld frees=%lld allocs_per_event=%.6f",
               allocs1 - allocs0, frees1 - frees0,
               (double)(allocs1 - allocs0) / (double)fired);
    printf(" timeouts=0 short_reads=%ld lib=none\n", short_reads);

    for (int i = 0; i < npairs; i++) {
        close(pairs[i].rfd);
        close(pairs[i].wfd);
    }
    free(pairs);
    close(epfd);
    return short_reads ? 4 : 0;
}
