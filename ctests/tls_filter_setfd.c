/* Covers: bufferevent_setfd on an open TLS filter (over a socketpair's socket
 * bufferevents): it succeeds, the filter's getfd still answers with the
 * underlying bufferevent's fd (libevent's regress
 * ssl/bufferevent_filter_freed_fd calls bufferevent_setfd(filter, -1) == 0
 * before freeing it). What the filter does afterwards is not compared:
 * libevent 2.1.12 swaps in a new BIO and then reports read errors forever.
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static struct event_base *base;
static int connected, lines;

static void on_read(struct bufferevent *b, void *arg)
{
    char *line;
    while ((line = evbuffer_readln(bufferevent_get_input(b), NULL, EVBUFFER_EOL_LF))) {
        printf("%s got '%s'\n", (const char *)arg, line);
        if (!strcmp(line, "ping"))
            evbuffer_add_printf(bufferevent_get_output(b), "pong\n");
        else
            event_base_loopexit(base, NULL);
        free(line);
        ++lines;
    }
}

static void on_event(struct bufferevent *b, short what, void *arg)
{
    (void)b;
    printf("%s event %s\n", (const char *)arg, tls_what(what));
    if (what & BEV_EVENT_CONNECTED && ++connected == 2)
        event_base_loopexit(base, NULL);
}

int main(void)
{
    evutil_socket_t pair[2];
    struct bufferevent *u1, *u2, *f1, *f2;
    SSL_CTX *sctx, *cctx;
    int fd_before, fd_after;

    tls_make_cert();
    sctx = tls_server_ctx(0);
    cctx = tls_client_ctx(0);
    base = event_base_new();
    evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    evutil_make_socket_nonblocking(pair[0]);
    evutil_make_socket_nonblocking(pair[1]);
    u1 = bufferevent_socket_new(base, pair[0], BEV_OPT_CLOSE_ON_FREE);
    u2 = bufferevent_socket_new(base, pair[1], BEV_OPT_CLOSE_ON_FREE);
    f1 = bufferevent_openssl_filter_new(base, u1, SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING,
        BEV_OPT_CLOSE_ON_FREE);
    f2 = bufferevent_openssl_filter_new(base, u2, SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING,
        BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(f1, on_read, NULL, on_event, "client");
    bufferevent_setcb(f2, on_read, NULL, on_event, "server");
    bufferevent_enable(f1, EV_READ | EV_WRITE);
    bufferevent_enable(f2, EV_READ | EV_WRITE);
    event_base_dispatch(base);
    printf("connected %d\n", connected);

    fd_before = bufferevent_getfd(f1);
    printf("setfd(-1) on the open filter: %d\n", bufferevent_setfd(f1, -1));
    fd_after = bufferevent_getfd(f1);
    printf("getfd: underlying's before %d, after %d, same %d\n",
        fd_before == pair[0], fd_after == pair[0], fd_before == fd_after);

    bufferevent_free(f1);
    bufferevent_free(f2);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
