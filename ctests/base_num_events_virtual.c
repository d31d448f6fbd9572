/* Covers: EVENT_BASE_COUNT_VIRTUAL in event_base_get_num_events and
 * event_base_get_max_events, and how virtual events keep event_base_loop from
 * reporting "no events" (return 1).  On Linux nothing public creates virtual
 * events, so this uses event_base_add_virtual_/event_base_del_virtual_, which
 * libevent 2.1.12 exports from libevent.so although no header declares them. */
#include <event2/event.h>
#include <stdio.h>

void event_base_add_virtual_(struct event_base *base);
void event_base_del_virtual_(struct event_base *base);

static void show(struct event_base *b, const char *when)
{
    printf("%-22s active=%d virtual=%d added=%d all=%d max_virtual=%d\n", when,
           event_base_get_num_events(b, EVENT_BASE_COUNT_ACTIVE),
           event_base_get_num_events(b, EVENT_BASE_COUNT_VIRTUAL),
           event_base_get_num_events(b, EVENT_BASE_COUNT_ADDED),
           event_base_get_num_events(b, EVENT_BASE_COUNT_ACTIVE | EVENT_BASE_COUNT_VIRTUAL | EVENT_BASE_COUNT_ADDED),
           event_base_get_max_events(b, EVENT_BASE_COUNT_VIRTUAL, 0));
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
    printf("cb ran\n");
}

int main(void)
{
    struct event_base *b = event_base_new();
    show(b, "empty:");
    printf("loop(NONBLOCK) on empty base = %d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    event_base_add_virtual_(b);
    show(b, "one virtual:");
    event_base_add_virtual_(b);
    show(b, "two virtual:");
    printf("loop(NONBLOCK) with virtual = %d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    struct event *e = evtimer_new(b, cb, NULL);
    event_active(e, EV_TIMEOUT, 0);
    show(b, "plus active timer:");
    printf("loop(NONBLOCK) = %d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    event_base_del_virtual_(b);
    show(b, "one removed:");
    event_base_del_virtual_(b);
    show(b, "both removed:");
    printf("max virtual clear=1: %d\n", event_base_get_max_events(b, EVENT_BASE_COUNT_VIRTUAL, 1));
    show(b, "after clear:");
    printf("loop(NONBLOCK) no virtual = %d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    event_free(e);
    event_base_free(b);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
