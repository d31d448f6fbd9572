/* Covers: event_base_priority_init (valid counts, 0, negative, 256 and above,
 * 255, same value twice, refused while events are active, refused from inside
 * a callback while another event is active), event_base_get_npriorities,
 * the default priority of new events (npriorities/2), event_priority_set
 * range checks and refusal on active events, event_get_priority. */
#include <event2/event.h>
#include <stdio.h>

static struct event_base *gb;
static struct event *other;

static void cb(evutil_socket_t fd, short what, void *arg)
{
    printf("cb %s ran\n", (const char *)arg);
}

static void cb_try_init(evutil_socket_t fd, short what, void *arg)
{
    printf("inside callback, other event pending-active: %s\n",
           event_pending(other, EV_TIMEOUT, NULL) ? "yes" : "no");
    int r = event_base_priority_init(gb, 5);
    printf("inside callback: priority_init(5) = %d npri=%d\n", r, event_base_get_npriorities(gb));
}

int main(void)
{
    struct event_base *b = event_base_new();
    gb = b;
    printf("default npriorities: %d\n", event_base_get_npriorities(b));
    struct event *e = evtimer_new(b, cb, "e");
    printf("default event priority (1 queue): %d\n", event_get_priority(e));
    event_free(e);

    int vals[] = {0, -1, -100, 256, 257, 1000, 1, 2, 2, 255, 3};
    for (unsigned i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
        int r = event_base_priority_init(b, vals[i]);
        printf("priority_init(%d) = %d -> npriorities=%d\n", vals[i], r, event_base_get_npriorities(b));
    }

    /* default priority of new events is the middle queue */
    int counts[] = {1, 2, 3, 4, 5, 10, 255};
    for (unsigned i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
        event_base_priority_init(b, counts[i]);
        e = evtimer_new(b, cb, "e");
        printf("npri=%d: new event priority=%d\n", event_base_get_npriorities(b), event_get_priority(e));
        event_free(e);
    }

    event_base_priority_init(b, 4);
    e = evtimer_new(b, cb, "e");
    int pris[] = {0, 3, 4, 5, -1, 2};
    for (unsigned i = 0; i < sizeof(pris) / sizeof(pris[0]); i++) {
        int r = event_priority_set(e, pris[i]);
        printf("event_priority_set(%d) = %d -> priority=%d\n", pris[i], r, event_get_priority(e));
    }

    /* pending (added, not active) events do not block priority_init */
    struct timeval tv = {5, 0};
    event_add(e, &tv);
    int r = event_base_priority_init(b, 6);
    printf("with a pending event: priority_init(6) = %d npri=%d\n", r, event_base_get_npriorities(b));
    event_del(e);

    /* an active event blocks priority_init and event_priority_set */
    event_active(e, EV_TIMEOUT, 0);
    r = event_base_priority_init(b, 8);
    printf("with an active event: priority_init(8) = %d npri=%d\n", r, event_base_get_npriorities(b));
    r = event_base_priority_init(b, 6);
    printf("with an active event: priority_init(6) (same count) = %d npri=%d\n", r, event_base_get_npriorities(b));
    r = event_priority_set(e, 0);
    printf("event_priority_set on active event = %d priority=%d\n", r, event_get_priority(e));
    printf("loop: %d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    r = event_base_priority_init(b, 7);
    printf("after loop: priority_init(7) = %d npri=%d\n", r, event_base_get_npriorities(b));
    event_free(e);

    /* from inside a callback while another event is still active */
    struct event *first = evtimer_new(b, cb_try_init, NULL);
    other = evtimer_new(b, cb, "other");
    event_priority_set(first, 0);
    event_priority_set(other, 1);
    event_active(first, EV_TIMEOUT, 0);
    event_active(other, EV_TIMEOUT, 0);
    printf("loop: %d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    printf("after loop npri=%d\n", event_base_get_npriorities(b));
    event_free(first);
    event_free(other);

    event_base_free(b);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
