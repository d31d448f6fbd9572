/* bev_echo: bufferevent echo benchmark (bench/bev_run.sh, bench/README.md).
 *
 * Both ends of every connection live in this process, on one event base: a
 * "client" bufferevent sends, a "server" bufferevent echoes what it reads
 * (bufferevent_write_buffer of its input), the client reads the echo.  So
 * every byte goes through the library four times (two writes, two reads).
 *
 * Transports (-t):
 *   sp    AF_UNIX socketpair per connection, bufferevent_socket_new on each end
 *   tcp   loopback TCP (127.0.0.1), TCP_NODELAY, one accepted socket per
 *         connection, bufferevent_socket_new on each end
 *   pair  bufferevent_pair_new (BEV_OPT_DEFER_CALLBACKS): no kernel at all
 *
 * Modes (-m):
 *   rt    ping-pong: each connection has one message of -s bytes (default 64)
 *         in flight; the client sends the next one when the echo is complete.
 *         -r round trips in all, shared by the -n connections.  Reports round
 *         trips per second (wall), CPU us per round trip and the latency of
 *         each message (send to complete echo, wall; mean, p50, p99).
 *   tput  streaming: each connection keeps up to -w bytes (default 64 KiB) in
 *         flight, written in -c byte chunks (default 16 KiB); -b MiB in all.
 *         Reports echoed bytes per second (wall) and CPU ns per byte.
 *   idle  memory: -n socket bufferevents (n/2 socketpairs, one on each end),
 *         callbacks set and EV_READ enabled, nothing sent.  Reports heap bytes
 *         per bufferevent (glibc mallinfo2: in-use bytes, including mmapped
 *         chunks), RSS growth per bufferevent, allocations per bufferevent
 *         (when bench/malloc_count.so is preloaded) and the heap left over
 *         after freeing them all.  The socketpairs exist before the baseline.
 *
 * -T calls evthread_use_pthreads() before the base is made and gives every
 * bufferevent BEV_OPT_THREADSAFE: the base, each bufferevent and its
 * evbuffers have locks, though one thread does all the work (the cost of the
 * locking alone).
 *
 * rt and tput first run a warm-up of a tenth of the work, then the measured
 * run inside bench_measured_phase() (for callgrind --toggle-collect).  -q
 * leaves out the per-message clock readings (for instruction counts).
 *
 * One output line of key=value fields; exit 1 on any error.
 */
#include "bench_util.h"

#include <errno.h>
#include <malloc.h>
#include <signal.h>
#include <stdint.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/thread.h>

enum transport { T_SP, T_TCP, T_PAIR };
enum mode { M_RT, M_TPUT, M_IDLE };

static struct {
    const char *label;
    enum transport t;
    enum mode m;
    int n;
    long long rts;
    long long bytes;
    size_t msg, chunk, window;
    int quiet;
    int threads;      /* -T */
} cfg = { "?", T_SP, M_RT, 1, 100000, 256LL << 20, 64, 16384, 65536, 0, 0 };

struct conn {
    struct bufferevent *cli, *srv;
    long long quota, count;   /* rt: round trips; tput: bytes */
    long long sent;           /* tput: bytes written by the client */
    double t_send;
    int done;
};

static struct event_base *base;
static struct conn *conns;
static int n_done;
static unsigned char *out_data;   /* what clients send (chunk or message) */
static unsigned char in_scratch[1 << 16];

/* Latency histogram: 8 buckets per power of two of nanoseconds. */
#define NBUCKETS (64 * 8)
static unsigned long long hist[NBUCKETS];
static double lat_sum;
static long long lat_n;

static int bucket_of(uint64_t ns)
{
    if (ns < 8)
        return (int)ns;
    int e = 63 - __builtin_clzll(ns);
    return e * 8 + (int)((ns >> (e - 3)) & 7);
}

static double bucket_mid(int b)
{
    if (b < 24)
        return b < 8 ? b : (double)((8 + (b & 7)) << ((b >> 3) - 3)) + 0.5;
    int e = b >> 3;
    double lo = (double)(8 + (b & 7)) * (double)(1ULL << (e - 3));
    return lo + (double)(1ULL << (e - 3)) / 2;
}

static double percentile(double p)
{
    unsigned long long total = 0, acc = 0;
    for (int i = 0; i < NBUCKETS; i++)
        total += hist[i];
    if (!total)
        return 0;
    unsigned long long want = (unsigned long long)(p * (double)total);
    if (want >= total)
        want = total - 1;
    for (int i = 0; i < NBUCKETS; i++) {
        acc += hist[i];
        if (acc > want)
            return bucket_mid(i);
    }
    return 0;
}

