/* One side of a TLS echo over TCP, for tests/tls_cross.sh, which builds it
 * against libevent and against ours and pairs the builds every way.
 *   tls_peer server [N]    listen on 127.0.0.1 (port 0, printed first),
 *                          echo to N clients (default 1) one after the
 *                          other, report each end
 *   tls_peer client PORT N connect with bufferevent_socket_connect on a
 *                          TLS bufferevent made with fd -1, send N bytes in
 *                          lines, check the echo, close cleanly
 * Output: what each side observed, no addresses or times. */
#include "../ctests/tls_common.h"
#include <event2/listener.h>

static struct bufferevent *bev;
static SSL_CTX *ctx;
static int clients_left = 1;
static size_t total, sent, echoed;
static unsigned long long sum_out, sum_in;
static unsigned int rng_out = 5, rng_in = 5;

static unsigned char next_byte(unsigned int *s)
{
    *s = *s * 1103515245u + 12345u;
    return (unsigned char)('a' + (*s >> 16) % 26);
}

static void srv_read(struct bufferevent *b, void *arg)
{
    (void)arg;
    bufferevent_write_buffer(b, bufferevent_get_input(b));
}

static void srv_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("server event %s\n", tls_what(what));
    if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
        tls_print_errors("server", b);
        bufferevent_free(b);
        bev = NULL;
        if (--clients_left == 0) event_base_loopexit(base, NULL);
    }
}

static void on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
    (void)l; (void)sa; (void)len; (void)arg;
    bev = bufferevent_openssl_socket_new(base, fd, SSL_new(ctx), BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(bev, srv_read, NULL, srv_event, NULL);
    bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void fill(struct bufferevent *b)
{
    char buf[8192];
    while (sent < total && evbuffer_get_length(bufferevent_get_output(b)) < 65536) {
        size_t n = total - sent < sizeof buf ? total - sent : sizeof buf, i;
        for (i = 0; i < n; i++) {
            buf[i] = (i % 64 == 63) ? '\n' : (char)next_byte(&rng_out);
            sum_out = sum_out * 31 + (unsigned char)buf[i];
        }
        bufferevent_write(b, buf, n);
        sent += n;
    }
}

static void cli_write(struct bufferevent *b, void *arg) { (void)arg; fill(b); }

static void cli_read(struct bufferevent *b, void *arg)
{
    unsigned char buf[16384];
    size_t n, i;
    (void)arg;
    while ((n = bufferevent_read(b, buf, sizeof buf)) > 0) {
        for (i = 0; i < n; i++) {
            unsigned char want = ((echoed + i) % 8192 % 64 == 63) ? '\n' : next_byte(&rng_in);
            if (buf[i] != want) {
                printf("client: echo differs at %zu\n", echoed + i);
                exit(1);
            }
            sum_in = sum_in * 31 + buf[i];
        }
        echoed += n;
    }
    if (echoed == total) {
        printf("client: echo of %zu bytes complete, checksum %s\n", echoed, sum_in == sum_out ? "matches" : "DIFFERS");
        printf("client shutdown %d\n", SSL_shutdown(bufferevent_openssl_get_ssl(b)) >= 0);
        bufferevent_free(b);
        bev = NULL;
        event_base_loopexit(base, NULL);
    }
}

static void cli_event(struct bufferevent *b, short what, void *arg)
{
    (void)arg;
    printf("client event %s\n", tls_what(what));
    if (what & BEV_EVENT_CONNECTED) {
        printf("client getfd set %d\n", bufferevent_getfd(b) >= 0);
        fill(b);
        return;
    }
    tls_print_errors("client", b);
    bufferevent_free(b);
    bev = NULL;
    event_base_loopexit(base, NULL);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    tls_make_cert();
    base = event_base_new();
    if (argc >= 2 && !strcmp(argv[1], "server")) {
        struct sockaddr_in sin;
        evutil_socket_t fd = bev_listener(&sin);
        struct evconnlistener *l;
        evutil_make_socket_nonblocking(fd);
        ctx = tls_server_ctx(0);
        if (argc >= 3) clients_left = atoi(argv[2]);
        l = evconnlistener_new(base, on_accept, NULL, LEV_OPT_CLOSE_ON_FREE, -1, fd);
        printf("%d\n", ntohs(sin.sin_port));
        event_base_dispatch(base);
        evconnlistener_free(l);
    } else if (argc >= 4) {
        struct sockaddr_in sin;
        memset(&sin, 0, sizeof sin);
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(0x7f000001);
        sin.sin_port = htons((unsigned short)atoi(argv[2]));
        total = (size_t)atol(argv[3]);
        ctx = tls_client_ctx(0);
        bev = bufferevent_openssl_socket_new(base, -1, SSL_new(ctx), BUFFEREVENT_SSL_CONNECTING, BEV_OPT_CLOSE_ON_FREE);
        bufferevent_setcb(bev, cli_read, cli_write, cli_event, NULL);
        bufferevent_enable(bev, EV_READ | EV_WRITE);
        printf("client connect %d\n", bufferevent_socket_connect(bev, (struct sockaddr *)&sin, sizeof sin));
        event_base_dispatch(base);
    } else {
        fprintf(stderr, "usage: tls_peer server | client PORT BYTES\n");
        return 2;
    }
    if (bev) bufferevent_free(bev);
    event_base_free(base);
    SSL_CTX_free(ctx);
    tls_free_cert();
    libevent_global_shutdown();
    return 0;
}
