/* Covers: real TCP on 127.0.0.1: bufferevent_socket_connect with a new
 * socket (fd -1): BEV_EVENT_CONNECTED, then data both ways, peer close
 * (EOF|READING after the data), peer reset (ERROR|READING, errno
 * ECONNRESET), writing to a reset peer (ERROR|WRITING); a refused connect
 * (ERROR from the loop, errno ECONNREFUSED, even with write disabled);
 * bufferevent_socket_connect(bev, NULL, 0) after the program connected the
 * fd itself; connect with no fd and no address (-1); connect on an AF_UNIX
 * socket that connects at once, and one refused at once (ERROR deferred to
 * the loop, reading and writing disabled); a second connect while connected.
 */
#include "bev_common.h"

static evutil_socket_t accepted = -1;

static void eventcb(struct bufferevent *b, short what, void *arg)
{
    int e = errno;
    printf("%s: event 0x%02x", (const char *)arg, what);
    if (what & BEV_EVENT_ERROR)
        printf(" errno=%s", strerror(e));
    printf(" enabled=0x%x in=%zu\n", bufferevent_get_enabled(b), inlen(b));
}

static void readcb(struct bufferevent *b, void *arg)
{
    char buf[256];
    size_t n = bufferevent_read(b, buf, sizeof(buf) - 1);
    buf[n] = 0;
    printf("%s: read \"%s\"\n", (const char *)arg, buf);
}

static evutil_socket_t accept_one(evutil_socket_t lfd)
{
    evutil_socket_t fd;
    int tries = 0;
    while ((fd = accept(lfd, NULL, NULL)) < 0 && tries++ < 100)
        usleep(10000);
    evutil_make_socket_nonblocking(fd);
    return fd;
}

static void reset_close(evutil_socket_t fd)
{
    struct linger l;
    l.l_onoff = 1;
    l.l_linger = 0;
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
    close(fd);
}

int main(void)
{
    struct sockaddr_in sin, dead;
    struct sockaddr_un sun;
    evutil_socket_t lfd, fd, ufd;
    struct bufferevent *b;
    int rc;
    char tmpl[] = "/tmp/bevtcpXXXXXX";

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    lfd = bev_listener(&sin);
    bev_dead_port(&dead);

    printf("-- connect, exchange, peer closes\n");
    b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, readcb, print_writecb, eventcb, "C");
    printf("fd before=%d\n", bufferevent_getfd(b));
    rc = bufferevent_socket_connect(b, (struct sockaddr *)&sin, sizeof(sin));
    printf("connect=%d fd set=%d\n", rc, bufferevent_getfd(b) >= 0);
    bufferevent_write(b, "hello", 5);
    accepted = accept_one(lfd);
    event_base_loop(base, EVLOOP_ONCE);
    run_for(100);
    printf("server got %d\n", drain_fd(accepted));
    bufferevent_enable(b, EV_READ);
    write(accepted, "welcome", 7);
    run_for(100);
    write(accepted, "bye", 3);
    close(accepted);
    run_for(100);
    bufferevent_free(b);

    printf("-- peer reset\n");
    b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, readcb, NULL, eventcb, "R");
    bufferevent_socket_connect(b, (struct sockaddr *)&sin, sizeof(sin));
    accepted = accept_one(lfd);
    run_for(100);
    bufferevent_enable(b, EV_READ);
    reset_close(accepted);
    run_for(100);
    printf("-- write after the reset\n");
    bufferevent_write(b, "into the void", 13);
    run_for(100);
    bufferevent_free(b);

    printf("-- refused connect\n");
    b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, readcb, print_writecb, eventcb, "X");
    rc = bufferevent_socket_connect(b, (struct sockaddr *)&dead, sizeof(dead));
    printf("connect=%d\n", rc);
    run_for(100);
    bufferevent_free(b);
    printf("-- refused connect with write disabled\n");
    b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, readcb, print_writecb, eventcb, "Y");
    bufferevent_disable(b, EV_WRITE);
    rc = bufferevent_socket_connect(b, (struct sockaddr *)&dead, sizeof(dead));
    printf("connect=%d\n", rc);
    run_for(100);
    bufferevent_free(b);

    printf("-- connect(NULL, 0) after a manual connect\n");
    fd = socket(AF_INET, SOCK_STREAM, 0);
    evutil_make_socket_nonblocking(fd);
    rc = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
    printf("manual connect in progress=%d\n", rc < 0 && errno == EINPROGRESS);
    b = bufferevent_socket_new(base, fd, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, readcb, print_writecb, eventcb, "M");
    rc = bufferevent_socket_connect(b, NULL, 0);
    printf("connect(NULL)=%d\n", rc);
    accepted = accept_one(lfd);
    run_for(100);
    printf("-- connecting again while connected\n");
    rc = bufferevent_socket_connect(b, (struct sockaddr *)&sin, sizeof(sin));
    printf("connect=%d errno=%s\n", rc, rc < 0 ? strerror(errno) : "-");
    run_for(100);
    bufferevent_free(b);
    close(accepted);

    printf("-- no fd, no address\n");
    b = bufferevent_socket_new(base, -1, 0);
    rc = bufferevent_socket_connect(b, NULL, 0);
    printf("connect=%d\n", rc);
    bufferevent_free(b);

    printf("-- AF_UNIX: refused at once, then connected at once\n");
    memset(&sun, 0, sizeof(sun));
    sun.sun_family = AF_UNIX;
    close(mkstemp(tmpl));
    unlink(tmpl);
    strcpy(sun.sun_path, tmpl);
    ufd = socket(AF_UNIX, SOCK_STREAM, 0);
    bind(ufd, (struct sockaddr *)&sun, sizeof(sun));
    b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, readcb, print_writecb, eventcb, "U");
    rc = bufferevent_socket_connect(b, (struct sockaddr *)&sun, sizeof(sun));
    printf("connect=%d enabled=0x%x fd set=%d\n", rc, bufferevent_get_enabled(b), bufferevent_getfd(b) >= 0);
    run_for(50);
    bufferevent_free(b);
    listen(ufd, 4);
    b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, readcb, print_writecb, eventcb, "V");
    rc = bufferevent_socket_connect(b, (struct sockaddr *)&sun, sizeof(sun));
    printf("connect=%d enabled=0x%x\n", rc, bufferevent_get_enabled(b));
    run_for(50);
    bufferevent_free(b);
    close(ufd);
    unlink(tmpl);

    run_nonblock(1);
    close(lfd);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
