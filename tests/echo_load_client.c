/* echo_load_client: the load generator of tests/echo_load.sh (plain epoll, no
 * libevent).
 *
 *   echo_load_client PORT [CONNECTIONS [SECONDS]]
 *
 * 1. Opens CONNECTIONS (default 10000) TCP connections to 127.0.0.1:PORT, at
 *    most 256 connects in flight at a time (the listen queue stays short, so
 *    no SYN is dropped and retried a second later), and keeps every one open.
 * 2. Sends on each its own payload (2048 to 6143 bytes, from a generator
 *    seeded by the connection's number, so no two are alike) and reads the
 *    echo back; every byte is compared with what was sent, and a connection
 *    may not receive more than it sent.
 * 3. Once every connection has its whole payload back, closes them all.
 * Everything must finish within SECONDS (default 60).
 *
 * Prints one summary line and exits 0 on success; on failure prints what went
 * wrong (first few bad connections, counts) and exits 1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>

enum { CONNECTING, OPEN };

struct conn {
    int fd;
    int state;
    unsigned char *payload;
    size_t len, sent, received;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void fill(unsigned char *p, size_t n, uint32_t seed)
{
    uint64_t x = 0x9e3779b97f4a7c15ULL * (seed + 1);
    for (size_t i = 0; i < n; i++) {
        x ^= x << 13; x ^= x >> 7; x ^= x << 17;
        p[i] = (unsigned char)(x >> 24);
    }
    /* A readable tag up front makes a mixed-up stream easy to spot. */
    snprintf((char *)p, n, "conn %u:", seed);
}

