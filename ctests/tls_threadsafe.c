/* Covers: TLS bufferevents with BEV_OPT_THREADSAFE after
 * evthread_use_pthreads (socket and filter kinds, a 4 MiB echo driven from
 * a second thread writing under bufferevent_lock while the loop runs),
 * bufferevent_lock/unlock on them, and lock debugging off.
 * ctest-libs: -levent_openssl -lssl -lcrypto -levent_pthreads -lpthread
 * ctest-timeout: 30
 */
#include "tls_common.h"
#include <event2/thread.h>
#include <pthread.h>

#define TOTAL (4 << 20)
static struct bufferevent *srv, *cli;
static size_t echoed;
static volatile int ready;

static void srv_read(struct bufferevent *b, void *arg)
{
    (void)arg;
    bufferevent_write_buffer(b, bufferevent_get_input(b));
}

static void cli_read(struct bufferevent *b, void *arg)
{
    size_t n = inlen(b);
    (void)arg;
    evbuffer_drain(bufferevent_get_input(b), n);
    echoed += n;
    if (echoed >= TOTAL) event_base_loopexit(base, NULL);
}

static void ev_cb(struct bufferevent *b, short what, void *arg)
{
    (void)b;
    printf("%s event %s\n", (const char *)arg, tls_what(what));
    if (what & BEV_EVENT_CONNECTED && !strcmp((const char *)arg, "client")) ready = 1;
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) event_base_loopexit(base, NULL);
}

/* Writes the data in 64 KiB pieces from another thread. */
static void *writer(void *arg)
{
    static char chunk[65536];
    size_t sent = 0;
    (void)arg;
    memset(chunk, 'w', sizeof chunk);
    while (!ready) usleep(1000);
    while (sent < TOTAL) {
        size_t out;
        bufferevent_lock(cli);
        out = outlen(cli);
        if (out < 256 * 1024) {
            bufferevent_write(cli, chunk, sizeof chunk);
            sent += sizeof chunk;
        }
        bufferevent_unlock(cli);
        if (out >= 256 * 1024) usleep(500);
    }
    return NULL;
}

static void run(int filter)
{
    evutil_socket_t sv[2];
    SSL_CTX *sctx = tls_server_ctx(0), *cctx = tls_client_ctx(0);
    pthread_t t;
    int opts = BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE;
    printf("--- %s\n", filter ? "filter" : "socket");
    echoed = 0;
    ready = 0;
    base = event_base_new();
    bev_socketpair(sv);
    if (filter) {
        srv = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[0], opts), SSL_new(sctx),
                                             BUFFEREVENT_SSL_ACCEPTING, opts);
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], opts), SSL_new(cctx),
                                             BUFFEREVENT_SSL_CONNECTING, opts);
    } else {
        srv = bufferevent_openssl_socket_new(base, sv[0], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, opts);
        cli = bufferevent_openssl_socket_new(base, sv[1], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, opts);
    }
    printf("made %d %d\n", srv != NULL, cli != NULL);
    bufferevent_setcb(srv, srv_read, NULL, ev_cb, "server");
    bufferevent_setcb(cli, cli_read, NULL, ev_cb, "client");
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    pthread_create(&t, NULL, writer, NULL);
    event_base_dispatch(base);
    pthread_join(t, NULL);
    printf("echoed all %d\n", echoed == TOTAL);
    bufferevent_free(cli);
    bufferevent_free(srv);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

int main(void)
{
    evthread_use_pthreads();
    tls_make_cert();
    run(0);
    run(1);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