static void die(const char *what)
{
    fprintf(stderr, "bev_echo: %s\n", what);
    exit(1);
}

static void finish(struct conn *c)
{
    c->done = 1;
    if (++n_done == cfg.n)
        event_base_loopbreak(base);
}

static void send_msg(struct conn *c)
{
    if (!cfg.quiet)
        c->t_send = bench_wall_seconds();
    if (bufferevent_write(c->cli, out_data, cfg.msg) != 0)
        die("bufferevent_write failed");
}

static void top_up(struct conn *c)
{
    while (c->sent < c->quota && (size_t)(c->sent - c->count) < cfg.window) {
        size_t room = cfg.window - (size_t)(c->sent - c->count);
        size_t k = cfg.chunk;
        if (k > room)
            k = room;
        if ((long long)k > c->quota - c->sent)
            k = (size_t)(c->quota - c->sent);
        if (bufferevent_write(c->cli, out_data, k) != 0)
            die("bufferevent_write failed");
        c->sent += (long long)k;
    }
}

static void srv_read(struct bufferevent *bev, void *arg)
{
    (void)arg;
    if (bufferevent_write_buffer(bev, bufferevent_get_input(bev)) != 0)
        die("bufferevent_write_buffer failed");
}

static void cli_read_rt(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    while (evbuffer_get_length(in) >= cfg.msg) {
        if (evbuffer_remove(in, in_scratch, cfg.msg) != (int)cfg.msg || in_scratch[0] != out_data[0])
            die("short or wrong echo");
        if (!cfg.quiet) {
            double lat = bench_wall_seconds() - c->t_send;
            lat_sum += lat;
            lat_n++;
            hist[bucket_of((uint64_t)(lat * 1e9))]++;
        }
        if (++c->count < c->quota)
            send_msg(c);
        else
            finish(c);
    }
}

static void cli_read_tput(struct bufferevent *bev, void *arg)
{
    struct conn *c = arg;
    struct evbuffer *in = bufferevent_get_input(bev);
    size_t len = evbuffer_get_length(in);
    evbuffer_drain(in, len);
    c->count += (long long)len;
    if (c->count > c->sent)
        die("more echoed than sent");
    top_up(c);
    if (c->count == c->quota && !c->done)
        finish(c);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
    (void)bev; (void)arg;
    fprintf(stderr, "bev_echo: unexpected event 0x%x (%s)\n", what, strerror(errno));
    exit(1);
}

static void make_fds(int fds[2], int listener, struct sockaddr_in *sin)
{
    if (cfg.t == T_SP) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0)
            die("socketpair failed (RLIMIT_NOFILE?)");
    } else {
        fds[0] = socket(AF_INET, SOCK_STREAM, 0);
        if (fds[0] < 0 || connect(fds[0], (struct sockaddr *)sin, sizeof *sin) != 0)
            die("connect to the loopback listener failed");
        fds[1] = accept(listener, NULL, NULL);
        if (fds[1] < 0)
            die("accept failed");
        int one = 1;
        setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    }
    evutil_make_socket_nonblocking(fds[0]);
    evutil_make_socket_nonblocking(fds[1]);
}

static void setup_conns(void)
{
    int listener = -1;
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    if (cfg.t == T_TCP) {
        socklen_t sl = sizeof sin;
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        listener = socket(AF_INET, SOCK_STREAM, 0);
        if (listener < 0 || bind(listener, (struct sockaddr *)&sin, sizeof sin) != 0 || listen(listener, 128) != 0 ||
            getsockname(listener, (struct sockaddr *)&sin, &sl) != 0)
            die("cannot listen on 127.0.0.1");
    }
    conns = calloc((size_t)cfg.n, sizeof *conns);
    if (!conns)
        die("out of memory");
    int bev_opts = cfg.threads ? BEV_OPT_THREADSAFE : 0;
    for (int i = 0; i < cfg.n; i++) {
        struct conn *c = &conns[i];
        if (cfg.t == T_PAIR) {
            struct bufferevent *p[2];
            if (bufferevent_pair_new(base, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS | bev_opts, p) != 0)
                die("bufferevent_pair_new failed");
            c->cli = p[0];
            c->srv = p[1];
        } else {
            int fds[2];
            make_fds(fds, listener, &sin);
            c->cli = bufferevent_socket_new(base, fds[0], BEV_OPT_CLOSE_ON_FREE | bev_opts);
            c->srv = bufferevent_socket_new(base, fds[1], BEV_OPT_CLOSE_ON_FREE | bev_opts);
            if (!c->cli || !c->srv)
                die("bufferevent_socket_new failed");
        }
        bufferevent_setcb(c->cli, cfg.m == M_RT ? cli_read_rt : cli_read_tput, NULL, event_cb, c);
        bufferevent_setcb(c->srv, srv_read, NULL, event_cb, c);
        if (bufferevent_enable(c->cli, EV_READ | EV_WRITE) != 0 || bufferevent_enable(c->srv, EV_READ | EV_WRITE) != 0)
            die("bufferevent_enable failed");
    }
    if (listener >= 0)
        close(listener);
}

