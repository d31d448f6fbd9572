/* Covers: bufferevent_openssl_filter_new over socket bufferevents and over a
 * bufferevent pair (client and server both filters, then a filter server
 * against a socket client), bufferevent_get_underlying, getfd of a filter
 * (-1), enabled flags, line echo, clean shutdown, BEV_OPT_CLOSE_ON_FREE
 * freeing the underlying bufferevent, and without it the underlying one
 * left usable with its callbacks cleared.
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static struct bufferevent *srv, *cli;
static int replies;

static void srv_read(struct bufferevent *b, void *arg)
{
    char *line;
    size_t n;
    (void)arg;
    while ((line = evbuffer_readln(bufferevent_get_input(b), &n, EVBUFFER_EOL_LF))) {
        printf("server got '%s'\n", line);
        evbuffer_add_printf(bufferevent_get_output(b), "echo: %s\n", line);
        free(line);
    }
}

static void srv_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("server event %s\n", tls_what(what));
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        tls_print_errors("server", b);
        bufferevent_free(b);
        srv = NULL;
    }
}

static void cli_read(struct bufferevent *b, void *arg)
{
    char *line;
    size_t n;
    (void)arg;
    while ((line = evbuffer_readln(bufferevent_get_input(b), &n, EVBUFFER_EOL_LF))) {
        printf("client got '%s'\n", line);
        free(line);
        if (++replies < 4) {
            evbuffer_add_printf(bufferevent_get_output(b), "line %d\n", replies + 1);
        } else {
            printf("client shutdown %d\n", SSL_shutdown(bufferevent_openssl_get_ssl(b)));
            /* The close_notify sits in the underlying output: freeing the
             * filter must not lose it (the underlying flushes on its own). */
            bufferevent_disable(b, EV_READ);
            return;
        }
    }
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("client event %s\n", tls_what(what));
    if (what & BEV_EVENT_CONNECTED)
        printf("client enabled %d\n", bufferevent_get_enabled(b));
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_free(b);
        cli = NULL;
    }
}

static void finish(void)
{
    event_base_dispatch(base);
    printf("replies %d left %d %d\n", replies, srv != NULL, cli != NULL);
}

/* Both ends filters over socket bufferevents. */
static void over_sockets(int opts)
{
    evutil_socket_t sv[2];
    SSL_CTX *sctx = tls_server_ctx(0), *cctx = tls_client_ctx(0);
    struct bufferevent *us, *uc;
    printf("--- filters over sockets, options %d\n", opts);
    replies = 0;
    base = event_base_new();
    bev_socketpair(sv);
    us = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE | opts);
    uc = bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE | opts);
    srv = bufferevent_openssl_filter_new(base, us, SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE | opts);
    cli = bufferevent_openssl_filter_new(base, uc, SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE | opts);
    printf("underlying %d %d getfd %d\n", bufferevent_get_underlying(srv) == us, bufferevent_get_underlying(cli) == uc,
           bufferevent_getfd(cli));
    printf("enabled %d %d under %d %d\n", bufferevent_get_enabled(srv), bufferevent_get_enabled(cli),
           bufferevent_get_enabled(us), bufferevent_get_enabled(uc));
    bufferevent_setcb(srv, srv_read, NULL, srv_event, NULL);
    bufferevent_setcb(cli, cli_read, NULL, cli_event, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    bufferevent_write(cli, "line 1\n", 7);
    finish();
    if (cli) bufferevent_free(cli);
    if (srv) bufferevent_free(srv);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

/* A filter server over one end of a pair, a filter client over the other;
 * without CLOSE_ON_FREE the pair survives its filters. */
static void over_pair(void)
{
    struct bufferevent *pair[2];
    SSL_CTX *sctx = tls_server_ctx(TLS1_2_VERSION), *cctx = tls_client_ctx(0);
    SSL *ss = SSL_new(sctx), *cs = SSL_new(cctx);
    bufferevent_data_cb r, w;
    bufferevent_event_cb e;
    void *a;
    printf("--- filters over a pair\n");
    replies = 0;
    base = event_base_new();
    bufferevent_pair_new(base, 0, pair);
    srv = bufferevent_openssl_filter_new(base, pair[0], ss, BUFFEREVENT_SSL_ACCEPTING, 0);
    cli = bufferevent_openssl_filter_new(base, pair[1], cs, BUFFEREVENT_SSL_CONNECTING, 0);
    bufferevent_setcb(srv, srv_read, NULL, srv_event, NULL);
    bufferevent_setcb(cli, cli_read, NULL, cli_event, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    bufferevent_write(cli, "line 1\n", 7);
    finish();
    printf("version %s\n", SSL_get_version(cs));
    if (cli) bufferevent_free(cli);
    if (srv) bufferevent_free(srv);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_getcb(pair[1], &r, &w, &e, &a);
    printf("pair callbacks after free %d %d %d\n", r != NULL, w != NULL, e != NULL);
    bufferevent_write(pair[1], "plain", 5);
    event_base_loop(base, EVLOOP_NONBLOCK);
    printf("pair still works %zu\n", inlen(pair[0]));
    bufferevent_free(pair[0]);
    bufferevent_free(pair[1]);
    SSL_free(ss);
    SSL_free(cs);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

int main(void)
{
    tls_make_cert();
    over_sockets(0);
    over_sockets(BEV_OPT_DEFER_CALLBACKS);
    over_pair();
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
