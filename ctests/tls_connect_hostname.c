/* Covers: bufferevent_socket_connect_hostname and bufferevent_socket_connect
 * on TLS bufferevents made without an fd (BUFFEREVENT_SSL_CONNECTING): the
 * lookup (system resolver, numeric host), the connect, the handshake, an
 * echo through an evconnlistener TLS server, bufferevent_socket_get_dns_error,
 * getfd once connected; a refused port reported as an error.
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"
#include <event2/listener.h>

static SSL_CTX *sctx, *cctx;
static struct bufferevent *srv, *cli;

static void srv_read(struct bufferevent *b, void *arg)
{
    (void)arg;
    bufferevent_write_buffer(b, bufferevent_get_input(b));
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
    (void)l; (void)sa; (void)len; (void)arg;
    srv = bufferevent_openssl_socket_new(base, fd, SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(srv, srv_read, NULL, NULL, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
}

static void cli_read(struct bufferevent *b, void *arg)
{
    char buf[64];
    size_t n = bufferevent_read(b, buf, sizeof buf);
    (void)arg;
    printf("client got %.*s\n", (int)n, buf);
    event_base_loopexit(base, NULL);
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("client event %s, dns error %d\n", tls_what(what), bufferevent_socket_get_dns_error(b));
    if (what & BEV_EVENT_CONNECTED) {
        printf("getfd set %d\n", bufferevent_getfd(b) >= 0);
        bufferevent_write(b, "hello", 5);
    } else {
        event_base_loopexit(base, NULL);
    }
}

static void run(const char *how, int port)
{
    struct timeval limit = {5, 0};
    printf("--- %s\n", how);
    cli = bufferevent_openssl_socket_new(base, -1, SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    printf("getfd before %d\n", bufferevent_getfd(cli));
    bufferevent_setcb(cli, cli_read, NULL, cli_event, NULL);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    if (!strncmp(how, "connect", 8) && how[7] == 0) {
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(0x7f000001);
        sin.sin_port = htons((unsigned short)port);
        printf("connect %d\n", bufferevent_socket_connect(cli, (struct sockaddr *)&sin, sizeof sin));
    } else {
        printf("connect_hostname %d\n", bufferevent_socket_connect_hostname(cli, NULL, AF_INET, "127.0.0.1", port));
    }
    event_base_loopexit(base, &limit);
    event_base_dispatch(base);
    bufferevent_free(cli);
    if (srv) bufferevent_free(srv);
    srv = NULL;
}

int main(void)
{
    struct sockaddr_in sin, dead;
    evutil_socket_t fd;
    struct evconnlistener *l;
    tls_make_cert();
    sctx = tls_server_ctx(0);
    cctx = tls_client_ctx(0);
    base = event_base_new();
    fd = bev_listener(&sin);
    evutil_make_socket_nonblocking(fd);
    l = evconnlistener_new(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE, -1, fd);
    run("connect_hostname", ntohs(sin.sin_port));
    run("connect", ntohs(sin.sin_port));
    bev_dead_port(&dead);
    run("connect_hostname refused", ntohs(dead.sin_port));
    evconnlistener_free(l);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