/* One run: every connection does `total / n` (at least 1) units of work. */
static void run(long long total)
{
    long long per = total / cfg.n;
    if (per < 1)
        per = 1;
    n_done = 0;
    for (int i = 0; i < cfg.n; i++) {
        struct conn *c = &conns[i];
        c->quota = per;
        c->count = c->sent = 0;
        c->done = 0;
    }
    for (int i = 0; i < cfg.n; i++) {
        if (cfg.m == M_RT)
            send_msg(&conns[i]);
        else
            top_up(&conns[i]);
    }
    if (event_base_dispatch(base) < 0)
        die("event_base_dispatch failed");
    if (n_done != cfg.n)
        die("the loop ended before every connection was done");
}

__attribute__((noinline)) void bench_measured_phase(long long total)
{
    run(total);
    __asm__ volatile("" ::: "memory");
}

static long heap_in_use(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (long)(mi.uordblks + mi.hblkhd);
}

static long rss_bytes(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f) {
        if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
            rss = 0;
        fclose(f);
    }
    return rss * sysconf(_SC_PAGESIZE);
}

static void idle_cb(struct bufferevent *bev, void *arg) { (void)bev; (void)arg; die("idle bufferevent became readable"); }

static void idle_mode(void)
{
    int npairs = cfg.n / 2;
    int *fds = malloc(sizeof(int) * 2 * (size_t)npairs);
    struct bufferevent **bevs = malloc(sizeof *bevs * 2 * (size_t)npairs);
    if (!fds || !bevs)
        die("out of memory");
    for (int i = 0; i < npairs; i++)
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, fds + 2 * i) != 0)
            die("socketpair failed (RLIMIT_NOFILE?)");
    /* Warm-up: whatever the library sets up once (epoll, first bufferevent). */
    for (int round = 0; round < 2; round++) {
        int k = npairs < 50 ? npairs : 50;
        for (int i = 0; i < 2 * k; i++) {
            bevs[i] = bufferevent_socket_new(base, fds[i], 0);
            if (!bevs[i])
                die("bufferevent_socket_new failed");
            bufferevent_setcb(bevs[i], idle_cb, NULL, event_cb, NULL);
            bufferevent_enable(bevs[i], EV_READ);
        }
        event_base_loop(base, EVLOOP_NONBLOCK);
        for (int i = 0; i < 2 * k; i++)
            bufferevent_free(bevs[i]);
        event_base_loop(base, EVLOOP_NONBLOCK);
    }
    malloc_trim(0);
    long h0 = heap_in_use(), r0 = rss_bytes();
    long long a0 = bench_allocs(NULL);
    for (int i = 0; i < 2 * npairs; i++) {
        bevs[i] = bufferevent_socket_new(base, fds[i], BEV_OPT_CLOSE_ON_FREE);
        if (!bevs[i])
            die("bufferevent_socket_new failed");
        bufferevent_setcb(bevs[i], idle_cb, NULL, event_cb, NULL);
        if (bufferevent_enable(bevs[i], EV_READ) != 0)
            die("bufferevent_enable failed");
    }
    event_base_loop(base, EVLOOP_NONBLOCK);
    long h1 = heap_in_use(), r1 = rss_bytes();
    long long a1 = bench_allocs(NULL);
    for (int i = 0; i < 2 * npairs; i++)
        bufferevent_free(bevs[i]);
    event_base_loop(base, EVLOOP_NONBLOCK);
    long h2 = heap_in_use();
    double nb = 2.0 * npairs;
    printf("lib=%s method=%s transport=sp mode=idle n=%d heap_per_bev=%.1f rss_per_bev=%.1f",
           bench_lib_of((void *)bufferevent_socket_new), event_base_get_method(base), 2 * npairs,
           (double)(h1 - h0) / nb, (double)(r1 - r0) / nb);
    if (a0 >= 0)
        printf(" allocs_per_bev=%.2f", (double)(a1 - a0) / nb);
    printf(" heap_left_after_free=%ld\n", h2 - h0);
    free(bevs);
    free(fds);
}

static const char *tname(void) { return cfg.t == T_SP ? "sp" : cfg.t == T_TCP ? "tcp" : "pair"; }