static int failures;
static void bad(int i, const char *fmt, const char *detail)
{
    if (failures++ < 10)
        fprintf(stderr, "echo_load_client: connection %d: %s%s\n", i, fmt, detail ? detail : "");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: echo_load_client PORT [CONNECTIONS [SECONDS]]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    int n = argc > 2 ? atoi(argv[2]) : 10000;
    double limit = argc > 3 ? atof(argv[3]) : 60;
    const int inflight_max = 256;

    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)n + 16) {
        fprintf(stderr, "echo_load_client: RLIMIT_NOFILE %llu is too low for %d connections\n",
                (unsigned long long)rl.rlim_cur, n);
        return 1;
    }

    struct conn *c = calloc((size_t)n, sizeof *c);
    int ep = epoll_create1(EPOLL_CLOEXEC);
    struct epoll_event *evs = calloc(1024, sizeof *evs);
    if (!c || ep < 0 || !evs) {
        perror("echo_load_client: setup");
        return 1;
    }
    unsigned long long total = 0;
    for (int i = 0; i < n; i++) {
        c[i].fd = -1;
        c[i].len = 2048 + (size_t)((i * 2654435761u) % 4096);
        c[i].payload = malloc(c[i].len);
        if (!c[i].payload) {
            perror("malloc");
            return 1;
        }
        fill(c[i].payload, c[i].len, (uint32_t)i);
        total += c[i].len;
    }

    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((uint16_t)port);
    sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);

    double t0 = now(), deadline = t0 + limit;

    /* ---- phase 1: connect everything, keep it open */
    int next = 0, inflight = 0, open_count = 0;
    while (open_count < n) {
        while (next < n && inflight < inflight_max) {
            int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            if (fd < 0) {
                fprintf(stderr, "echo_load_client: socket #%d: %s\n", next, strerror(errno));
                return 1;
            }
            c[next].fd = fd;
            int r = connect(fd, (struct sockaddr *)&sin, sizeof sin);
            if (r != 0 && errno != EINPROGRESS) {
                fprintf(stderr, "echo_load_client: connect #%d: %s (after %d open)\n", next, strerror(errno), open_count);
                return 1;
            }
            struct epoll_event ev = { .events = EPOLLOUT, .data.u32 = (uint32_t)next };
            if (epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
                perror("epoll_ctl");
                return 1;
            }
            c[next].state = CONNECTING;
            inflight++;
            next++;
        }
        int k = epoll_wait(ep, evs, 1024, 200);
        if (k < 0 && errno != EINTR) {
            perror("epoll_wait");
            return 1;
        }
        for (int j = 0; j < k; j++) {
            int i = (int)evs[j].data.u32;
            int err = 0;
            socklen_t el = sizeof err;
            getsockopt(c[i].fd, SOL_SOCKET, SO_ERROR, &err, &el);
            if (err) {
                fprintf(stderr, "echo_load_client: connect #%d failed: %s (after %d open)\n", i, strerror(err), open_count);
                return 1;
            }
            struct epoll_event ev = { .events = 0, .data.u32 = (uint32_t)i };
            epoll_ctl(ep, EPOLL_CTL_MOD, c[i].fd, &ev);
            c[i].state = OPEN;
            inflight--;
            open_count++;
        }
        if (now() > deadline) {
            fprintf(stderr, "echo_load_client: only %d of %d connections open after %.0f s\n", open_count, n, limit);
            return 1;
        }
    }
    double t1 = now();

    /* ---- phase 2: send every payload, read every echo */
    for (int i = 0; i < n; i++) {
        struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT, .data.u32 = (uint32_t)i };
        epoll_ctl(ep, EPOLL_CTL_MOD, c[i].fd, &ev);
    }
    int done = 0;
    unsigned char buf[65536];
    while (done < n) {
        int k = epoll_wait(ep, evs, 1024, 200);
        if (k < 0 && errno != EINTR) {
            perror("epoll_wait");
            return 1;
        }
        for (int j = 0; j < k; j++) {
            int i = (int)evs[j].data.u32;
            struct conn *x = &c[i];
            if ((evs[j].events & EPOLLOUT) && x->sent < x->len) {
                ssize_t w = write(x->fd, x->payload + x->sent, x->len - x->sent);
                if (w > 0) {
                    x->sent += (size_t)w;
                } else if (w < 0 && errno != EAGAIN) {
                    bad(i, "write: ", strerror(errno));
                    return 1;
                }
                if (x->sent == x->len) {
                    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = (uint32_t)i };
                    epoll_ctl(ep, EPOLL_CTL_MOD, x->fd, &ev);
                }
            }
            if (evs[j].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
                ssize_t r = read(x->fd, buf, sizeof buf);
                if (r < 0 && errno == EAGAIN)
                    continue;
                if (r < 0) {
                    bad(i, "read: ", strerror(errno));
                    return 1;
                }
                if (r == 0) {
                    char d[96];
                    snprintf(d, sizeof d, "%zu of %zu bytes back", x->received, x->len);
                    bad(i, "closed by the server with ", d);
                    return 1;
                }
                if (x->received + (size_t)r > x->sent) {
                    char d[96];
                    snprintf(d, sizeof d, "%zu bytes back after sending %zu", x->received + (size_t)r, x->sent);
                    bad(i, "more data than sent: ", d);
                    return 1;
                }
                if (memcmp(buf, x->payload + x->received, (size_t)r) != 0) {
                    size_t off = 0;
                    while (buf[off] == x->payload[x->received + off])
                        off++;
                    char d[96];
                    snprintf(d, sizeof d, "byte %zu differs (got 0x%02x, sent 0x%02x)", x->received + off, buf[off],
                             x->payload[x->received + off]);
                    bad(i, "", d);
                    return 1;
                }
                x->received += (size_t)r;
                if (x->received == x->len)
                    done++;
            }
        }
        if (now() > deadline) {
            int partial = 0, silent = 0;
            for (int i = 0; i < n; i++) {
                if (c[i].received == c[i].len)
                    continue;
                if (c[i].received)
                    partial++;
                else
                    silent++;
                if (partial + silent <= 5)
                    fprintf(stderr, "echo_load_client: connection %d: sent %zu of %zu, got %zu back\n", i, c[i].sent,
                            c[i].len, c[i].received);
            }
            fprintf(stderr, "echo_load_client: after %.0f s only %d of %d echoes complete (%d partial, %d nothing back)\n",
                    limit, done, n, partial, silent);
            return 1;
        }
    }
    double t2 = now();

    /* ---- phase 3: close everything */
    for (int i = 0; i < n; i++) {
        close(c[i].fd);
        free(c[i].payload);
    }
    close(ep);
    free(c);
    free(evs);
    printf("client: %d connections open at once, %llu bytes echoed and verified; connect %.2f s, echo %.2f s\n",
           n, total, t1 - t0, t2 - t1);
    return failures ? 1 : 0;
}
