/* Helpers shared by the bev_*.c parity tests: socket set-up and callbacks
 * that print what they see (tag, flags, buffer lengths), never times. */
#ifndef BEV_COMMON_H
#define BEV_COMMON_H

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/util.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

static struct event_base *base;

/* A socketpair, both ends non-blocking. */
static void bev_socketpair(evutil_socket_t sv[2])
{
    if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        perror("socketpair");
        exit(1);
    }
    evutil_make_socket_nonblocking(sv[0]);
    evutil_make_socket_nonblocking(sv[1]);
}

/* A listening TCP socket on 127.0.0.1, any port; the address in *sin. */
static evutil_socket_t bev_listener(struct sockaddr_in *sin)
{
    socklen_t len = sizeof(*sin);
    evutil_socket_t fd = socket(AF_INET, SOCK_STREAM, 0);
    memset(sin, 0, sizeof(*sin));
    sin->sin_family = AF_INET;
    sin->sin_addr.s_addr = htonl(0x7f000001);
    if (fd < 0 || bind(fd, (struct sockaddr *)sin, sizeof(*sin)) < 0 || listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)sin, &len) < 0) {
        perror("listener");
        exit(1);
    }
    return fd;
}

/* A 127.0.0.1 port nobody listens on (bound, then closed). */
static void bev_dead_port(struct sockaddr_in *sin)
{
    evutil_socket_t fd = bev_listener(sin);
    evutil_closesocket(fd);
}

static size_t inlen(struct bufferevent *b) { return evbuffer_get_length(bufferevent_get_input(b)); }
static size_t outlen(struct bufferevent *b) { return evbuffer_get_length(bufferevent_get_output(b)); }

/* Callbacks that print; the argument is a tag string. */
static void print_readcb(struct bufferevent *b, void *arg)
{
    printf("%s: read in=%zu\n", (const char *)arg, inlen(b));
}

static void print_writecb(struct bufferevent *b, void *arg)
{
    printf("%s: write out=%zu\n", (const char *)arg, outlen(b));
}

static void print_eventcb(struct bufferevent *b, short what, void *arg)
{
    printf("%s: event 0x%02x in=%zu out=%zu\n", (const char *)arg, what, inlen(b), outlen(b));
}

/* Run the loop until nothing is active (one non-blocking pass at a time). */
static void run_nonblock(int passes)
{
    int i;
    for (i = 0; i < passes; i++)
        event_base_loop(base, EVLOOP_NONBLOCK);
}

/* Run the loop for `ms` milliseconds. */
static void run_for(int ms)
{
    struct timeval tv;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    event_base_loopexit(base, &tv);
    event_base_dispatch(base);
}

/* Bytes waiting to be read on a non-blocking fd (drains it); -1 on EAGAIN, 0 on EOF. */
static int drain_fd(evutil_socket_t fd)
{
    char buf[65536];
    int total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            total += (int)n;
            continue;
        }
        if (n == 0)
            return total ? total : 0;
        return total ? total : -1;
    }
}

#endif
