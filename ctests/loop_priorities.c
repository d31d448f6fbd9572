/* Covers: event priorities in the loop: callbacks run strictly by priority
 * (0 first) and FIFO within a priority; I/O events of different priorities
 * that become ready together; timers that expire together run by priority,
 * not by expiry; a high-priority event that keeps re-activating itself (or
 * stays readable) starves lower priorities until it stops (counted); a
 * low-priority callback activating a higher-priority event (2.1.12: the
 * current pass stops and the high event runs before the rest of the low
 * queue); activating same- and lower-priority events from a callback (they
 * join the back of their queues). */
#include <event2/event.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static struct event_base *b;

static void simple_cb(evutil_socket_t fd, short what, void *arg)
{
    printf(" %s", (const char *)arg);
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    char c;
    if (read(fd, &c, 1) != 1) printf("[read failed]");
    printf(" %s", (const char *)arg);
}

static struct event *mk(const char *name, int pri, event_callback_fn cb, void *arg)
{
    struct event *e = evtimer_new(b, cb, arg ? arg : (void *)name);
    event_priority_set(e, pri);
    return e;
}

/* starvation */
static int high_runs, low_seen_after;
static struct event *self_ev;
static void self_cb(evutil_socket_t fd, short what, void *arg)
{
    high_runs++;
    printf(" H%d", high_runs);
    if (high_runs < 5)
        event_active(self_ev, EV_TIMEOUT, 0);
}
static void low_count_cb(evutil_socket_t fd, short what, void *arg)
{
    low_seen_after = high_runs;
    printf(" L");
}

static int reads;
static struct event *hr;
static void hr_cb(evutil_socket_t fd, short what, void *arg)
{
    char c;
    if (read(fd, &c, 1) != 1) printf("[read failed]");
    reads++;
    printf(" R%d", reads);
}
static void low_stop_cb(evutil_socket_t fd, short what, void *arg)
{
    printf(" L(after %d reads)", reads);
    event_del(hr);
}

/* activation from callbacks */
struct activator { const char *name; struct event **target; };
static void activator_cb(evutil_socket_t fd, short what, void *arg)
{
    struct activator *a = arg;
    printf(" %s", a->name);
    event_active(*a->target, EV_TIMEOUT, 0);
}

static void sleeper_cb(evutil_socket_t fd, short what, void *arg)
{
    printf(" %s", (const char *)arg);
    usleep(60000);
}

