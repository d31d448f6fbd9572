/* Covers: event_base_foreach_event: which events are visited (inserted io,
 * signal, timer, common-timeout and active-only events; internal events are
 * not shown to the callback), the order of visiting, early stop when the
 * callback returns non-zero (that value is returned), return 0 after a full
 * walk, an empty base, and calling it from inside an event callback.
 * Note: libevent's own internal events (the signal notification reader and
 * a common-timeout timer) are visited too; they are printed as "(not ours)".
 * Visiting order seen in 2.1.12: io events by fd (per fd, most recently
 * added first), signals by number, the timer heap in array order (timers
 * added here with increasing timeouts so it is sorted), common-timeout
 * queues, then active-only events by priority. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static struct event_base *gb;
static const char *labels[] = {"read-sv2", "read-sv0", "write-sv0", "sig-usr2", "sig-usr1",
    "timer-1s", "timer-2s", "timer-3s", "common-20s-a", "common-20s-b",
    "active-only-pri0", "active-only-pri2", "walker"};

/* events we did not create (libevent's own) carry an arg that is none of our
 * labels */
static const char *label_of(const struct event *ev)
{
    void *arg = event_get_callback_arg(ev);
    for (unsigned i = 0; i < sizeof(labels) / sizeof(labels[0]); i++)
        if (arg == (void *)labels[i]) return labels[i];
    return "(not ours)";
}

struct walk {
    int visited;
    int stop_at;   /* return non-zero on this visit number (1-based), 0 = never */
    int retval;
};

static int visit(const struct event_base *b, const struct event *ev, void *arg)
{
    struct walk *w = arg;
    w->visited++;
    short what = event_get_events(ev);
    printf("  visit %d: %s events=0x%x same_base=%s pending(RWST)=0x%x\n", w->visited,
           label_of(ev), what, b == gb ? "yes" : "no",
           event_pending(ev, EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT, NULL));
    if (w->stop_at && w->visited == w->stop_at)
        return w->retval;
    return 0;
}

static void walk(const char *title, int stop_at, int retval)
{
    struct walk w = {0, stop_at, retval};
    printf("%s\n", title);
    int r = event_base_foreach_event(gb, visit, &w);
    printf("  -> returned %d after %d visits\n", r, w.visited);
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
    printf("callback %s\n", (const char *)arg);
    if (arg != (void *)labels[12])
        return;
    walk("walk from inside a callback:", 0, 0);
}

int main(void)
{
    int sv[2], sv2[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) < 0) { perror("socketpair"); return 1; }
    struct event_base *b = event_base_new();
    gb = b;
    event_base_priority_init(b, 3);
    walk("empty base:", 0, 0);

    struct timeval t1 = {1, 0}, t2 = {2, 0}, t3 = {3, 0}, t20 = {20, 0};
    const struct timeval *common = event_base_init_common_timeout(b, &t20);
    /* added in an order that differs from fd order */
    struct event *r2 = event_new(b, sv2[0], EV_READ, cb, (void *)labels[0]);
    struct event *r1 = event_new(b, sv[0], EV_READ | EV_PERSIST, cb, (void *)labels[1]);
    struct event *w1 = event_new(b, sv[0], EV_WRITE, cb, (void *)labels[2]);
    struct event *s2 = evsignal_new(b, SIGUSR2, cb, (void *)labels[3]);
    struct event *s1 = evsignal_new(b, SIGUSR1, cb, (void *)labels[4]);
    struct event *ta = evtimer_new(b, cb, (void *)labels[5]);
    struct event *tb = evtimer_new(b, cb, (void *)labels[6]);
    struct event *tc = evtimer_new(b, cb, (void *)labels[7]);
    struct event *cc1 = evtimer_new(b, cb, (void *)labels[8]);
    struct event *cc2 = evtimer_new(b, cb, (void *)labels[9]);
    struct event *act0 = evtimer_new(b, cb, (void *)labels[10]);
    struct event *act2 = evtimer_new(b, cb, (void *)labels[11]);
    struct event *wk = evtimer_new(b, cb, (void *)labels[12]);
    event_priority_set(act0, 0);
    event_priority_set(act2, 2);

    event_add(r2, NULL);
    event_add(r1, NULL);
    event_add(w1, NULL);
    event_add(s2, NULL);
    event_add(s1, NULL);
    event_add(ta, &t1);
    event_add(tb, &t2);
    event_add(tc, &t3);
    event_add(cc1, common);
    event_add(cc2, common);
    walk("inserted events:", 0, 0);

    event_active(act2, EV_TIMEOUT, 0);
    event_active(act0, EV_TIMEOUT, 0);
    event_active(tb, EV_TIMEOUT, 0);
    walk("with active events:", 0, 0);

    walk("stop at visit 3 returning 7:", 3, 7);
    walk("stop at visit 1 returning -2:", 1, -2);
    walk("stop at visit 14 (the last) returning 1:", 14, 1);
    walk("stop at visit 15 (past the end) returning 1:", 15, 1);

    /* only delete timers all together: the visiting order of the timer heap
     * after a single removal is an artifact of the heap layout */
    event_del(act0);
    event_del(act2);
    event_del(ta);
    event_del(tb);
    event_del(tc);
    event_del(w1);
    event_del(s2);
    walk("after some event_del:", 0, 0);

    /* walking from inside a callback */
    event_active(wk, EV_TIMEOUT, 0);
    event_base_loop(b, EVLOOP_NONBLOCK);

    event_free(r1); event_free(r2); event_free(w1);
    event_free(s1); event_free(s2);
    event_free(ta); event_free(tb); event_free(tc);
    event_free(cc1); event_free(cc2);
    event_free(act0); event_free(act2); event_free(wk);
    walk("all freed:", 0, 0);
    event_base_free(b);
    close(sv[0]); close(sv[1]); close(sv2[0]); close(sv2[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
