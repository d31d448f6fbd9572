/* Covers: event_base_init_common_timeout: same duration twice returns the
 * same pointer, different durations differ, an unnormalized duration
 * (usec >= 1000000) maps to its normalized twin, passing a returned common
 * timeout back in returns it again, the per-base limit (256 distinct
 * durations, then NULL plus a logged warning whose text is printed), two
 * bases get distinct pointers; timers using common timeouts fire in
 * expiry order mixed with ordinary timers, and re-adding an event moves it
 * between a common queue and the heap.  Ordinary timers use distinct
 * durations (ties between heap timers are not part of the contract);
 * events sharing one common timeout fire in the order they were added. */
#include <event2/event.h>
#include <stdio.h>
#include <sys/time.h>

static void log_cb(int severity, const char *msg)
{
    printf("log: severity=%d msg=\"%s\"\n", severity, msg);
}

static int order;
static void cb(evutil_socket_t fd, short what, void *arg)
{
    printf("fired #%d: %s what=0x%x\n", ++order, (const char *)arg, what);
}

int main(void)
{
    event_set_log_callback(log_cb);
    struct event_base *b = event_base_new();
    struct event_base *b2 = event_base_new();
    struct timeval d100 = {0, 100000}, d100b = {0, 100000}, d200 = {0, 200000};
    struct timeval d1500 = {0, 1500000}, d1_5 = {1, 500000};

    const struct timeval *c100 = event_base_init_common_timeout(b, &d100);
    const struct timeval *c100b = event_base_init_common_timeout(b, &d100b);
    const struct timeval *c200 = event_base_init_common_timeout(b, &d200);
    printf("common(100ms) non-NULL: %s\n", c100 ? "yes" : "no");
    printf("returned pointer is not the argument: %s\n", c100 != &d100 ? "yes" : "no");
    printf("returned tv_sec keeps the duration's seconds: %s\n", c100->tv_sec == 0 ? "yes" : "no");
    printf("same duration twice -> same pointer: %s\n", c100 == c100b ? "yes" : "no");
    printf("different duration -> different pointer: %s\n", c100 != c200 ? "yes" : "no");
    printf("passing the common timeout back -> same pointer: %s\n",
           event_base_init_common_timeout(b, c100) == c100 ? "yes" : "no");
    const struct timeval *c15a = event_base_init_common_timeout(b, &d1500);
    const struct timeval *c15b = event_base_init_common_timeout(b, &d1_5);
    printf("{0,1500000} and {1,500000} -> same pointer: %s\n", c15a == c15b ? "yes" : "no");
    const struct timeval *o100 = event_base_init_common_timeout(b2, &d100);
    printf("other base, same duration -> different pointer: %s\n", o100 != c100 ? "yes" : "no");

    /* the limit: 256 distinct durations per base; 3 are in use on b */
    int made = 3, nulls = 0;
    for (int i = 0; i < 260; i++) {
        struct timeval d = {10 + i, 0};
        const struct timeval *c = event_base_init_common_timeout(b, &d);
        if (c) made++; else nulls++;
    }
    printf("distinct common timeouts created: %d, NULL returns: %d\n", made, nulls);
    struct timeval again = {10, 0};
    printf("an existing duration still works at the limit: %s\n",
           event_base_init_common_timeout(b, &again) ? "yes" : "no");

    /* firing order: fresh base with a few common and ordinary timers */
    struct event_base *b3 = event_base_new();
    struct timeval t30 = {0, 30000}, t60 = {0, 60000}, t45 = {0, 45000}, t52 = {0, 52000};
    const struct timeval *c30 = event_base_init_common_timeout(b3, &t30);
    const struct timeval *c60 = event_base_init_common_timeout(b3, &t60);
    struct event *a = evtimer_new(b3, cb, "common60-a");
    struct event *bb = evtimer_new(b3, cb, "common30");
    struct event *c = evtimer_new(b3, cb, "plain45");
    struct event *d = evtimer_new(b3, cb, "common60-b");
    struct event *e = evtimer_new(b3, cb, "moved: common30 then plain52");
    struct event *f = evtimer_new(b3, cb, "moved: plain45 then common60");
    evtimer_add(a, c60);
    evtimer_add(bb, c30);
    evtimer_add(c, &t45);
    evtimer_add(d, c60);
    evtimer_add(e, c30);
    evtimer_add(e, &t52);
    evtimer_add(f, &t45);
    evtimer_add(f, c60);
    printf("pending: %d\n", event_base_get_num_events(b3, EVENT_BASE_COUNT_ADDED));
    struct timeval start, end;
    gettimeofday(&start, NULL);
    printf("dispatch = %d\n", event_base_dispatch(b3));
    gettimeofday(&end, NULL);
    long ms = (end.tv_sec - start.tv_sec) * 1000 + (end.tv_usec - start.tv_usec) / 1000;
    printf("all fired after >= 50ms: %s\n", ms >= 50 ? "yes" : "no");

    event_free(a); event_free(bb); event_free(c); event_free(d); event_free(e); event_free(f);
    event_base_free(b3);
    event_base_free(b2);
    event_base_free(b);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
