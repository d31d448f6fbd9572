/* Where ours does better than libevent 2.1.12 over OpenSSL 3 (so no parity
 * comparison: tests/tls_ours.sh runs this on our library only and checks
 * each line):
 *  - a dirty shutdown with allow_dirty_shutdown on is BEV_EVENT_EOF (libevent:
 *    ERROR, its issue 1212: OpenSSL 3 reports "unexpected eof");
 *  - data that arrives together with the close (close_notify or dirty) is in
 *    the input and the read callback has run before the event callback
 *    (libevent reports the close first and commits the data after it);
 *  - an unknown state is refused with NULL (libevent crashes);
 *  - renegotiation (TLS 1.2) of a filter completes (libevent's stalls);
 *  - a large bufferevent_set_max_single_read reads more than one record per
 *    readable event (libevent: about one, its issue 1446).
 */
#include "../ctests/tls_common.h"

static struct bufferevent *srv, *cli;
static size_t got_before_event;
static int reads;
static size_t max_read;

static void cli_read(struct bufferevent *b, void *arg)
{
    size_t n = inlen(b);
    (void)arg;
    reads++;
    if (n > max_read) max_read = n;
    got_before_event += n;
    evbuffer_drain(bufferevent_get_input(b), n);
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    if (what & BEV_EVENT_CONNECTED) return;
    printf("%s: event %s, read before it %zu\n", (const char *)arg, tls_what(what), got_before_event);
    bufferevent_free(b);
    cli = NULL;
    event_base_loopexit(base, NULL);
}

static void srv_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    if (!(what & BEV_EVENT_CONNECTED)) return;
    /* Send, then end the connection in the same breath. */
    {
        static char data[150000];
        memset(data, 'x', sizeof data);
        bufferevent_write(b, data, (size_t)arg == 3 ? sizeof data : 1000);
    }
}

static void srv_write(struct bufferevent *b, void *arg)
{
    if (outlen(b) != 0) return;
    if ((size_t)arg == 1) SSL_shutdown(bufferevent_openssl_get_ssl(b));
    if ((size_t)arg == 3) return;
    bufferevent_free(b);
    srv = NULL;
}

static void run(const char *name, int mode, int filter)
{
    evutil_socket_t sv[2];
    SSL_CTX *sctx = tls_server_ctx(0), *cctx = tls_client_ctx(0);
    got_before_event = 0;
    reads = 0;
    max_read = 0;
    base = event_base_new();
    bev_socketpair(sv);
    srv = bufferevent_openssl_socket_new(base, sv[0], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    if (filter)
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    else
        cli = bufferevent_openssl_socket_new(base, sv[1], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_openssl_set_allow_dirty_shutdown(cli, 1);
    if (mode == 3) bufferevent_set_max_single_read(cli, 1 << 20);
    bufferevent_setcb(srv, NULL, srv_write, srv_event, (void *)(size_t)mode);
    bufferevent_setcb(cli, cli_read, NULL, cli_event, (void *)name);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    if (mode == 3) {
        /* Let the whole reply arrive before the client reads at all. */
        struct timeval tv = {0, 300000};
        bufferevent_disable(cli, EV_READ);
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
        bufferevent_enable(cli, EV_READ);
        tv.tv_usec = 300000;
        event_base_loopexit(base, &tv);
        event_base_dispatch(base);
        printf("%s: %zu bytes in %d read callbacks, largest %s 16 KiB\n", name, got_before_event, reads,
               max_read > 16384 ? "above" : "within");
    } else {
        event_base_dispatch(base);
    }
    if (srv) bufferevent_free(srv);
    if (cli) bufferevent_free(cli);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

static int reneg_connected;

static void rn_srv_read(struct bufferevent *b, void *arg)
{
    (void)arg;
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    bufferevent_write(b, "pong", 4);
}

static void rn_cli_read(struct bufferevent *b, void *arg)
{
    (void)arg;
    printf("renegotiated filter: got %zu after %d CONNECTED\n", inlen(b), reneg_connected);
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    event_base_loopexit(base, NULL);
}

static void rn_cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    if (!(what & BEV_EVENT_CONNECTED)) {
        printf("renegotiated filter: event %s\n", tls_what(what));
        event_base_loopexit(base, NULL);
        return;
    }
    if (++reneg_connected == 1) bufferevent_ssl_renegotiate(b);
    else bufferevent_write(b, "ping", 4);
}

static void renegotiate_filter(void)
{
    evutil_socket_t sv[2];
    SSL_CTX *sctx = tls_server_ctx(TLS1_2_VERSION), *cctx = tls_client_ctx(0);
    struct timeval limit = {5, 0};
    SSL_CTX_set_options(sctx, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    base = event_base_new();
    bev_socketpair(sv);
    srv = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE),
                                         SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE),
                                         SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(srv, rn_srv_read, NULL, NULL, NULL);
    bufferevent_setcb(cli, rn_cli_read, NULL, rn_cli_event, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    event_base_loopexit(base, &limit);
    event_base_dispatch(base);
    bufferevent_free(cli);
    bufferevent_free(srv);
    cli = srv = NULL;
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

int main(void)
{
    SSL *ssl;
    tls_make_cert();
    run("clean close with data (socket)", 1, 0);
    run("dirty close with data, allowed (socket)", 2, 0);
    run("dirty close with data, allowed (filter)", 2, 1);
    run("max_single_read 1 MiB", 3, 0);
    renegotiate_filter();
    base = event_base_new();
    ssl = SSL_new(tls_client_ctx(0));
    printf("unknown state: %s\n",
           bufferevent_openssl_socket_new(base, -1, ssl, (enum bufferevent_ssl_state)7, 0) ? "made" : "NULL");
    SSL_CTX_free(SSL_get_SSL_CTX(ssl));
    SSL_free(ssl);
    event_base_free(base);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
