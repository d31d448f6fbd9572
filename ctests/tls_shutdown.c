/* Covers: how a TLS connection's end is reported, socket and filter TLS
 * bufferevents: the peer's close_notify (SSL_shutdown) is BEV_EVENT_EOF with
 * no OpenSSL error; a close without close_notify (dirty shutdown) is
 * BEV_EVENT_ERROR while allow_dirty_shutdown is off, with the errors kept;
 * reading the whole reply before the close in every case; freeing from the
 * event callback. (A dirty shutdown with allow_dirty_shutdown on is EOF on
 * ours but ERROR on libevent 2.1.12 over OpenSSL 3, its issue 1212:
 * tests/tls_ours.sh checks ours.)
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static struct bufferevent *srv, *cli;
static int clean;

static void srv_read(struct bufferevent *b, void *arg)
{
    char buf[64];
    size_t n = bufferevent_read(b, buf, sizeof buf);
    (void)arg;
    printf("server got %zu bytes\n", n);
    bufferevent_write(b, "bye\n", 4);
}

/* The reply is out: the client acknowledged it, now end the connection. */
static void srv_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("server event %s\n", tls_what(what));
}

static void cli_read(struct bufferevent *b, void *arg)
{
    char *line = evbuffer_readln(bufferevent_get_input(b), NULL, EVBUFFER_EOL_LF);
    (void)arg;
    if (!line) return;
    printf("client got '%s'\n", line);
    free(line);
    /* Tell the server to go; it closes from its read callback. */
    bufferevent_write(b, "go", 2);
}

static void srv_read_close(struct bufferevent *b, void *arg)
{
    char buf[64];
    size_t n = bufferevent_read(b, buf, sizeof buf);
    (void)arg;
    if (n == 2 && !memcmp(buf, "go", 2)) {
        if (clean) printf("server shutdown %d\n", SSL_shutdown(bufferevent_openssl_get_ssl(b)));
        bufferevent_free(b);
        srv = NULL;
        return;
    }
    printf("server got %zu bytes\n", n);
    bufferevent_write(b, "bye\n", 4);
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("client event %s\n", tls_what(what));
    if (what & BEV_EVENT_CONNECTED) {
        bufferevent_write(b, "hello", 5);
        return;
    }
    printf("client input left %zu\n", inlen(b));
    tls_print_errors("client", b);
    bufferevent_free(b);
    cli = NULL;
    event_base_loopexit(base, NULL);
}

static void run(int filter, int is_clean, int version)
{
    evutil_socket_t sv[2];
    SSL_CTX *sctx = tls_server_ctx(version), *cctx = tls_client_ctx(0);
    printf("--- %s shutdown, %s, %s\n", is_clean ? "clean" : "dirty", filter ? "filter" : "socket",
           version ? "TLS 1.2" : "TLS 1.3");
    clean = is_clean;
    base = event_base_new();
    bev_socketpair(sv);
    if (filter) {
        srv = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    } else {
        srv = bufferevent_openssl_socket_new(base, sv[0], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_socket_new(base, sv[1], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    }
    bufferevent_setcb(srv, srv_read_close, NULL, srv_event, NULL);
    bufferevent_setcb(cli, cli_read, NULL, cli_event, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    event_base_dispatch(base);
    printf("left %d %d\n", srv != NULL, cli != NULL);
    if (srv) bufferevent_free(srv);
    if (cli) bufferevent_free(cli);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

int main(void)
{
    (void)srv_read;
    tls_make_cert();
    run(0, 1, 0);
    run(0, 0, 0);
    run(1, 1, 0);
    run(1, 0, 0);
    run(0, 1, TLS1_2_VERSION);
    run(0, 0, TLS1_2_VERSION);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
