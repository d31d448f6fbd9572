/* Covers: bufferevent_socket_connect_hostname with no evdns base (a blocking
 * evutil_getaddrinfo): a numeric address and "localhost" reaching a
 * listener (CONNECTED, data), a family that does not match the numeric
 * address (ERROR reported at once, get_dns_error giving the EAI code),
 * bad family and bad ports (-1), a refused port (ERROR from the loop,
 * dns error 0), and get_dns_error on a fresh bufferevent.
 */
#include "bev_common.h"

static void eventcb(struct bufferevent *b, short what, void *arg)
{
    int dns = bufferevent_socket_get_dns_error(b);
    printf("%s: event 0x%02x dns=%d%s%s\n", (const char *)arg, what, dns, dns ? " " : "",
           dns ? evutil_gai_strerror(dns) : "");
}

static evutil_socket_t accept_one(evutil_socket_t lfd)
{
    evutil_socket_t fd;
    int tries = 0;
    while ((fd = accept(lfd, NULL, NULL)) < 0 && tries++ < 100)
        usleep(10000);
    return fd;
}

static void try_connect(const char *tag, int family, const char *host, int port, evutil_socket_t lfd)
{
    struct bufferevent *b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    int rc;
    evutil_socket_t a = -1;
    bufferevent_setcb(b, NULL, print_writecb, eventcb, (void *)tag);
    rc = bufferevent_socket_connect_hostname(b, NULL, family, host, port);
    printf("%s: connect_hostname=%d dns=%d enabled=0x%x\n", tag, rc, bufferevent_socket_get_dns_error(b),
           bufferevent_get_enabled(b));
    if (rc == 0 && lfd >= 0) {
        a = accept_one(lfd);
        bufferevent_write(b, "hi", 2);
    }
    run_for(100);
    if (a >= 0) {
        char buf[8];
        ssize_t n = read(a, buf, sizeof(buf));
        printf("%s: server read %d\n", tag, (int)n);
        close(a);
    }
    bufferevent_free(b);
    run_nonblock(1);
}

int main(void)
{
    struct sockaddr_in sin, dead;
    evutil_socket_t lfd;
    struct bufferevent *b;
    int port, rc;

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    lfd = bev_listener(&sin);
    port = ntohs(sin.sin_port);
    bev_dead_port(&dead);

    b = bufferevent_socket_new(base, -1, 0);
    printf("fresh dns error=%d\n", bufferevent_socket_get_dns_error(b));
    rc = bufferevent_socket_connect_hostname(b, NULL, AF_UNIX, "127.0.0.1", port);
    printf("AF_UNIX=%d\n", rc);
    rc = bufferevent_socket_connect_hostname(b, NULL, AF_INET, "127.0.0.1", 0);
    printf("port 0=%d\n", rc);
    rc = bufferevent_socket_connect_hostname(b, NULL, AF_INET, "127.0.0.1", 65536);
    printf("port 65536=%d\n", rc);
    rc = bufferevent_socket_connect_hostname(b, NULL, AF_INET, "127.0.0.1", -5);
    printf("port -5=%d enabled=0x%x\n", rc, bufferevent_get_enabled(b));
    bufferevent_free(b);

    try_connect("numeric", AF_INET, "127.0.0.1", port, lfd);
    try_connect("unspec", AF_UNSPEC, "127.0.0.1", port, lfd);
    try_connect("localhost", AF_INET, "localhost", port, lfd);
    try_connect("v4-as-v6", AF_INET6, "127.0.0.1", port, -1);
    try_connect("refused", AF_INET, "127.0.0.1", ntohs(dead.sin_port), -1);

    close(lfd);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
