/* Covers: timers added out of order fire in deadline order; a zero timeout
 * fires on the first loop pass; an EV_PERSIST timer re-arms until it deletes
 * itself; event_base_loopexit with a delay ends the loop; the return values of
 * event_base_dispatch with and without pending events.  Deadlines are spaced
 * 40 ms apart so the order does not depend on scheduling noise. */
#include <event2/event.h>
#include <stdio.h>

static struct event *persist_ev;
static int persist_count;

static void once_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd;
    printf("timer %s fired (what=0x%x)\n", (const char *)arg, what);
}

static void persist_cb(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)arg;
    persist_count++;
    printf("persist tick %d (what=0x%x)\n", persist_count, what);
    if (persist_count == 3) {
        event_del(persist_ev);
        printf("persist pending after del: %d\n", event_pending(persist_ev, EV_TIMEOUT, NULL));
    }
}

int main(void)
{
    static const char *names[] = { "200ms", "40ms", "120ms", "0ms", "80ms" };
    static const int ms[] = { 200, 40, 120, 0, 80 };
    struct event *evs[5];
    struct event_base *base = event_base_new();
    struct timeval tv, exit_tv = { 0, 260 * 1000 }, tick = { 0, 50 * 1000 };
    int i, r;

    if (!base)
        return 1;
    for (i = 0; i < 5; i++) {
        evs[i] = evtimer_new(base, once_cb, (void *)names[i]);
        tv.tv_sec = 0;
        tv.tv_usec = ms[i] * 1000;
        evtimer_add(evs[i], &tv);
    }
    /* 50 ms steps: 50, 100, 150 ms never coincide with the one-shot deadlines. */
    persist_ev = event_new(base, -1, EV_PERSIST, persist_cb, NULL);
    event_add(persist_ev, &tick);

    event_base_loopexit(base, &exit_tv);
    r = event_base_dispatch(base);
    printf("dispatch returned %d, got_exit=%d\n", r, event_base_got_exit(base));

    /* Nothing pending any more: dispatch returns 1 at once. */
    r = event_base_dispatch(base);
    printf("empty dispatch returned %d\n", r);

    for (i = 0; i < 5; i++)
        event_free(evs[i]);
    event_free(persist_ev);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
