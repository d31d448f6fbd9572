/* Covers: bufferevents under event_enable_debug_mode: socket, pair and
 * filter bufferevents created, used (reads, writes, timeouts), freed and
 * created again (so new ones may reuse the freed memory) without the debug
 * checks complaining; bev->ev_read examined with event_pending and
 * event_get_assignment; event_base_foreach_event sees the bufferevent's
 * events.
 */
#include "bev_common.h"
#include <event2/bufferevent_struct.h>

static int count_events(const struct event_base *b, const struct event *ev, void *arg)
{
    (void)b; (void)ev;
    (*(int *)arg)++;
    return 0;
}

static void readcb(struct bufferevent *b, void *arg)
{
    printf("%s: read in=%zu\n", (const char *)arg, inlen(b));
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *b, *p[2], *f;
    int round, n;
    struct timeval t50 = {0, 50000};

    event_enable_debug_mode();
    base = event_base_new();
    for (round = 0; round < 3; round++) {
        short what = 0;
        evutil_socket_t fd = -2;
        struct event_base *eb = NULL;
        event_callback_fn cb = NULL;
        printf("-- round %d\n", round);
        bev_socketpair(sv);
        b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
        bufferevent_setcb(b, readcb, NULL, print_eventcb, "S");
        bufferevent_enable(b, EV_READ);
        event_get_assignment(&b->ev_read, &eb, &fd, &what, &cb, NULL);
        printf("ev_read: base ok=%d fd ok=%d events=0x%x pending=0x%x\n", eb == base, fd == sv[0], what,
               event_pending(&b->ev_read, EV_READ | EV_WRITE | EV_TIMEOUT, NULL));
        n = 0;
        event_base_foreach_event(base, count_events, &n);
        printf("events in base=%d\n", n);
        write(sv[1], "ping", 4);
        bufferevent_write(b, "pong", 4);
        run_nonblock(2);
        printf("peer got %d\n", drain_fd(sv[1]));
        bufferevent_set_timeouts(b, &t50, NULL);
        run_for(120);

        bufferevent_pair_new(base, 0, p);
        f = bufferevent_filter_new(p[0], NULL, NULL, BEV_OPT_CLOSE_ON_FREE, NULL, NULL);
        bufferevent_setcb(f, readcb, NULL, print_eventcb, "F");
        bufferevent_enable(f, EV_READ);
        bufferevent_write(p[1], "through", 7);
        run_nonblock(2);
        bufferevent_free(f);
        bufferevent_free(p[1]);
        bufferevent_free(b);
        run_nonblock(1);
        close(sv[1]);
    }
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
