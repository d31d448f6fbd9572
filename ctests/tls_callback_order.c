/* Covers: where TLS bufferevent callbacks run from (event_base_get_running_event
 * inside them: the socket's ev_read / ev_write, another event, or a deferred
 * callback) and their order, for socket and filter TLS bufferevents: the
 * write callback after SSL_write is deferred, the read callback is not, a
 * socket TLS bufferevent writes from ev_write, a filter at once.
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"
#include <event2/bufferevent_struct.h>

static struct bufferevent *srv, *cli;
static int in_write;

static const char *from(struct bufferevent *b)
{
    struct event *e = event_base_get_running_event(base);
    return e == NULL ? "deferred" : e == &b->ev_read ? "ev_read" : e == &b->ev_write ? "ev_write" : "other event";
}

static void rcb(struct bufferevent *b, void *a)
{
    char buf[100];
    size_t n = bufferevent_read(b, buf, sizeof buf);
    printf("%s readcb %zu from %s\n", (char *)a, n, from(b));
    if (b == srv) bufferevent_write(b, buf, n);
    else event_base_loopexit(base, NULL);
}

static void wcb(struct bufferevent *b, void *a)
{
    printf("%s writecb from %s in_write %d out %zu\n", (char *)a, from(b), in_write, outlen(b));
}

static void ecb(struct bufferevent *b, short what, void *a)
{
    printf("%s %s from %s\n", (char *)a, tls_what(what), from(b));
    if (b == cli && (what & BEV_EVENT_CONNECTED)) {
        in_write = 1;
        bufferevent_write(b, "hello", 5);
        in_write = 0;
        printf("after write out %zu\n", outlen(b));
    }
}

static void run(int filter)
{
    evutil_socket_t sv[2];
    SSL_CTX *s = tls_server_ctx(0), *c = tls_client_ctx(0);
    printf("--- %s\n", filter ? "filters" : "sockets");
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
    bufferevent_setcb(srv, rcb, wcb, ecb, "srv");
    bufferevent_setcb(cli, rcb, wcb, ecb, "cli");
    bufferevent_enable(srv, EV_READ);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    event_base_dispatch(base);
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
