/* Covers: bufferevent_ssl_renegotiate on TLS 1.3, which OpenSSL refuses
 * (SSL_renegotiate returns 0): as libevent 2.1.12, a socket TLS bufferevent
 * finds its handshake done and reports CONNECTED again at once (return 1),
 * a filter returns 0 and reports CONNECTED from the underlying bufferevent's
 * next callback; data flows on afterwards and no error is reported.
 * (TLS 1.2 renegotiation: ctests/tls_features.c, tests/tls_ours.sh.)
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static struct bufferevent *srv, *cli;
static int n, srv_connected, srv_reads;

static void rcb(struct bufferevent *b, void *a)
{
    char buf[64];
    size_t k = bufferevent_read(b, buf, sizeof buf);
    /* The server's steps interleave with the client's by timing: only
     * counted. */
    if (b == srv) {
        srv_reads++;
        bufferevent_write(b, "pong", 4);
        return;
    }
    printf("%s read %zu\n", (char *)a, k);
    event_base_loopexit(base, NULL);
}

static void ecb(struct bufferevent *b, short what, void *a)
{
    if (b == srv && what == BEV_EVENT_CONNECTED) {
        srv_connected++;
        return;
    }
    printf("%s %s\n", (char *)a, tls_what(what));
    if (b == cli && (what & BEV_EVENT_CONNECTED) && ++n == 1) {
        printf("renegotiate %d\n", bufferevent_ssl_renegotiate(b));
        printf("connected events so far %d\n", n);
        bufferevent_write(b, "ping", 4);
    }
    if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
        tls_print_errors(a, b);
        event_base_loopexit(base, NULL);
    }
}

static void run(int filter)
{
    evutil_socket_t sv[2];
    struct timeval tv = {5, 0};
    SSL_CTX *s = tls_server_ctx(0), *c = tls_client_ctx(0);
    printf("--- %s\n", filter ? "filter" : "socket");
    n = srv_connected = srv_reads = 0;
    base = event_base_new();
    bev_socketpair(sv);
    if (!filter) {
        srv = bufferevent_openssl_socket_new(base, sv[0], SSL_new(s), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_socket_new(base, sv[1], SSL_new(c), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    } else {
        srv = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE), SSL_new(s),
                                             BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE), SSL_new(c),
                                             BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    }
    bufferevent_setcb(srv, rcb, NULL, ecb, "srv");
    bufferevent_setcb(cli, rcb, NULL, ecb, "cli");
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
    printf("version %s, connected events %d, server connected %d reads %d\n",
           SSL_get_version(bufferevent_openssl_get_ssl(cli)), n, srv_connected, srv_reads);
    bufferevent_free(cli);
    bufferevent_free(srv);
    event_base_free(base);
    SSL_CTX_free(s);
    SSL_CTX_free(c);
}

int main(void)
{
    tls_make_cert();
    run(0);
    run(1);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
