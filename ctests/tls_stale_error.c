/* Covers: TLS bufferevents when the thread's OpenSSL error queue holds an
 * error they did not cause (the program's, or another connection's on the
 * same thread; coturn's DTLS sessions leave them): libevent clears the
 * queue before SSL_do_handshake, SSL_read and SSL_write, so the stale error
 * neither turns a "want read" into BEV_EVENT_ERROR nor shows up in
 * bufferevent_get_openssl_error. A client and a server on a socketpair,
 * one base; an error is raised before the loop and in every callback;
 * three lines echoed, then a clean close (EOF on the server).
 * ctest-libs: -levent_openssl -lssl -lcrypto
 */
#include "tls_common.h"

static struct bufferevent *srv, *cli;
static int echoes;

/* What a careless program leaves behind. */
static void leave_error(void)
{
    ERR_raise(ERR_LIB_USER, 42);
}

static void srv_read(struct bufferevent *b, void *arg)
{
    char *line;
    size_t n;
    (void)arg;
    while ((line = evbuffer_readln(bufferevent_get_input(b), &n, EVBUFFER_EOL_LF))) {
        printf("server got '%s'\n", line);
        bufferevent_write(b, line, n);
        bufferevent_write(b, "\n", 1);
        free(line);
    }
    leave_error();
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
    leave_error();
}

static void cli_read(struct bufferevent *b, void *arg)
{
    char *line;
    size_t n;
    (void)arg;
    while ((line = evbuffer_readln(bufferevent_get_input(b), &n, EVBUFFER_EOL_LF))) {
        printf("client got '%s'\n", line);
        free(line);
        if (++echoes < 3) {
            evbuffer_add_printf(bufferevent_get_output(b), "line %d\n", echoes + 1);
        } else {
            /* Sends close_notify as it goes (BEV_OPT_CLOSE_ON_FREE frees the SSL). */
            SSL_shutdown(bufferevent_openssl_get_ssl(b));
            bufferevent_free(b);
            cli = NULL;
            leave_error();
            return;
        }
    }
    leave_error();
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("client event %s\n", tls_what(what));
    if (what & BEV_EVENT_CONNECTED)
        evbuffer_add_printf(bufferevent_get_output(b), "line 1\n");
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        tls_print_errors("client", b);
        bufferevent_free(b);
        cli = NULL;
    }
    leave_error();
}

int main(void)
{
    struct event_base *base;
    SSL_CTX *sctx, *cctx;
    evutil_socket_t pair[2];

    tls_make_cert();
    base = event_base_new();
    sctx = tls_server_ctx(0);
    cctx = tls_client_ctx(0);
    if (!base || evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
        return 1;
    evutil_make_socket_nonblocking(pair[0]);
    evutil_make_socket_nonblocking(pair[1]);
    srv = bufferevent_openssl_socket_new(base, pair[0], SSL_new(sctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    cli = bufferevent_openssl_socket_new(base, pair[1], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    if (!srv || !cli)
        return 1;
    bufferevent_setcb(srv, srv_read, NULL, srv_event, NULL);
    bufferevent_setcb(cli, cli_read, NULL, cli_event, NULL);
    bufferevent_enable(srv, EV_READ | EV_WRITE);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    leave_error();
    event_base_dispatch(base);
    printf("echoes %d, server %s, client %s\n", echoes, srv ? "open" : "gone", cli ? "open" : "gone");
    if (srv)
        bufferevent_free(srv);
    if (cli)
        bufferevent_free(cli);
    ERR_clear_error();
    SSL_CTX_free(sctx);
    SSL_CTX_free(cctx);
    event_base_free(base);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
