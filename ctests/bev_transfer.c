/* Covers: no data loss: TRANSFER_MB (256) MiB through a socket bufferevent
 * pair of a socketpair, through a bufferevent pair, and through filters
 * (XOR-ing output filter on the sender, reversing input filter on the
 * receiver) over a socketpair. The receiver consumes half of its input per
 * callback under a small read high watermark, so reading is suspended and
 * resumed all the time; the sender refills its output from the write
 * callback at a write low watermark. Byte counts and checksums compared.
 * ctest-timeout: 120
 * ctest-no-valgrind: 256 MiB under valgrind takes too long; bev_transfer_small runs the same code under valgrind
 */
#include "bev_common.h"

#ifndef TRANSFER_MB
#define TRANSFER_MB 256
#endif

#define CHUNK 65536
#define HIGH_WM (48 * 1024)

static const size_t total = (size_t)TRANSFER_MB * 1024 * 1024;
static size_t sent, received;
static unsigned long long sum_sent, sum_received;
static unsigned long at_high, reads;
static int finish_with_shutdown;
static struct bufferevent *sender, *receiver;

static unsigned char byte_at(size_t i)
{
    return (unsigned char)((i * 2654435761u) >> 11) ^ (unsigned char)(i >> 20);
}

static void add_sum(unsigned long long *sum, const unsigned char *p, size_t n, size_t pos)
{
    size_t i;
    for (i = 0; i < n; i++)
        *sum = (*sum * 31 + p[i] + (pos + i)) & 0xffffffffffffULL;
}

static void refill(struct bufferevent *b)
{
    unsigned char buf[CHUNK];
    while (sent < total && evbuffer_get_length(bufferevent_get_output(b)) < 4 * CHUNK) {
        size_t n = total - sent < CHUNK ? total - sent : CHUNK;
        size_t i;
        for (i = 0; i < n; i++)
            buf[i] = byte_at(sent + i);
        add_sum(&sum_sent, buf, n, sent);
        /* Account first: the write may call the write callback (a filter
         * does), which refills again. */
        sent += n;
        bufferevent_write(b, buf, n);
    }
    if (sent == total && finish_with_shutdown && outlen(b) == 0 && bufferevent_get_underlying(b) == NULL) {
        shutdown(bufferevent_getfd(b), SHUT_WR);
        finish_with_shutdown = 0;
    }
}

static void writecb(struct bufferevent *b, void *arg)
{
    (void)arg;
    refill(b);
}

static void readcb(struct bufferevent *b, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(b);
    size_t n = evbuffer_get_length(in);
    unsigned char buf[HIGH_WM];
    (void)arg;
    reads++;
    if (n >= HIGH_WM)
        at_high++;
    /* Take a sixteenth (all when little is left), leaving the rest
     * buffered so the input keeps reaching the high watermark. */
    if (n > 1024 && received + n < total)
        n /= 16;
    evbuffer_remove(in, buf, n);
#ifdef DEBUG_MISMATCH
    { size_t i; for (i = 0; i < n; i++) if (buf[i] != byte_at(received + i)) { fprintf(stderr, "mismatch at %zu: %02x vs %02x (n=%zu)\n", received + i, buf[i], byte_at(received + i), n); exit(3); } }
#endif
    add_sum(&sum_received, buf, n, received);
    received += n;
    if (received == total)
        event_base_loopbreak(base);
}

static void eventcb(struct bufferevent *b, short what, void *arg)
{
    printf("%s: event 0x%02x received=%s\n", (const char *)arg, what, received == total ? "all" : "partial");
    (void)b;
    event_base_loopbreak(base);
}

static enum bufferevent_filter_result xor_filter(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
                                                 enum bufferevent_flush_mode mode, void *ctx)
{
    unsigned char buf[CHUNK];
    size_t n = evbuffer_get_length(src), i;
    (void)mode; (void)ctx;
    if (lim >= 0 && n > (size_t)lim)
        n = (size_t)lim;
    if (n > sizeof(buf))
        n = sizeof(buf);
    if (n == 0)
        return BEV_NEED_MORE;
    evbuffer_remove(src, buf, n);
    for (i = 0; i < n; i++)
        buf[i] ^= 0x5a;
    evbuffer_add(dst, buf, n);
    return BEV_OK;
}

static void report(const char *what)
{
    printf("%s: sent %s, received %s, checksum %s, suspended at high watermark: %s\n", what,
           sent == total ? "all" : "partial", received == total ? "all" : "partial",
           sum_sent == sum_received ? "equal" : "DIFFERENT", at_high > 0 ? "yes" : "no");
    if (sent != total || received != total || sum_sent != sum_received)
        fprintf(stderr, "%s: sent=%zu received=%zu reads=%lu\n", what, sent, received, reads);
}

static void reset(void)
{
    sent = received = 0;
    sum_sent = sum_received = 0;
    at_high = reads = 0;
}

static void run(void)
{
    bufferevent_setcb(sender, NULL, writecb, eventcb, "sender");
    bufferevent_setcb(receiver, readcb, NULL, eventcb, "receiver");
    bufferevent_setwatermark(sender, EV_WRITE, CHUNK, 0);
    bufferevent_setwatermark(receiver, EV_READ, 0, HIGH_WM);
    bufferevent_enable(receiver, EV_READ);
    refill(sender);
    event_base_dispatch(base);
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *p[2], *u0, *u1;

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    printf("transferring %d MiB each way\n", TRANSFER_MB);

    reset();
    bev_socketpair(sv);
    sender = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    receiver = bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE);
    run();
    report("socket");
    bufferevent_free(sender);
    bufferevent_free(receiver);

    reset();
    bufferevent_pair_new(base, 0, p);
    sender = p[0];
    receiver = p[1];
    run();
    report("pair");
    bufferevent_free(sender);
    bufferevent_free(receiver);

    reset();
    bev_socketpair(sv);
    u0 = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    u1 = bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE);
    sender = bufferevent_filter_new(u0, NULL, xor_filter, BEV_OPT_CLOSE_ON_FREE, NULL, NULL);
    /* Deferred callbacks: with immediate ones, libevent 2.1 leaves data in
     * the underlying input once a callback returns with the filter's input
     * still near the high watermark (nothing looks at it again). */
    receiver = bufferevent_filter_new(u1, xor_filter, NULL, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS, NULL, NULL);
    bufferevent_setwatermark(u0, EV_WRITE, 0, 4 * CHUNK);
    run();
    report("filter");
    bufferevent_free(sender);
    bufferevent_free(receiver);

    event_base_loop(base, EVLOOP_NONBLOCK);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
