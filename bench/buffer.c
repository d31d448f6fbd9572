/* buffer: evbuffer throughput, one workload per run (-t NAME, -n OPS).
 *
 *   small     add 16 bytes, drain 16 bytes, with a 4 KiB backlog in the
 *             buffer (data flows through the chains)
 *   small0    add 16 bytes, drain 16 bytes, on an empty buffer
 *   large     add 64 KiB, drain 64 KiB
 *   readln    evbuffer_readln(EVBUFFER_EOL_CRLF) + free over a buffer of
 *             short header-like CRLF lines (one op = one line)
 *   search    evbuffer_search for "\r\n\r\n" at the end of 256 KiB of
 *             CRLF lines spread over 64 chains (one op = one search)
 *   addbuf    evbuffer_add_buffer moving 16 chains back and forth between
 *             two buffers (one op = one move)
 *   sockpair  64 KiB added, evbuffer_write into an AF_UNIX socketpair,
 *             evbuffer_read (as much as the library reads per call) on the
 *             other end, drained (one op = one 64 KiB round trip)
 *   printf    evbuffer_add_printf of a short formatted line, drained every
 *             1000 lines (one op = one printf)
 *   sockpair64  sockpair, with evbuffer_set_max_read(65536) on the reading
 *             buffer where the library has it (libevent 2.2's call, ours);
 *             libevent 2.1 lacks it and reads 4096 bytes per call as before
 *
 * Prints one line: test= ops= cpu_s= ns_per_op= mb_per_s= allocs= allocs_per_op= lib=
 * The measured loop is bench_phase_buffer(), which callgrind collects alone.
 */
#include "bench_util.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/event.h>

/* libevent 2.2's evbuffer_set_max_read, when the library has it. */
extern int evbuffer_set_max_read(struct evbuffer *, size_t) __attribute__((weak));

static const char *test = "small";
static int max_read_set;
static long ops = 1000000;
static struct evbuffer *b1, *b2;
static int sv[2];
static char *data;
static long bytes_per_op;
static volatile size_t sink;

static void die(const char *what)
{
    fprintf(stderr, "buffer bench: %s failed\n", what);
    exit(2);
}

static void fill_lines(struct evbuffer *b, long lines)
{
    static const char *names[] = {"Host", "Accept", "User-Agent", "Cookie", "X-Request-Id", "Connection"};
    for (long i = 0; i < lines; i++)
        evbuffer_add_printf(b, "%s: value-%ld\r\n", names[i % 6], i);
}

static void setup(void)
{
    b1 = evbuffer_new();
    b2 = evbuffer_new();
    data = malloc(1 << 20);
    for (int i = 0; i < (1 << 20); i++)
        data[i] = 'a' + i % 23;
    if (!strcmp(test, "small")) {
        bytes_per_op = 16;
        evbuffer_add(b1, data, 4096);
    } else if (!strcmp(test, "small0")) {
        bytes_per_op = 16;
    } else if (!strcmp(test, "large")) {
        bytes_per_op = 65536;
    } else if (!strcmp(test, "readln")) {
        fill_lines(b1, ops);
    } else if (!strcmp(test, "search")) {
        struct evbuffer *t = evbuffer_new();
        for (int c = 0; c < 64; c++) {
            fill_lines(t, 4096 / 20);
            evbuffer_add_buffer(b1, t);
        }
        evbuffer_add(b1, "\r\n\r\nbody", 8);
        evbuffer_free(t);
        bytes_per_op = (long)evbuffer_get_length(b1);
    } else if (!strcmp(test, "addbuf")) {
        for (int c = 0; c < 16; c++) {
            struct evbuffer *t = evbuffer_new();
            evbuffer_add(t, data, 1000);
            evbuffer_add_buffer(b1, t);
            evbuffer_free(t);
        }
    } else if (!strcmp(test, "sockpair") || !strcmp(test, "sockpair64")) {
        int sz = 1 << 20;
        if (!strcmp(test, "sockpair64") && evbuffer_set_max_read)
            max_read_set = evbuffer_set_max_read(b2, 65536) == 0;
        bytes_per_op = 65536;
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) die("socketpair");
        setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
        setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
        fcntl(sv[0], F_SETFL, O_NONBLOCK);
        fcntl(sv[1], F_SETFL, O_NONBLOCK);
    } else if (!strcmp(test, "printf")) {
    } else {
        die("unknown test");
    }
}

