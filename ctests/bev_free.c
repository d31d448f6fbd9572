/* Covers: bufferevent_free: callbacks cleared at once; BEV_OPT_CLOSE_ON_FREE
 * closes the fd only when the loop (or event_base_free) finalizes the
 * bufferevent, and queued output is dropped, not sent; without the option the
 * fd stays open; freeing from inside its own read callback and from inside a
 * deferred callback; a deferred callback still queued when the bufferevent
 * is freed; bufferevent_incref / bufferevent_decref (1 when the last
 * reference went); bufferevent_lock holding a reference (freed while
 * locked, finalized only after bufferevent_unlock); event_base_free finalizing bufferevents freed without a
 * loop run in between.
 */
#include "bev_common.h"

static int peer_state(evutil_socket_t fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    if (n > 0)
        return 1; /* data */
    if (n == 0)
        return 0; /* EOF: closed */
    return -1;    /* open, nothing to read */
}

static void free_in_read(struct bufferevent *b, void *arg)
{
    printf("%s: read in=%zu, freeing\n", (const char *)arg, inlen(b));
    bufferevent_free(b);
    printf("%s: freed inside callback\n", (const char *)arg);
}

static void free_in_event(struct bufferevent *b, short what, void *arg)
{
    printf("%s: event 0x%02x, freeing\n", (const char *)arg, what);
    bufferevent_free(b);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    printf("timer %s\n", (const char *)arg);
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *b;
    int rc;
    struct event_base *b2;

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();

    printf("-- CLOSE_ON_FREE with queued output, write disabled\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, print_readcb, print_writecb, print_eventcb, "A");
    bufferevent_disable(b, EV_WRITE);
    bufferevent_write(b, "never sent", 10);
    bufferevent_free(b);
    printf("peer before loop: %d\n", peer_state(sv[1]));
    run_nonblock(1);
    printf("peer after loop: %d\n", peer_state(sv[1]));
    close(sv[1]);

    printf("-- without CLOSE_ON_FREE the fd stays open\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], 0);
    bufferevent_write(b, "sent?", 5);
    bufferevent_free(b);
    run_nonblock(1);
    printf("peer: %d\n", peer_state(sv[1]));
    rc = write(sv[0], "still", 5);
    printf("fd usable: %d\n", rc);
    close(sv[0]);
    close(sv[1]);

    printf("-- free inside the read callback\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, free_in_read, print_writecb, print_eventcb, "B");
    bufferevent_enable(b, EV_READ);
    write(sv[1], "data", 4);
    run_nonblock(1);
    printf("peer: %d\n", peer_state(sv[1]));
    run_nonblock(1);
    printf("peer: %d\n", peer_state(sv[1]));
    close(sv[1]);

    printf("-- free inside a deferred event callback\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
    bufferevent_setcb(b, print_readcb, print_writecb, free_in_event, "C");
    bufferevent_enable(b, EV_READ);
    write(sv[1], "data", 4);
    close(sv[1]);
    run_nonblock(2);

    printf("-- free with a deferred callback queued\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS);
    bufferevent_setcb(b, print_readcb, print_writecb, print_eventcb, "D");
    bufferevent_trigger_event(b, BEV_EVENT_EOF, 0);
    bufferevent_trigger(b, EV_READ | EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS);
    bufferevent_free(b);
    run_nonblock(2);
    printf("peer: %d\n", peer_state(sv[1]));
    close(sv[1]);

    printf("-- incref / decref\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, print_readcb, print_writecb, print_eventcb, "E");
    bufferevent_incref(b);
    bufferevent_incref(b);
    rc = bufferevent_decref(b);
    printf("decref=%d\n", rc);
    bufferevent_free(b);
    run_nonblock(1);
    printf("peer after free with a reference left: %d\n", peer_state(sv[1]));
    bufferevent_enable(b, EV_READ);
    write(sv[1], "x", 1);
    run_nonblock(1);
    printf("callbacks were cleared by free (no output above)\n");
    rc = bufferevent_decref(b);
    printf("last decref=%d\n", rc);
    run_nonblock(1);
    printf("peer: %d\n", peer_state(sv[1]));
    close(sv[1]);

    printf("-- free while locked\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_lock(b);
    bufferevent_free(b);
    run_nonblock(1);
    printf("peer while still locked: %d\n", peer_state(sv[1]));
    bufferevent_unlock(b);
    run_nonblock(1);
    printf("peer after unlock: %d\n", peer_state(sv[1]));
    close(sv[1]);

    printf("-- freed then event_base_free without a loop\n");
    b2 = event_base_new();
    bev_socketpair(sv);
    b = bufferevent_socket_new(b2, sv[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_enable(b, EV_READ);
    bufferevent_write(b, "lost", 4);
    bufferevent_free(b);
    printf("peer before base free: %d\n", peer_state(sv[1]));
    {
        struct event *t = evtimer_new(b2, timer_cb, "unrelated");
        event_active(t, EV_TIMEOUT, 1);
        event_free(t);
    }
    event_base_free(b2);
    printf("peer after base free: %d\n", peer_state(sv[1]));
    close(sv[1]);

    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
