/* Covers: BEV_OPT_DEFER_CALLBACKS (read, write and event callbacks run from
 * the loop after the regular events of their priority, one coalesced run
 * per bufferevent, CONNECTED first, event flags accumulated, errno carried
 * with a deferred error), BEV_OPT_UNLOCK_CALLBACKS (refused without DEFER,
 * accepted with it), BEV_OPT_THREADSAFE (refused without evthread lock
 * functions), bufferevent_trigger and bufferevent_trigger_event with and
 * without BEV_TRIG_DEFER_CALLBACKS and BEV_TRIG_IGNORE_WATERMARKS (a
 * deferred event callback gets every bit of the short, not only BEV_EVENT_*),
 * and
 * priorities: bufferevent_priority_set / get_priority with several
 * priorities, including for the deferred callback.
 */
#include "bev_common.h"

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    printf("timer %s\n", (const char *)arg);
}

static void readcb(struct bufferevent *b, void *arg)
{
    printf("%s: read in=%zu\n", (const char *)arg, inlen(b));
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
}

static void eventcb_errno(struct bufferevent *b, short what, void *arg)
{
    printf("%s: event 0x%02x errno=%s\n", (const char *)arg, what,
           (what & BEV_EVENT_ERROR) ? strerror(errno) : "-");
    (void)b;
}

