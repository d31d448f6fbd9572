/* Covers: a TLS socket bufferevent whose peer sent a line and then closed
 * before the reader looked (data and close both waiting in the kernel): the
 * readable event delivers the line, and the close comes from a later loop
 * iteration, so a read callback that calls event_base_loopexit sees the
 * loop end before the event callback runs (libevent's regress http/https_basic
 * relies on it). Without allow_dirty_shutdown only: with it, libevent 2.1.12 on
 * OpenSSL 3 reports ERROR where ours reports EOF (README, tests/tls_ours.sh).
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static struct event_base *base;
static struct bufferevent *server;

static void cli_read(struct bufferevent *b, void *arg)
{
    char *line;
    (void)arg;
    while ((line = evbuffer_readln(bufferevent_get_input(b), NULL, EVBUFFER_EOL_LF))) {
        printf("client got '%s'\n", line);
        free(line);
    }
    event_base_loopexit(base, NULL);
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)b; (void)arg;
    printf("client event %s\n", tls_what(what));
    if (what & BEV_EVENT_CONNECTED) event_base_loopexit(base, NULL);
}

static void srv_event(struct bufferevent *b, short what, void *arg)
{
    (void)b; (void)arg;
    printf("server event %s\n", tls_what(what));
    if (what & BEV_EVENT_CONNECTED) event_base_loopexit(base, NULL);
}

static void srv_written(struct bufferevent *b, void *arg)
{
    (void)arg;
    if (evbuffer_get_length(bufferevent_get_output(b)) == 0) {
        printf("server sent its line, closes\n");
        bufferevent_free(b);
        server = NULL;
        event_base_loopexit(base, NULL);
    }
}

static void run(int dirty)
{
    evutil_socket_t pair[2];
    struct bufferevent *client;
    SSL_CTX *sctx = tls_server_ctx(0), *cctx = tls_client_ctx(0);
    struct timeval short_wait = { 0, 100000 };

    printf("-- allow_dirty_shutdown %d\n", dirty);
    evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    evutil_make_socket_nonblocking(pair[0]);
    evutil_make_socket_nonblocking(pair[1]);
    client = bufferevent_openssl_socket_new(base, pair[0], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING,
        BEV_OPT_CLOSE_ON_FREE);
    server = bufferevent_openssl_socket_new(base, pair[1], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING,
        BEV_OPT_CLOSE_ON_FREE);
    bufferevent_openssl_set_allow_dirty_shutdown(client, dirty);
    bufferevent_setcb(client, cli_read, NULL, cli_event, NULL);
    bufferevent_setcb(server, NULL, NULL, srv_event, NULL);
    bufferevent_enable(client, EV_READ | EV_WRITE);
    bufferevent_enable(server, EV_READ | EV_WRITE);
    event_base_dispatch(base);
    event_base_dispatch(base);

    /* The client stops reading; the server sends a line and closes. */
    bufferevent_disable(client, EV_READ);
    bufferevent_setcb(server, NULL, srv_written, srv_event, NULL);
    evbuffer_add_printf(bufferevent_get_output(server), "last words\n");
    event_base_dispatch(base);
    event_base_loopexit(base, &short_wait);
    event_base_dispatch(base);   /* let the bytes and the close reach the client's socket */

    printf("client reads again\n");
    bufferevent_enable(client, EV_READ);
    event_base_dispatch(base);
    printf("loop ended\n");
    event_base_loopexit(base, &short_wait);
    event_base_dispatch(base);
    printf("second loop ended\n");
    bufferevent_free(client);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

int main(void)
{
    tls_make_cert();
    base = event_base_new();
    run(0);
    event_base_free(base);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
