/* Covers: event_set_mem_functions with TLS bufferevents: every block the
 * library takes from the program's allocator (the bufferevents, their
 * buffers, ours also its TLS state) is given back once the bufferevents,
 * the base and libevent_global_shutdown are done (socket and filter kinds,
 * CLOSE_ON_FREE freeing the SSL).
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static long live, total;

static void *my_malloc(size_t n) { live++; total++; return malloc(n); }
static void *my_realloc(void *p, size_t n) { if (!p) { live++; total++; } return realloc(p, n); }
static void my_free(void *p) { if (p) live--; free(p); }

static struct bufferevent *srv, *cli;

static void srv_read(struct bufferevent *b, void *arg)
{
    (void)arg;
    bufferevent_write_buffer(b, bufferevent_get_input(b));
}

static void cli_read(struct bufferevent *b, void *arg)
{
    (void)arg;
    if (inlen(b) >= 5) {
        printf("echo %zu\n", inlen(b));
        event_base_loopexit(base, NULL);
    }
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    if (what & BEV_EVENT_CONNECTED) bufferevent_write(b, "hello", 5);
}

static void run(int filter)
{
    evutil_socket_t sv[2];
    SSL_CTX *s = tls_server_ctx(0), *c = tls_client_ctx(0);
    base = event_base_new();
    bev_socketpair(sv);
    if (filter) {
        srv = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE), SSL_new(s),
                                             BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE), SSL_new(c),
                                             BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    } else {
        srv = bufferevent_openssl_socket_new(base, sv[0], SSL_new(s), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
        cli = bufferevent_openssl_socket_new(base, sv[1], SSL_new(c), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    }
    bufferevent_setcb(srv, srv_read, NULL, NULL, NULL);
    bufferevent_setcb(cli, cli_read, NULL, cli_event, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
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
    event_set_mem_functions(my_malloc, my_realloc, my_free);
    tls_make_cert();
    run(0);
    run(1);
    tls_free_cert();
    libevent_global_shutdown();
    printf("allocations through the program's allocator: %s, live after shutdown: %ld\n", total > 0 ? "yes" : "no", live);
    return 0;
}
