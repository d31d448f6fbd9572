/* Covers: bufferevent_socket_connect on a TLS filter whose underlying socket
 * bufferevent has no fd yet: the new socket becomes the underlying
 * bufferevent's, the handshake runs over it and a line goes both ways
 * (libevent's regress ssl/bufferevent_wm_filter connects this way).
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"
#include <event2/listener.h>

static struct event_base *base;
static SSL_CTX *sctx;
static struct bufferevent *server;

static void srv_read(struct bufferevent *b, void *arg)
{
    char *line;
    (void)arg;
    while ((line = evbuffer_readln(bufferevent_get_input(b), NULL, EVBUFFER_EOL_LF))) {
        printf("server got '%s'\n", line);
        evbuffer_add_printf(bufferevent_get_output(b), "echo %s\n", line);
        free(line);
    }
}

static void cli_read(struct bufferevent *b, void *arg)
{
    char *line;
    (void)arg;
    while ((line = evbuffer_readln(bufferevent_get_input(b), NULL, EVBUFFER_EOL_LF))) {
        printf("client got '%s'\n", line);
        free(line);
        event_base_loopexit(base, NULL);
    }
}

static void on_event(struct bufferevent *b, short what, void *arg)
{
    (void)b;
    printf("%s event %s\n", (const char *)arg, tls_what(what));
    if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF))
        event_base_loopexit(base, NULL);
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
    (void)l; (void)sa; (void)len; (void)arg;
    server = bufferevent_openssl_socket_new(base, fd, SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING,
        BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(server, srv_read, NULL, on_event, "server");
    bufferevent_enable(server, EV_READ | EV_WRITE);
}

int main(void)
{
    struct sockaddr_in sin;
    struct sockaddr_storage ss;
    ev_socklen_t slen = sizeof(ss);
    struct evconnlistener *lis;
    struct bufferevent *under, *filter;
    SSL_CTX *cctx;

    tls_make_cert();
    sctx = tls_server_ctx(0);
    cctx = tls_client_ctx(0);
    base = event_base_new();
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(0x7f000001);
    lis = evconnlistener_new_bind(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
        (struct sockaddr *)&sin, sizeof(sin));
    getsockname(evconnlistener_get_fd(lis), (struct sockaddr *)&ss, &slen);

    under = bufferevent_socket_new(base, -1, 0);
    filter = bufferevent_openssl_filter_new(base, under, SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING,
        BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(filter, cli_read, NULL, on_event, "client");
    printf("getfd before connect: %d\n", bufferevent_getfd(filter));
    printf("connect: %d\n", bufferevent_socket_connect(filter, (struct sockaddr *)&ss, slen));
    printf("underlying has the fd: %d\n", bufferevent_getfd(under) >= 0);
    evbuffer_add_printf(bufferevent_get_output(filter), "hello\n");
    printf("enable: %d\n", bufferevent_enable(filter, EV_READ | EV_WRITE));
    event_base_dispatch(base);

    bufferevent_free(filter);
    if (server) bufferevent_free(server);
    evconnlistener_free(lis);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
