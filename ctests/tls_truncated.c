/* Covers: a truncated TLS record: the peer (plain OpenSSL in a thread,
 * blocking) completes the handshake, sends one whole record, then only the
 * first part of a second one and closes. The TLS bufferevent (socket, then
 * filter) delivers the whole record, never a byte of the cut one, and
 * reports READING|ERROR with OpenSSL's errors; nothing leaks.
 * ctest-libs: -levent_openssl -lssl -lcrypto -lpthread
 */
#include "tls_common.h"
#include <pthread.h>

static struct bufferevent *cli;
static size_t got;
static SSL_CTX *sctx;

static void *peer(void *arg)
{
    int fd = *(int *)arg;
    SSL *ssl = SSL_new(sctx);
    BIO *mem;
    char *p;
    long n;
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) != 1) {
        fprintf(stderr, "accept failed\n");
        SSL_free(ssl);
        close(fd);
        return NULL;
    }
    SSL_write(ssl, "whole record\n", 13);
    /* The next record goes to memory; only part of it reaches the wire. */
    mem = BIO_new(BIO_s_mem());
    SSL_set0_wbio(ssl, mem);
    SSL_write(ssl, "this record is cut short\n", 25);
    n = BIO_get_mem_data(mem, &p);
    if (n > 10) {
        ssize_t w = write(fd, p, (size_t)(n - 10));
        (void)w;
    }
    usleep(100000);
    close(fd);
    SSL_free(ssl);
    return NULL;
}

static void cli_read(struct bufferevent *b, void *arg)
{
    char buf[128];
    size_t n = bufferevent_read(b, buf, sizeof buf - 1);
    (void)arg;
    buf[n] = 0;
    got += n;
    printf("client got '%.*s'\n", (int)(n ? n - 1 : 0), buf);
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("client event %s\n", tls_what(what));
    if (what & (BEV_EVENT_ERROR | BEV_EVENT_EOF)) {
        tls_print_errors("client", b);
        event_base_loopexit(base, NULL);
    }
}

static void run(int filter)
{
    int sv[2];
    pthread_t t;
    SSL_CTX *cctx = tls_client_ctx(0);
    printf("--- %s\n", filter ? "filter" : "socket");
    got = 0;
    base = event_base_new();
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) exit(1);
    evutil_make_socket_nonblocking(sv[1]);
    if (filter)
        cli = bufferevent_openssl_filter_new(base, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE),
                                             SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    else
        cli = bufferevent_openssl_socket_new(base, sv[1], SSL_new(cctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(cli, cli_read, NULL, cli_event, NULL);
    bufferevent_enable(cli, EV_READ | EV_WRITE);
    pthread_create(&t, NULL, peer, &sv[0]);
    event_base_dispatch(base);
    pthread_join(t, NULL);
    printf("bytes delivered %zu\n", got);
    bufferevent_free(cli);
    event_base_free(base);
    SSL_CTX_free(cctx);
}

int main(void)
{
    tls_make_cert();
    sctx = tls_server_ctx(0);
    run(0);
    run(1);
    SSL_CTX_free(sctx);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