int main(void)
{
    int p1[2], p2[2], p3[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, p1) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, p2) < 0 ||
        socketpair(AF_UNIX, SOCK_STREAM, 0, p3) < 0) { perror("socketpair"); return 1; }
    b = event_base_new();
    printf("priority_init(4) = %d\n", event_base_priority_init(b, 4));

    /* 1: manual activation in reverse priority order */
    struct event *e3 = mk("p3", 3, simple_cb, NULL), *e2 = mk("p2", 2, simple_cb, NULL);
    struct event *e1a = mk("p1a", 1, simple_cb, NULL), *e1b = mk("p1b", 1, simple_cb, NULL);
    struct event *e0 = mk("p0", 0, simple_cb, NULL), *e1c = mk("p1c", 1, simple_cb, NULL);
    event_active(e3, EV_TIMEOUT, 0);
    event_active(e2, EV_TIMEOUT, 0);
    event_active(e1a, EV_TIMEOUT, 0);
    event_active(e1b, EV_TIMEOUT, 0);
    event_active(e0, EV_TIMEOUT, 0);
    event_active(e1c, EV_TIMEOUT, 0);
    printf("activated p3 p2 p1a p1b p0 p1c, order:");
    int r = event_base_loop(b, 0);
    printf("  (loop=%d)\n", r);

    /* 2: I/O readiness in the same iteration */
    struct event *io2 = event_new(b, p1[0], EV_READ, read_cb, "io-p2");
    struct event *io0 = event_new(b, p2[0], EV_READ, read_cb, "io-p0");
    struct event *io1 = event_new(b, p3[0], EV_READ, read_cb, "io-p1");
    event_priority_set(io2, 2);
    event_priority_set(io0, 0);
    event_priority_set(io1, 1);
    event_add(io2, NULL);
    event_add(io0, NULL);
    event_add(io1, NULL);
    if (write(p1[1], "a", 1) != 1 || write(p2[1], "b", 1) != 1 || write(p3[1], "c", 1) != 1)
        printf("write failed\n");
    printf("three fds ready at once, loop(ONCE) order:");
    r = event_base_loop(b, EVLOOP_ONCE);
    printf("  (loop=%d)\n", r);

    /* 3: timers that expired together run by priority */
    struct event *tlow = mk("timer10ms-p3", 3, simple_cb, NULL);
    struct event *thigh = mk("timer25ms-p0", 0, simple_cb, NULL);
    struct event *sl = mk("sleep60ms-p1", 1, sleeper_cb, NULL);
    struct timeval t10 = {0, 10000}, t25 = {0, 25000};
    event_add(tlow, &t10);
    event_add(thigh, &t25);
    event_active(sl, EV_TIMEOUT, 0);
    printf("timers expiring during a slow callback, order:");
    r = event_base_loop(b, 0);
    printf("  (loop=%d)\n", r);

    /* 4: starvation by a self-reactivating high-priority event */
    self_ev = mk("self", 0, self_cb, NULL);
    struct event *low = mk("low", 3, low_count_cb, NULL);
    event_active(low, EV_TIMEOUT, 0);
    event_active(self_ev, EV_TIMEOUT, 0);
    printf("self-reactivating p0 vs p3, order:");
    r = event_base_loop(b, 0);
    printf("  (loop=%d) low ran after %d high callbacks\n", r, low_seen_after);

    /* 5: starvation by a persistently readable high-priority fd */
    hr = event_new(b, p1[0], EV_READ | EV_PERSIST, hr_cb, NULL);
    event_priority_set(hr, 0);
    event_add(hr, NULL);
    struct event *lowstop = mk("lowstop", 2, low_stop_cb, NULL);
    if (write(p1[1], "wxyz", 4) != 4) printf("write failed\n");
    event_active(lowstop, EV_TIMEOUT, 0);
    printf("readable p0 fd with 4 bytes vs active p2, order:");
    r = event_base_loop(b, 0);
    printf("  (loop=%d)\n", r);

    /* 6: low callback activates a high event while other lows are queued */
    struct event *high = mk("HIGH", 0, simple_cb, NULL);
    struct activator act_high = {"l1(activates HIGH)", &high};
    struct event *l1 = mk("l1", 2, activator_cb, &act_high);
    struct event *l2 = mk("l2", 2, simple_cb, NULL), *l3 = mk("l3", 2, simple_cb, NULL);
    event_active(l1, EV_TIMEOUT, 0);
    event_active(l2, EV_TIMEOUT, 0);
    event_active(l3, EV_TIMEOUT, 0);
    printf("low queue l1 l2 l3, l1 activates p0, order:");
    r = event_base_loop(b, 0);
    printf("  (loop=%d)\n", r);

    /* 7: callbacks activating same- and lower-priority events */
    struct event *same = mk("same-p1", 1, simple_cb, NULL);
    struct event *lower = mk("lower-p2", 2, simple_cb, NULL);
    struct activator act_lower = {"h1(activates lower-p2)", &lower};
    struct activator act_same = {"h2(activates same-p1)", &same};
    struct event *h1 = mk("h1", 1, activator_cb, &act_lower);
    struct event *h2 = mk("h2", 1, activator_cb, &act_same);
    struct event *h3 = mk("h3", 1, simple_cb, NULL);
    event_active(h1, EV_TIMEOUT, 0);
    event_active(h2, EV_TIMEOUT, 0);
    event_active(h3, EV_TIMEOUT, 0);
    printf("p1 queue h1 h2 h3, order:");
    r = event_base_loop(b, 0);
    printf("  (loop=%d)\n", r);

    event_free(e3); event_free(e2); event_free(e1a); event_free(e1b); event_free(e0); event_free(e1c);
    event_free(io2); event_free(io0); event_free(io1);
    event_free(tlow); event_free(thigh); event_free(sl);
    event_free(self_ev); event_free(low); event_free(hr); event_free(lowstop);
    event_free(high); event_free(l1); event_free(l2); event_free(l3);
    event_free(same); event_free(lower); event_free(h1); event_free(h2); event_free(h3);
    event_base_free(b);
    close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]); close(p3[0]); close(p3[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
