/* Covers: bufferevent_openssl_socket_new (ACCEPTING / CONNECTING) on a
 * socketpair, handshake driven by the loop (BEV_EVENT_CONNECTED), data
 * written before the handshake ends, line echo, clean shutdown
 * (close_notify: BEV_EVENT_EOF), bufferevent_openssl_get_ssl,
 * bufferevent_get_underlying (NULL), bufferevent_getfd, enabled flags,
 * allow_dirty_shutdown get/set, bufferevent_get_openssl_error (none), the
 * ssl functions on a non-TLS bufferevent; with and without deferred callbacks;
 * a client made without an fd that gets one through bufferevent_setfd.
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static SSL *ssl_s, *ssl_c;
static struct bufferevent *srv, *cli;
static int replies;

static void srv_read(struct bufferevent *b, void *arg)
{
    char *line;
    size_t n;
    (void)arg;
    while ((line = evbuffer_readln(bufferevent_get_input(b), &n, EVBUFFER_EOL_LF))) {
        printf("server got '%s'\n", line);
        bufferevent_write(b, "echo: ", 6);
        bufferevent_write(b, line, n);
        bufferevent_write(b, "\n", 1);
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
        if (++replies < 5) {
            char msg[32];
            snprintf(msg, sizeof msg, "line %d\n", replies + 1);
            bufferevent_write(b, msg, strlen(msg));
        } else {
            /* Clean close: close_notify, then free (closes the fd, frees the SSL). */
            printf("client shutdown %d\n", SSL_shutdown(bufferevent_openssl_get_ssl(b)));
            bufferevent_free(b);
            cli = NULL;
            return;
        }
    }
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("client event %s\n", tls_what(what));
    if (what & BEV_EVENT_CONNECTED) {
        printf("client version %s\n", SSL_get_version(bufferevent_openssl_get_ssl(b)));
        printf("client enabled %d\n", bufferevent_get_enabled(b));
    }
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        bufferevent_free(b);
        cli = NULL;
    }
}

static void run(int opts, int late_fd)
{
    evutil_socket_t sv[2];
    SSL_CTX *sctx = tls_server_ctx(0), *cctx = tls_client_ctx(0);
    struct bufferevent *plain;

    printf("--- options %d%s\n", opts, late_fd ? ", client fd set later" : "");
    replies = 0;
    base = event_base_new();
    bev_socketpair(sv);
    ssl_s = SSL_new(sctx);
    ssl_c = SSL_new(cctx);
    srv = bufferevent_openssl_socket_new(base, sv[0], ssl_s, BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE | opts);
    cli = bufferevent_openssl_socket_new(base, late_fd ? -1 : sv[1], ssl_c, BUFFEREVENT_SSL_CONNECTING,
                                         BEV_OPT_CLOSE_ON_FREE | opts);
    if (late_fd) {
        printf("getfd before %d\n", bufferevent_getfd(cli));
        printf("setfd %d\n", bufferevent_setfd(cli, sv[1]));
    }
    printf("made %d %d\n", srv != NULL, cli != NULL);
    printf("get_ssl %d %d\n", bufferevent_openssl_get_ssl(srv) == ssl_s, bufferevent_openssl_get_ssl(cli) == ssl_c);
    printf("underlying %p\n", (void *)bufferevent_get_underlying(cli));
    printf("getfd %d %d\n", bufferevent_getfd(srv) == sv[0], bufferevent_getfd(cli) == sv[1]);
    printf("enabled %d %d\n", bufferevent_get_enabled(srv), bufferevent_get_enabled(cli));
    printf("allow_dirty %d\n", bufferevent_openssl_get_allow_dirty_shutdown(cli));
    bufferevent_openssl_set_allow_dirty_shutdown(cli, 7);
    printf("allow_dirty after set %d\n", bufferevent_openssl_get_allow_dirty_shutdown(cli));
    bufferevent_openssl_set_allow_dirty_shutdown(cli, 0);
    printf("error %lu\n", bufferevent_get_openssl_error(cli));

    plain = bufferevent_socket_new(base, -1, 0);
    printf("plain get_ssl %p dirty %d error %lu\n", (void *)bufferevent_openssl_get_ssl(plain),
           bufferevent_openssl_get_allow_dirty_shutdown(plain), bufferevent_get_openssl_error(plain));
    printf("plain renegotiate %d\n", bufferevent_ssl_renegotiate(plain));
    bufferevent_free(plain);

    bufferevent_setcb(srv, srv_read, NULL, srv_event, NULL);
    bufferevent_setcb(cli, cli_read, NULL, cli_event, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    /* Queued before the handshake: sent once it is done. */
    bufferevent_write(cli, "line 1\n", 7);
    event_base_dispatch(base);
    printf("replies %d left %d %d\n", replies, srv != NULL, cli != NULL);
    if (srv) bufferevent_free(srv);
    if (cli) bufferevent_free(cli);
    event_base_free(base);
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
}

int main(void)
{
    tls_make_cert();
    run(0, 0);
    run(BEV_OPT_DEFER_CALLBACKS, 0);
    run(0, 1);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