int main(void)
{
    evutil_socket_t sv[2], sv2[2];
    struct bufferevent *d, *n, *x;
    struct event *t1;
    struct event_base *b3;

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();

    printf("-- options\n");
    bev_socketpair(sv);
    x = bufferevent_socket_new(base, sv[0], BEV_OPT_UNLOCK_CALLBACKS);
    printf("UNLOCK alone: %s\n", x ? "ok" : "NULL");
    x = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE);
    printf("THREADSAFE without threads: %s\n", x ? "ok" : "NULL");
    x = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE | BEV_OPT_UNLOCK_CALLBACKS);
    printf("THREADSAFE|UNLOCK: %s\n", x ? "ok" : "NULL");
    x = bufferevent_socket_new(base, sv[0], BEV_OPT_DEFER_CALLBACKS | BEV_OPT_UNLOCK_CALLBACKS);
    printf("DEFER|UNLOCK: %s\n", x ? "ok" : "NULL");
    bufferevent_free(x);
    x = bufferevent_socket_new(base, sv[0], 0x100);
    printf("unknown option bit: %s\n", x ? "ok" : "NULL");
    bufferevent_free(x);
    run_nonblock(1);

    printf("-- deferred vs immediate, with a timer activated first\n");
    bev_socketpair(sv2);
    d = bufferevent_socket_new(base, sv[0], BEV_OPT_DEFER_CALLBACKS);
    n = bufferevent_socket_new(base, sv2[0], 0);
    bufferevent_setcb(d, readcb, print_writecb, eventcb_errno, "D");
    bufferevent_setcb(n, readcb, print_writecb, eventcb_errno, "N");
    bufferevent_enable(d, EV_READ);
    t1 = evtimer_new(base, timer_cb, "t1");
    write(sv[1], "abc", 3);
    event_active(t1, EV_TIMEOUT, 1);
    run_nonblock(1);
    printf("-- write on deferred: write callback from the loop\n");
    bufferevent_write(d, "xyz", 3);
    event_base_loop(base, EVLOOP_ONCE);
    printf("peer got %d\n", drain_fd(sv[1]));

    printf("-- triggers\n");
    bufferevent_trigger(n, EV_READ, 0);
    printf("(N read below low wm 0? in=%zu)\n", inlen(n));
    bufferevent_setwatermark(n, EV_READ, 5, 0);
    bufferevent_trigger(n, EV_READ, 0);
    printf("after trigger below low watermark\n");
    bufferevent_trigger(n, EV_READ, BEV_TRIG_IGNORE_WATERMARKS);
    printf("after trigger ignoring watermarks\n");
    bufferevent_trigger(n, EV_READ | EV_WRITE, BEV_TRIG_DEFER_CALLBACKS | BEV_TRIG_IGNORE_WATERMARKS);
    printf("after deferred trigger\n");
    bufferevent_trigger_event(n, BEV_EVENT_EOF | BEV_EVENT_READING, 0);
    printf("after trigger_event\n");
    bufferevent_trigger_event(n, BEV_EVENT_EOF, BEV_TRIG_DEFER_CALLBACKS);
    errno = ECONNRESET;
    bufferevent_trigger_event(n, BEV_EVENT_ERROR, BEV_TRIG_DEFER_CALLBACKS);
    errno = 0;
    bufferevent_trigger_event(n, BEV_EVENT_CONNECTED, BEV_TRIG_DEFER_CALLBACKS);
    printf("after deferred trigger_events\n");
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_setwatermark(n, EV_READ, 0, 0);

    printf("-- deferred callbacks with NULL callbacks stay pending\n");
    bufferevent_setcb(d, NULL, NULL, NULL, "D");
    bufferevent_trigger(d, EV_READ | EV_WRITE, BEV_TRIG_IGNORE_WATERMARKS);
    bufferevent_trigger_event(d, BEV_EVENT_EOF, 0);
    run_nonblock(1);
    bufferevent_setcb(d, readcb, print_writecb, eventcb_errno, "D");
    bufferevent_trigger_event(d, BEV_EVENT_TIMEOUT, 0);
    run_nonblock(1);

    printf("-- deferred trigger_event: the whole short arrives\n");
    bufferevent_trigger_event(n, 0x120, BEV_TRIG_DEFER_CALLBACKS);
    bufferevent_trigger_event(n, (short)0x8200, BEV_TRIG_DEFER_CALLBACKS);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_trigger_event(d, 0x1010, 0);
    bufferevent_trigger_event(d, 0x0480 | BEV_EVENT_CONNECTED, 0);
    run_nonblock(1);

    printf("-- priorities\n");
    b3 = event_base_new();
    event_base_priority_init(b3, 3);
    {
        struct bufferevent *p = bufferevent_socket_new(b3, -1, BEV_OPT_DEFER_CALLBACKS);
        struct event *t0 = evtimer_new(b3, timer_cb, "prio0");
        struct event *t2 = evtimer_new(b3, timer_cb, "prio2");
        int rc;
        event_priority_set(t0, 0);
        event_priority_set(t2, 2);
        printf("default priority=%d\n", bufferevent_get_priority(p));
        rc = bufferevent_priority_set(p, 5);
        printf("set 5: %d\n", rc);
        rc = bufferevent_priority_set(p, -1);
        printf("set -1: %d\n", rc);
        rc = bufferevent_priority_set(p, 2);
        printf("set 2: %d priority=%d\n", rc, bufferevent_get_priority(p));
        bufferevent_setcb(p, readcb, print_writecb, print_eventcb, "P2");
        event_active(t2, EV_TIMEOUT, 1);
        bufferevent_trigger_event(p, BEV_EVENT_EOF, 0);
        event_active(t0, EV_TIMEOUT, 1);
        event_base_loop(b3, EVLOOP_NONBLOCK);
        rc = bufferevent_priority_set(p, 0);
        printf("set 0: %d\n", rc);
        event_active(t2, EV_TIMEOUT, 1);
        bufferevent_trigger_event(p, BEV_EVENT_EOF, 0);
        event_active(t0, EV_TIMEOUT, 1);
        event_base_loop(b3, EVLOOP_NONBLOCK);
        bufferevent_free(p);
        event_free(t0);
        event_free(t2);
        event_base_loop(b3, EVLOOP_NONBLOCK);
    }
    event_base_free(b3);

    bufferevent_free(d);
    bufferevent_free(n);
    event_free(t1);
    run_nonblock(1);
    close(sv[0]);
    close(sv[1]);
    close(sv2[0]);
    close(sv2[1]);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
