/* TLS bufferevent benchmark (bench/tls_run.sh): a client and a server TLS
 * bufferevent in one process over a socketpair (or filters over socket
 * bufferevents), one loop.
 *   tls_echo rtt N [filter]      N round trips of a 64-byte message
 *   tls_echo stream MB [filter]  the client streams MB MiB, the server drains
 * Prints "<metric>=<value>" words: seconds, rt_per_s or mb_per_s. */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/ssl.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

static struct event_base *base;
static struct bufferevent *srv, *cli;
static long rounds, done_rounds;
static size_t total, sent, drained;
static char msg[64];
static char chunk[65536];
static int stream;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void srv_read(struct bufferevent *b, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(b);
    (void)arg;
    if (stream) {
        size_t n = evbuffer_get_length(in);
        drained += n;
        evbuffer_drain(in, n);
        if (drained >= total) event_base_loopbreak(base);
    } else {
        bufferevent_write_buffer(b, in);
    }
}

static void fill(struct bufferevent *b)
{
    while (sent < total && evbuffer_get_length(bufferevent_get_output(b)) < 256 * 1024) {
        bufferevent_write(b, chunk, sizeof chunk);
        sent += sizeof chunk;
    }
}

static void cli_write(struct bufferevent *b, void *arg) { (void)arg; if (stream) fill(b); }

static void cli_read(struct bufferevent *b, void *arg)
{
    struct evbuffer *in = bufferevent_get_input(b);
    (void)arg;
    while (evbuffer_get_length(in) >= sizeof msg) {
        evbuffer_drain(in, sizeof msg);
        if (++done_rounds == rounds) {
            event_base_loopbreak(base);
            return;
        }
        bufferevent_write(b, msg, sizeof msg);
    }
}

static int connected;
static void ev_cb(struct bufferevent *b, short what, void *arg)
{
    (void)b; (void)arg;
    if (what & BEV_EVENT_CONNECTED) {
        if (++connected == 2) event_base_loopbreak(base);
        return;
    }
    fprintf(stderr, "event 0x%x\n", what);
    exit(1);
}

int main(int argc, char **argv)
{
    int sv[2], filter = argc > 3 && !strcmp(argv[3], "filter");
    EVP_PKEY *key;
    X509 *cert;
    SSL_CTX *sctx, *cctx;
    double t0, t;
    if (argc < 3) return 2;
    stream = !strcmp(argv[1], "stream");
    key = EVP_EC_gen("P-256");
    cert = X509_new();
    X509_set_version(cert, 2);
    X509_gmtime_adj(X509_getm_notBefore(cert), -60);
    X509_gmtime_adj(X509_getm_notAfter(cert), 86400);
    X509_set_pubkey(cert, key);
    X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "CN", MBSTRING_ASC, (const unsigned char *)"b", -1, -1, 0);
    X509_set_issuer_name(cert, X509_get_subject_name(cert));
    X509_sign(cert, key, EVP_sha256());
    sctx = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(sctx, cert);
    SSL_CTX_use_PrivateKey(sctx, key);
    cctx = SSL_CTX_new(TLS_client_method());
    base = event_base_new();
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    evutil_make_socket_nonblocking(sv[0]);
    evutil_make_socket_nonblocking(sv[1]);
    if (filter) {
        srv = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    } else {
        srv = bufferevent_openssl_socket_new(base, sv[0], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_socket_new(base, sv[1], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    }
    bufferevent_setcb(srv, srv_read, NULL, ev_cb, NULL);
    bufferevent_setcb(cli, cli_read, cli_write, ev_cb, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    event_base_dispatch(base);  /* handshake */
    memset(msg, 'm', sizeof msg);
    memset(chunk, 'c', sizeof chunk);
    t0 = now();
    if (stream) {
        total = (size_t)atol(argv[2]) << 20;
        bufferevent_setwatermark(cli, EV_WRITE, 128 * 1024, 0);
        fill(cli);
    } else {
        rounds = atol(argv[2]);
        bufferevent_write(cli, msg, sizeof msg);
    }
    event_base_dispatch(base);
    t = now() - t0;
    if (stream)
        printf("seconds=%.4f mb_per_s=%.1f\n", t, (double)total / (1 << 20) / t);
    else
        printf("seconds=%.4f rt_per_s=%.0f\n", t, rounds / t);
    bufferevent_free(cli);
    bufferevent_free(srv);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    X509_free(cert);
    EVP_PKEY_free(key);
    return 0;
}