__attribute__((noinline)) void bench_phase_buffer(void)
{
    long i;
    if (!strcmp(test, "small") || !strcmp(test, "small0") || !strcmp(test, "large")) {
        size_t n = (size_t)bytes_per_op;
        for (i = 0; i < ops; i++) {
            if (evbuffer_add(b1, data + (i & 1023), n) < 0) die("add");
            if (evbuffer_drain(b1, n) < 0) die("drain");
        }
    } else if (!strcmp(test, "readln")) {
        size_t len, total = 0;
        for (i = 0; i < ops; i++) {
            char *line = evbuffer_readln(b1, &len, EVBUFFER_EOL_CRLF);
            if (!line) die("readln");
            total += len;
            free(line);
        }
        sink = total;
        bytes_per_op = 0;
    } else if (!strcmp(test, "search")) {
        for (i = 0; i < ops; i++) {
            struct evbuffer_ptr p = evbuffer_search(b1, "\r\n\r\n", 4, NULL);
            if (p.pos < 0) die("search");
            sink += (size_t)p.pos;
        }
    } else if (!strcmp(test, "addbuf")) {
        for (i = 0; i < ops; i++) {
            if (evbuffer_add_buffer((i & 1) ? b1 : b2, (i & 1) ? b2 : b1) < 0) die("add_buffer");
        }
    } else if (!strcmp(test, "sockpair") || !strcmp(test, "sockpair64")) {
        for (i = 0; i < ops; i++) {
            size_t got = 0;
            evbuffer_add(b1, data, 65536);
            while (evbuffer_get_length(b1) > 0 || got < 65536) {
                int r;
                if (evbuffer_get_length(b1) > 0 && evbuffer_write(b1, sv[0]) < 0) die("write");
                while ((r = evbuffer_read(b2, sv[1], -1)) > 0)
                    got += r;
            }
            evbuffer_drain(b2, got);
        }
    } else if (!strcmp(test, "printf")) {
        for (i = 0; i < ops; i++) {
            if (evbuffer_add_printf(b1, "%s: %d/%s\r\n", "X-Item", (int)i, "ok") < 0) die("printf");
            if (i % 1000 == 999)
                evbuffer_drain(b1, evbuffer_get_length(b1));
        }
    }
}

int main(int argc, char **argv)
{
    int c;
    const char *label = "?";
    while ((c = getopt(argc, argv, "t:n:l:")) != -1) {
        switch (c) {
        case 't': test = optarg; break;
        case 'n': ops = atol(optarg); break;
        case 'l': label = optarg; break;
        default:
            fprintf(stderr, "usage: %s -t small|small0|large|readln|search|addbuf|sockpair|sockpair64|printf -n OPS\n", argv[0]);
            return 2;
        }
    }
    (void)label;
    setup();
    {
        /* warm up with a tenth of the work (not for readln, whose lines are used up) */
        long saved = ops;
        if (strcmp(test, "readln")) {
            ops = saved / 10 + 1;
            bench_phase_buffer();
        }
        ops = saved;
    }
    long long f0, a0 = bench_allocs(&f0);
    double t0 = bench_cpu_seconds();
    bench_phase_buffer();
    double t1 = bench_cpu_seconds();
    long long f1, a1 = bench_allocs(&f1);
    double s = t1 - t0;
    printf("test=%s ops=%ld cpu_s=%.4f ns_per_op=%.1f mb_per_s=%.1f allocs=%lld allocs_per_op=%.4f max_read=%s lib=%s\n",
           test, ops, s, s * 1e9 / ops, bytes_per_op ? (double)bytes_per_op * ops / s / 1e6 : 0.0,
           a0 < 0 ? -1 : a1 - a0, a0 < 0 ? -1.0 : (double)(a1 - a0) / ops,
           max_read_set ? "65536" : "default", bench_lib_of((void *)evbuffer_new));
    evbuffer_free(b1);
    evbuffer_free(b2);
    free(data);
    libevent_global_shutdown();
    return 0;
}
