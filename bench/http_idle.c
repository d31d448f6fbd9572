/* http_idle: memory per idle keep-alive evhttp connection (bench/http_run.sh,
 * bench/README.md), before any request and after one (and two) requests.
 *
 * The server (this process) runs an evhttp on 127.0.0.1 answering 13 bytes;
 * a forked child (no libevent) opens -n connections, then sends one GET on
 * each and reads the replies, then a second one, and finally closes them.
 * After each phase the server runs its loop 300 ms more (every connection
 * accepted, every reply written) and takes the heap in use:
 *   before   connections accepted, nothing sent
 *   after1   one keep-alive request served on each, connections idle
 *   after2   a second one
 *   closed   all closed by the client (what stays behind)
 * Reported per connection against the heap before the connections.
 *
 * Default: glibc mallinfo2 (in-use bytes, mmapped chunks included, malloc's
 * own chunk overhead too), the figure to compare.  -c instead routes the
 * library's allocations through event_set_mem_functions and counts the
 * bytes it asked for, with a table of live blocks by size per connection
 * (what each phase added): the breakdown.  One line of key=value fields
 * (and with -c the table); exit 1 on any error.
 */
#include "bench_util.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>

static void die(const char *m) { fprintf(stderr, "http_idle: %s\n", m); exit(1); }

/* ---- counting allocator (-c) -------------------------------------------- */
#define HDR 16
#define MAXSZ 140000
static long live_bytes, live_blocks;
static long *hist;              /* live blocks by requested size; [MAXSZ] = larger */
static int counting;

static void account(size_t n, int d)
{
    live_bytes += d * (long)n;
    live_blocks += d;
    hist[n < MAXSZ ? n : MAXSZ] += d;
}
static void *c_malloc(size_t n)
{
    char *p = malloc(n + HDR);
    if (!p) return NULL;
    *(size_t *)p = n;
    account(n, 1);
    return p + HDR;
}
static void c_free(void *q)
{
    if (!q) return;
    char *p = (char *)q - HDR;
    account(*(size_t *)p, -1);
    free(p);
}
static void *c_realloc(void *q, size_t n)
{
    if (!q) return c_malloc(n);
    char *p = (char *)q - HDR;
    size_t old = *(size_t *)p;
    char *r = realloc(p, n + HDR);
    if (!r) return NULL;
    account(old, -1);
    *(size_t *)r = n;
    account(n, 1);
    return r + HDR;
}

/* ---- snapshots ------------------------------------------------------------ */
enum { S_BASE, S_BEFORE, S_AFTER1, S_AFTER2, S_CLOSED, S_N };
static const char *sname[S_N] = { "base", "before", "after1", "after2", "closed" };
static long snap[S_N];
static long *snaphist[S_N];

static long heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (long)(mi.uordblks + mi.hblkhd);
}
static void take(int s)
{
    if (counting) {
        snap[s] = live_bytes;
        snaphist[s] = malloc(sizeof(long) * (MAXSZ + 1));
        if (!snaphist[s]) die("out of memory");
        memcpy(snaphist[s], hist, sizeof(long) * (MAXSZ + 1));
    } else {
        malloc_trim(0);
        snap[s] = heap_in_use();
    }
}

/* ---- the client (child process, plain sockets) -------------------------- */
static void wait_go(int fd)
{
    char c;
    if (read(fd, &c, 1) != 1) _exit(2);
}
static void tell(int fd, char c)
{
    if (write(fd, &c, 1) != 1) _exit(2);
}
static void client(int port, int n, int rfd, int wfd)
{
    static const char req[] = "GET /small HTTP/1.1\r\nHost: x\r\n\r\n";
    int *s = malloc(sizeof(int) * (size_t)n);
    struct sockaddr_in sin;
    char buf[4096];
    if (!s) _exit(2);
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    sin.sin_addr.s_addr = htonl(0x7f000001);
    wait_go(rfd);
    for (int i = 0; i < n; i++) {
        s[i] = socket(AF_INET, SOCK_STREAM, 0);
        if (s[i] < 0 || connect(s[i], (struct sockaddr *)&sin, sizeof sin) != 0) _exit(3);
    }
    tell(wfd, 'c');
    for (int round = 0; round < 2; round++) {
        wait_go(rfd);
        for (int i = 0; i < n; i++)
            if (write(s[i], req, sizeof req - 1) != (ssize_t)(sizeof req - 1)) _exit(4);
        for (int i = 0; i < n; i++) {
            /* The reply ends with its 13-byte body. */
            size_t got = 0;
            for (;;) {
                ssize_t r = read(s[i], buf + got, sizeof buf - 1 - got);
                if (r <= 0) _exit(5);
                got += (size_t)r;
                buf[got] = 0;
                if (got >= 13 && !memcmp(buf + got - 13, "hello world!\n", 13)) break;
                if (got >= sizeof buf - 1) _exit(6);
            }
        }
        tell(wfd, 'r');
    }
    wait_go(rfd);
    for (int i = 0; i < n; i++) close(s[i]);
    tell(wfd, 'x');
    _exit(0);
}