int main(int argc, char **argv)
{
    int opt;
    while ((opt = getopt(argc, argv, "l:t:m:n:r:b:s:c:w:qT")) != -1) {
        switch (opt) {
        case 'l': cfg.label = optarg; break;
        case 't': cfg.t = !strcmp(optarg, "tcp") ? T_TCP : !strcmp(optarg, "pair") ? T_PAIR : T_SP; break;
        case 'm': cfg.m = !strcmp(optarg, "tput") ? M_TPUT : !strcmp(optarg, "idle") ? M_IDLE : M_RT; break;
        case 'n': cfg.n = atoi(optarg); break;
        case 'r': cfg.rts = atoll(optarg); break;
        case 'b': cfg.bytes = (long long)(atof(optarg) * 1048576.0); break;
        case 's': cfg.msg = (size_t)atol(optarg); break;
        case 'c': cfg.chunk = (size_t)atol(optarg); break;
        case 'w': cfg.window = (size_t)atol(optarg); break;
        case 'q': cfg.quiet = 1; break;
        case 'T': cfg.threads = 1; break;
        default:
            fprintf(stderr, "usage: bev_echo [-l label] [-t sp|tcp|pair] [-m rt|tput|idle] [-n conns]\n"
                            "                [-r round_trips] [-b MiB] [-s msg] [-c chunk] [-w window] [-q] [-T]\n");
            return 2;
        }
    }
    if (cfg.n < 1 || cfg.msg < 1 || cfg.msg > sizeof in_scratch || cfg.chunk < 1 || cfg.window < cfg.chunk)
        die("bad arguments");
    bench_raise_nofile();
    signal(SIGPIPE, SIG_IGN);
    if (cfg.threads && evthread_use_pthreads() != 0)
        die("evthread_use_pthreads failed");
    base = event_base_new();
    if (!base)
        die("event_base_new failed");

    if (cfg.m == M_IDLE) {
        if (cfg.n < 2)
            die("idle needs -n >= 2");
        idle_mode();
        event_base_free(base);
        return 0;
    }

    size_t sz = cfg.m == M_RT ? cfg.msg : cfg.chunk;
    out_data = malloc(sz);
    if (!out_data)
        die("out of memory");
    for (size_t i = 0; i < sz; i++)
        out_data[i] = (unsigned char)(i * 131 + 7);
    setup_conns();

    long long total = cfg.m == M_RT ? cfg.rts : cfg.bytes;
    run(total / 10 > cfg.n ? total / 10 : cfg.n);   /* warm-up */
    memset(hist, 0, sizeof hist);
    lat_sum = 0;
    lat_n = 0;

    long long a0 = bench_allocs(NULL);
    double w0 = bench_wall_seconds(), c0 = bench_cpu_seconds();
    bench_measured_phase(total);
    double w1 = bench_wall_seconds(), c1 = bench_cpu_seconds();
    long long a1 = bench_allocs(NULL);

    long long per = total / cfg.n < 1 ? 1 : total / cfg.n;
    long long done = per * cfg.n;   /* round trips or bytes actually done */
    double wall = w1 - w0, cpu = c1 - c0;
    printf("lib=%s method=%s transport=%s mode=%s n=%d threads=%d wall_s=%.4f cpu_s=%.4f",
           bench_lib_of((void *)bufferevent_socket_new), event_base_get_method(base), tname(),
           cfg.m == M_RT ? "rt" : "tput", cfg.n, cfg.threads, wall, cpu);
    if (cfg.m == M_RT) {
        printf(" rts=%lld msg=%zu rt_per_s=%.0f cpu_us_per_rt=%.3f", done, cfg.msg, (double)done / wall,
               cpu * 1e6 / (double)done);
        if (!cfg.quiet)
            printf(" lat_us_mean=%.2f lat_us_p50=%.2f lat_us_p99=%.2f", lat_sum / (double)(lat_n ? lat_n : 1) * 1e6,
                   percentile(0.50) / 1e3, percentile(0.99) / 1e3);
    } else {
        printf(" bytes=%lld chunk=%zu window=%zu mb_per_s=%.1f cpu_ns_per_byte=%.4f", done, cfg.chunk, cfg.window,
               (double)done / wall / 1e6, cpu * 1e9 / (double)done);
    }
    if (a0 >= 0)
        printf(" allocs_per_unit=%.4f", (double)(a1 - a0) / (double)done);
    printf("\n");

    for (int i = 0; i < cfg.n; i++) {
        bufferevent_free(conns[i].cli);
        bufferevent_free(conns[i].srv);
    }
    free(conns);
    free(out_data);
    event_base_free(base);
    return 0;
}
