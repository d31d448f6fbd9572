/* Covers: a TLS socket bufferevent's handshake runs only in its enabled
 * directions: a server disabled (EV_READ|EV_WRITE) before the handshake
 * does not answer, so the client's read/write timeout fires (reading|timeout
 * from the handshake); enabling the server afterwards completes the
 * handshake on both sides (libevent's regress ssl/bufferevent_socketpair_timeout).
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static struct event_base *base;
static int connected, timeouts;

static void on_event(struct bufferevent *b, short what, void *arg)
{
    printf("%s event %s\n", (const char *)arg, tls_what(what));
    if (what & BEV_EVENT_CONNECTED) {
        if (++connected == 2)
            event_base_loopexit(base, NULL);
    } else if (what & BEV_EVENT_TIMEOUT) {
        ++timeouts;
        bufferevent_set_timeouts(b, NULL, NULL);
        event_base_loopexit(base, NULL);
    }
}

int main(void)
{
    evutil_socket_t pair[2];
    struct bufferevent *c, *s;
    SSL_CTX *sctx, *cctx;
    struct timeval tv = { 0, 300000 };

    tls_make_cert();
    sctx = tls_server_ctx(0);
    cctx = tls_client_ctx(0);
    base = event_base_new();
    evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
    evutil_make_socket_nonblocking(pair[0]);
    evutil_make_socket_nonblocking(pair[1]);
    c = bufferevent_openssl_socket_new(base, pair[0], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING,
        BEV_OPT_CLOSE_ON_FREE);
    s = bufferevent_openssl_socket_new(base, pair[1], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING,
        BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(c, NULL, NULL, on_event, "client");
    bufferevent_setcb(s, NULL, NULL, on_event, "server");
    bufferevent_enable(c, EV_READ | EV_WRITE);
    bufferevent_disable(s, EV_READ | EV_WRITE);
    bufferevent_set_timeouts(c, &tv, &tv);
    event_base_dispatch(base);
    printf("server disabled: connected %d, timeouts %d\n", connected, timeouts);

    bufferevent_enable(s, EV_READ | EV_WRITE);
    event_base_dispatch(base);
    printf("server enabled: connected %d, timeouts %d\n", connected, timeouts);

    bufferevent_free(c);
    bufferevent_free(s);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