/* ---- the server ------------------------------------------------------------ */
static struct event_base *base;
static int to_child, phase = S_BEFORE;
static long served;
static struct event *settle, *from_child;

static void reply_cb(struct evhttp_request *req, void *arg)
{
    (void)arg;
    evbuffer_add(evhttp_request_get_output_buffer(req), "hello world!\n", 13);
    evhttp_send_reply(req, 200, "OK", NULL);
    served++;
}

/* The child finished a phase: let the server settle, then measure. */
static void child_cb(evutil_socket_t fd, short w, void *arg)
{
    char c;
    struct timeval tv = { 0, 300000 };
    (void)w; (void)arg;
    if (read(fd, &c, 1) != 1) die("client failed");
    if (c == 'x') event_del(from_child);  /* its exit closes the pipe */
    event_add(settle, &tv);
}
static void settle_cb(evutil_socket_t fd, short w, void *arg)
{
    (void)fd; (void)w; (void)arg;
    take(phase);
    if (phase == S_CLOSED) {
        event_base_loopbreak(base);
        return;
    }
    phase++;
    tell(to_child, 'g');
}

int main(int argc, char **argv)
{
    int n = 1000, opt, p2c[2], c2p[2], status;
    const char *label = "?";
    struct evhttp *http;
    struct evhttp_bound_socket *bound;
    struct sockaddr_in sin;
    socklen_t len = sizeof sin;
    pid_t pid;
    while ((opt = getopt(argc, argv, "n:cl:")) != -1) {
        switch (opt) {
        case 'n': n = atoi(optarg); break;
        case 'c': counting = 1; break;
        case 'l': label = optarg; break;
        default: fprintf(stderr, "usage: http_idle [-n conns] [-c] [-l label]\n"); return 2;
        }
    }
    if (n < 1) die("-n must be positive");
    bench_raise_nofile();
    if (counting) {
        hist = calloc(MAXSZ + 1, sizeof(long));
        if (!hist) die("out of memory");
        event_set_mem_functions(c_malloc, c_realloc, c_free);
    }
    if (pipe(p2c) || pipe(c2p)) die("pipe");
    base = event_base_new();
    http = base ? evhttp_new(base) : NULL;
    bound = http ? evhttp_bind_socket_with_handle(http, "127.0.0.1", 0) : NULL;
    if (!bound) die("cannot set up the server");
    evhttp_set_gencb(http, reply_cb, NULL);
    getsockname(evhttp_bound_socket_get_fd(bound), (struct sockaddr *)&sin, &len);
    fflush(stdout);
    pid = fork();
    if (pid < 0) die("fork");
    if (pid == 0) {
        close(p2c[1]);
        close(c2p[0]);
        client(ntohs(sin.sin_port), n, p2c[0], c2p[1]);
    }
    close(p2c[0]);
    close(c2p[1]);
    to_child = p2c[1];
    from_child = event_new(base, c2p[0], EV_READ | EV_PERSIST, child_cb, NULL);
    settle = evtimer_new(base, settle_cb, NULL);
    if (!from_child || !settle) die("event_new");
    event_add(from_child, NULL);
    event_base_loop(base, EVLOOP_NONBLOCK);
    take(S_BASE);
    tell(to_child, 'g');
    event_base_dispatch(base);
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) die("client failed");
    if (served != 2L * n) die("not every request was served");

    printf("lib=%s label=%s n=%d measure=%s", bench_lib_of((void *)evhttp_new), label, n,
           counting ? "requested" : "heap");
    for (int s = S_BEFORE; s < S_N; s++)
        printf(" %s=%.1f", sname[s], (double)(snap[s] - snap[S_BASE]) / n);
    printf("\n");
    if (counting) {
        /* Live blocks per connection by size, for sizes whose count changed
         * by at least 1% of the connections in some phase. */
        printf("%8s", "size");
        for (int s = S_BEFORE; s < S_N; s++) printf(" %8s", sname[s]);
        printf("   (live blocks per connection, relative to base)\n");
        for (long z = 0; z <= MAXSZ; z++) {
            int show = 0;
            for (int s = S_BEFORE; s < S_N; s++)
                if (labs(snaphist[s][z] - snaphist[S_BASE][z]) * 100 >= n) show = 1;
            if (!show) continue;
            printf("%8ld", z);
            for (int s = S_BEFORE; s < S_N; s++)
                printf(" %8.2f", (double)(snaphist[s][z] - snaphist[S_BASE][z]) / n);
            printf("\n");
        }
    }
    event_free(from_child);
    event_free(settle);
    evhttp_free(http);
    event_base_free(base);
    return 0;
}
