/* Covers: a 64 MiB TLS transfer with a checksum, over socket TLS
 * bufferevents, over filters on socket bufferevents, and a socket server
 * with a filter client; the sender refills at its write low watermark, the
 * receiver reads under a read high watermark (and with a single-read cap
 * above 16 KiB) and answers with its count and checksum; TLS 1.2 and 1.3.
 * (4 MiB under valgrind: the cipher is too slow there.)
 * ctest-libs: -levent_openssl -lssl -lcrypto
 * ctest-timeout: 60
 */
#include "tls_common.h"
#include <valgrind/valgrind.h>

#define CHUNK 100000
#define HIGH (256 * 1024)

static size_t total;
static size_t sent, received, max_input;
static unsigned long long sum_sent, sum_recv;
static unsigned int rng_s, rng_r;
static int over_high;
static struct bufferevent *srv, *cli;

static unsigned char next_byte(unsigned int *s)
{
    *s = *s * 1103515245u + 12345u;
    return (unsigned char)(*s >> 16);
}

static void fill(struct bufferevent *b)
{
    unsigned char buf[CHUNK];
    while (sent < total && evbuffer_get_length(bufferevent_get_output(b)) < 4 * CHUNK) {
        size_t n = total - sent < CHUNK ? total - sent : CHUNK, i;
        for (i = 0; i < n; i++) {
            buf[i] = next_byte(&rng_s);
            sum_sent = sum_sent * 31 + buf[i];
        }
        bufferevent_write(b, buf, n);
        sent += n;
    }
}

static void cli_write(struct bufferevent *b, void *arg) { (void)arg; fill(b); }

static void cli_read(struct bufferevent *b, void *arg)
{
    char *line;
    (void)arg;
    if ((line = evbuffer_readln(bufferevent_get_input(b), NULL, EVBUFFER_EOL_LF))) {
        unsigned long long s;
        size_t n;
        sscanf(line, "%zu %llu", &n, &s);
        printf("server counted %s, checksum %s\n", n == total ? "all" : "SHORT", s == sum_sent ? "matches" : "DIFFERS");
        free(line);
        event_base_loopexit(base, NULL);
    }
}

static void srv_read(struct bufferevent *b, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(b);
    unsigned char buf[65536];
    size_t len = evbuffer_get_length(in);
    (void)arg;
    if (len > max_input) max_input = len;
    /* TLS may pass the mark by what OpenSSL already decrypted (one record). */
    if (len > HIGH + 16384 + 16384) over_high = 1;
    while ((len = evbuffer_remove(in, buf, sizeof buf)) > 0 && len != (size_t)-1) {
        size_t i;
        for (i = 0; i < len; i++) {
            if (buf[i] != next_byte(&rng_r)) over_high |= 2;
            sum_recv = sum_recv * 31 + buf[i];
        }
        received += len;
    }
    if (received == total)
        evbuffer_add_printf(bufferevent_get_output(b), "%zu %llu\n", received, sum_recv);
}

static void event_cb(struct bufferevent *b, short what, void *arg)
{
    printf("%s event %s\n", (const char *)arg, tls_what(what));
    if (what & BEV_EVENT_CONNECTED) {
        if (b == cli) fill(b);
        return;
    }
    event_base_loopexit(base, NULL);
}

static void run(const char *mode, int version)
{
    evutil_socket_t sv[2];
    SSL_CTX *sctx = tls_server_ctx(version), *cctx = tls_client_ctx(0);
    printf("--- %s, %s\n", mode, version ? "TLS 1.2" : "TLS 1.3");
    sent = received = max_input = 0;
    sum_sent = sum_recv = 0;
    rng_s = rng_r = 7;
    over_high = 0;
    base = event_base_new();
    bev_socketpair(sv);
    if (!strcmp(mode, "socket")) {
        srv = bufferevent_openssl_socket_new(base, sv[0], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_socket_new(base, sv[1], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    } else if (!strcmp(mode, "filter")) {
        srv = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    } else {
        srv = bufferevent_openssl_socket_new(base, sv[0], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    }
    bufferevent_setwatermark(srv, EV_READ, 0, HIGH);
    bufferevent_set_max_single_read(srv, 1 << 20);
    bufferevent_setwatermark(cli, EV_WRITE, CHUNK, 0);
    bufferevent_setcb(srv, srv_read, NULL, event_cb, "server");
    bufferevent_setcb(cli, cli_read, cli_write, event_cb, "client");
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    event_base_dispatch(base);
    printf("sent %s received %s data %s watermark %s\n", sent == total ? "all" : "SHORT",
           received == total ? "all" : "SHORT", over_high & 2 ? "CORRUPT" : "intact",
           over_high & 1 ? "PASSED" : "kept");
    bufferevent_free(cli);
    bufferevent_free(srv);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

int main(void)
{
    total = RUNNING_ON_VALGRIND ? 4u << 20 : 64u << 20;
    tls_make_cert();
    run("socket", 0);
    run("filter", 0);
    run("mixed", 0);
    run("socket", TLS1_2_VERSION);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
