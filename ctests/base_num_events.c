/* Covers: event_base_get_num_events with EVENT_BASE_COUNT_ACTIVE, _ADDED,
 * _VIRTUAL and their combinations at different moments (empty base, events
 * added, events made active while added or not added, inside a callback,
 * after event_del, after the loop, signal events, event_base_once), and
 * event_base_get_max_events for each flag, combinations, with and without
 * the clear argument. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#define A EVENT_BASE_COUNT_ACTIVE
#define V EVENT_BASE_COUNT_VIRTUAL
#define D EVENT_BASE_COUNT_ADDED

static struct event_base *gb;

static void show(const char *when)
{
    printf("%-34s active=%d virtual=%d added=%d a|d=%d a|v=%d v|d=%d all=%d none=%d\n", when,
           event_base_get_num_events(gb, A), event_base_get_num_events(gb, V),
           event_base_get_num_events(gb, D), event_base_get_num_events(gb, A | D),
           event_base_get_num_events(gb, A | V), event_base_get_num_events(gb, V | D),
           event_base_get_num_events(gb, A | V | D), event_base_get_num_events(gb, 0));
}

static void showmax(const char *when)
{
    printf("%-34s max active=%d virtual=%d added=%d a|d=%d all=%d\n", when,
           event_base_get_max_events(gb, A, 0), event_base_get_max_events(gb, V, 0),
           event_base_get_max_events(gb, D, 0), event_base_get_max_events(gb, A | D, 0),
           event_base_get_max_events(gb, A | V | D, 0));
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
    char label[64];
    snprintf(label, sizeof(label), "inside cb %s:", (const char *)arg);
    show(label);
}

static void once_cb(evutil_socket_t fd, short what, void *arg)
{
    show("inside once cb:");
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    struct event_base *b = event_base_new();
    gb = b;
    show("empty base:");
    showmax("empty base:");

    struct event *rd = event_new(b, sv[0], EV_READ | EV_PERSIST, cb, "rd");
    struct event *t1 = evtimer_new(b, cb, "t1");
    struct event *t2 = evtimer_new(b, cb, "t2");
    struct event *t3 = evtimer_new(b, cb, "t3");
    struct event *sg = evsignal_new(b, SIGUSR2, cb, "sig");
    struct timeval tv = {10, 0};

    show("events created, none added:");
    event_add(rd, NULL);
    show("read added:");
    event_add(t1, &tv);
    show("read+timer added:");
    event_add(t1, &tv);
    show("timer re-added:");
    event_add(sg, NULL);
    show("signal added:");
    event_active(t1, EV_TIMEOUT, 0);
    show("added timer made active:");
    event_active(t1, EV_TIMEOUT, 0);
    show("same timer activated again:");
    event_active(t2, EV_TIMEOUT, 0);
    show("non-added timer made active:");
    event_active(t3, EV_TIMEOUT, 0);
    show("another non-added active:");
    showmax("peak:");
    event_del(t3);
    show("active-only event deleted:");
    event_del(sg);
    show("signal deleted:");

    printf("loop(NONBLOCK) = %d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    show("after loop:");
    showmax("after loop:");

    printf("max added with clear=1: %d\n", event_base_get_max_events(b, D, 1));
    printf("max added after clear: %d\n", event_base_get_max_events(b, D, 0));
    printf("max active with clear=1: %d\n", event_base_get_max_events(b, A, 1));
    printf("max active after clear: %d\n", event_base_get_max_events(b, A, 0));
    event_add(t2, &tv);
    event_add(t3, &tv);
    showmax("two timers added after clear:");
    printf("max a|d with clear=1: %d\n", event_base_get_max_events(b, A | D, 1));
    showmax("after combined clear:");

    event_del(t2);
    event_del(t3);
    printf("event_base_once = %d\n", event_base_once(b, -1, EV_TIMEOUT, once_cb, NULL, NULL));
    show("once scheduled:");
    printf("loop(ONCE) = %d\n", event_base_loop(b, EVLOOP_ONCE));
    show("after once ran:");

    /* a readable fd: active count inside its callback */
    if (write(sv[1], "x", 1) != 1) printf("write failed\n");
    event_active(t1, EV_TIMEOUT, 0);
    printf("loop(ONCE) = %d\n", event_base_loop(b, EVLOOP_ONCE));
    show("end:");

    event_free(rd);
    event_free(t1);
    event_free(t2);
    event_free(t3);
    event_free(sg);
    show("all freed:");
    event_base_free(b);
    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
