/* Covers: the 1.x bufferevent API and direct use of struct bufferevent's
 * fields, as old programs do: bufferevent_new (no base) with event_init's
 * base, then bufferevent_base_set onto another base (refused once its
 * events are in use); bufferevent_settimeout; EVBUFFER_INPUT / OUTPUT;
 * bev->wm_read.high = 4096 poked directly; bev->readcb / cbarg / enabled /
 * timeout_read / ev_base / input / output read from the struct; bev->ev_read
 * and bev->ev_write inspected with event_pending / event_get_fd /
 * event_get_base; the EVBUFFER_READ/WRITE/EOF/ERROR/TIMEOUT names.
 */
#include <event.h>
#include <evutil.h>
#include <event2/bufferevent_struct.h>
#include <event2/bufferevent_compat.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

static int reads = 0;

static void on_read(struct bufferevent *bev, void *arg)
{
    struct evbuffer *in = EVBUFFER_INPUT(bev);
    reads++;
    printf("%s: read %zu (cbarg ok=%d)\n", (const char *)arg, evbuffer_get_length(in), bev->cbarg == arg);
    if (reads > 3)
        evbuffer_drain(in, evbuffer_get_length(in));
}

static void on_write(struct bufferevent *bev, void *arg)
{
    printf("%s: write, output %zu\n", (const char *)arg, evbuffer_get_length(EVBUFFER_OUTPUT(bev)));
}

static void on_error(struct bufferevent *bev, short what, void *arg)
{
    printf("%s: error 0x%02x eof=%d timeout=%d reading=%d\n", (const char *)arg, what,
           !!(what & EVBUFFER_EOF), !!(what & EVBUFFER_TIMEOUT), !!(what & EVBUFFER_READ));
    (void)bev;
}

int main(void)
{
    struct event_base *cur, *other;
    struct bufferevent *bev, *old;
    int sv[2], rc;
    char buf[10000];
    struct timeval tv = {0, 300000};

    cur = event_init();
    other = event_base_new();
    socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
    evutil_make_socket_nonblocking(sv[0]);
    evutil_make_socket_nonblocking(sv[1]);

    bev = bufferevent_new(sv[0], on_read, on_write, on_error, "old");
    printf("new: %s ev_base=%p readcb set=%d enabled=0x%x\n", bev ? "ok" : "NULL", (void *)bev->ev_base,
           bev->readcb == on_read, bev->enabled);
    printf("ev_read: fd ok=%d base is current=%d input is EVBUFFER_INPUT=%d\n", event_get_fd(&bev->ev_read) == sv[0],
           event_get_base(&bev->ev_read) == cur, bev->input == EVBUFFER_INPUT(bev));
    rc = bufferevent_base_set(other, bev);
    printf("base_set=%d ev_base ok=%d ev_read base ok=%d\n", rc, bev->ev_base == other, event_get_base(&bev->ev_write) == other);

    bev->wm_read.high = 4096;
    bufferevent_settimeout(bev, 5, 0);
    printf("timeout_read=%ld.%06ld timeout_write=%ld\n", (long)bev->timeout_read.tv_sec,
           (long)bev->timeout_read.tv_usec, (long)bev->timeout_write.tv_sec);
    rc = bufferevent_enable(bev, EV_READ);
    printf("enable=%d enabled=0x%x pending read=%d write=%d\n", rc, bev->enabled,
           event_pending(&bev->ev_read, EV_READ, NULL) != 0, event_pending(&bev->ev_write, EV_WRITE, NULL) != 0);
    printf("read has timeout=%d\n", event_pending(&bev->ev_read, EV_TIMEOUT, NULL) != 0);
    rc = bufferevent_base_set(cur, bev);
    printf("base_set while pending=%d\n", rc);

    memset(buf, 'o', sizeof(buf));
    write(sv[1], buf, sizeof(buf));
    event_base_loop(other, EVLOOP_NONBLOCK);
    event_base_loop(other, EVLOOP_NONBLOCK);
    printf("input %zu (poked high watermark 4096)\n", evbuffer_get_length(bev->input));
    evbuffer_drain(bev->input, 4096);
    event_base_loop(other, EVLOOP_NONBLOCK);
    printf("input %zu after drain\n", evbuffer_get_length(bev->input));

    bufferevent_write(bev, "reply", 5);
    printf("write pending=%d\n", event_pending(&bev->ev_write, EV_WRITE, NULL) != 0);
    event_base_loop(other, EVLOOP_NONBLOCK);
    printf("peer read %d\n", (int)read(sv[1], buf, sizeof(buf)));

    printf("-- short read timeout via the struct and set_timeouts\n");
    bufferevent_set_timeouts(bev, &tv, NULL);
    evbuffer_drain(bev->input, evbuffer_get_length(bev->input));
    bev->wm_read.high = 0;
    event_base_loopexit(other, &(struct timeval){1, 0});
    event_base_dispatch(other);
    printf("enabled=0x%x\n", bev->enabled);
    bufferevent_free(bev);

    printf("-- bufferevent_new on the current base, dispatched with event_dispatch\n");
    old = bufferevent_new(sv[1], on_read, on_write, on_error, "cur");
    bufferevent_enable(old, EV_READ);
    close(sv[0]);
    event_loopexit(&(struct timeval){0, 200000});
    event_dispatch();
    printf("ev_base still NULL=%d\n", old->ev_base == NULL);
    bufferevent_free(old);
    event_loop(EVLOOP_NONBLOCK);
    close(sv[1]);

    event_base_free(other);
    event_base_free(cur);
    libevent_global_shutdown();
    return 0;
}
