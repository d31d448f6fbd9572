/* Covers: event_base_loopexit (NULL and with a delay; called before the loop
 * runs; called twice; from inside a callback: the rest of the current pass
 * still runs), event_base_loopbreak (from inside a callback: the remaining
 * active callbacks do not run and stay active for the next loop; called while
 * the loop is not running: ignored, because the loop clears the flag when it
 * starts), event_base_loopcontinue (stops the current pass so the loop polls
 * again; outside the loop it has no lasting effect), event_base_got_exit and
 * event_base_got_break (before, inside, after, and reset by the next loop),
 * and the loop's return value in each case. */
#include <event2/event.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static struct event_base *b;
static int sv[2];
static struct timeval start;
static long elapsed_ms(void)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    return (now.tv_sec - start.tv_sec) * 1000 + (now.tv_usec - start.tv_usec) / 1000;
}

enum { NOTHING, DO_BREAK, DO_EXIT, DO_EXIT_LATER, DO_CONTINUE, DO_WRITE };
struct act { const char *name; int what; };

static void act_cb(evutil_socket_t fd, short w, void *arg)
{
    struct act *a = arg;
    printf(" %s", a->name);
    switch (a->what) {
    case DO_BREAK: {
        int r = event_base_loopbreak(b);
        printf("[loopbreak=%d got_break=%d]", r, event_base_got_break(b));
        break;
    }
    case DO_EXIT: {
        int r = event_base_loopexit(b, NULL);
        printf("[loopexit=%d got_exit=%d]", r, event_base_got_exit(b));
        break;
    }
    case DO_EXIT_LATER: {
        struct timeval tv = {0, 30000};
        printf("[loopexit(30ms)=%d]", event_base_loopexit(b, &tv));
        break;
    }
    case DO_CONTINUE:
        printf("[loopcontinue=%d]", event_base_loopcontinue(b));
        break;
    case DO_WRITE:
        if (write(sv[1], "x", 1) != 1) printf("[write failed]");
        break;
    }
}

static void read_cb(evutil_socket_t fd, short w, void *arg)
{
    char c;
    if (read(fd, &c, 1) != 1) printf("[read failed]");
    printf(" H");
}

static int ticks;
static void tick_cb(evutil_socket_t fd, short w, void *arg) { ticks++; }

static void flags(const char *when)
{
    printf("%s: got_exit=%d got_break=%d\n", when, event_base_got_exit(b), event_base_got_break(b));
}

int main(void)
{
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    b = event_base_new();
    event_base_priority_init(b, 2);
    flags("fresh base");

    struct act a1 = {"A1", NOTHING}, a2b = {"A2", DO_BREAK}, a3 = {"A3", NOTHING};
    struct act e2 = {"A2", DO_EXIT}, d1 = {"D(pri1)", NOTHING};
    struct act c1 = {"E1", DO_WRITE}, c2 = {"E2", DO_CONTINUE}, c3 = {"E3", NOTHING}, c4 = {"E4", NOTHING};
    struct act x2 = {"A2", DO_EXIT_LATER};
    struct event *ev1 = evtimer_new(b, act_cb, &a1);
    struct event *ev2 = evtimer_new(b, act_cb, &a2b);
    struct event *ev3 = evtimer_new(b, act_cb, &a3);
    struct event *evd = evtimer_new(b, act_cb, &d1);
    event_priority_set(ev1, 0);
    event_priority_set(ev2, 0);
    event_priority_set(ev3, 0);
    event_priority_set(evd, 1);

    /* persistent ticking timer keeps the base non-empty */
    struct event *tick = event_new(b, -1, EV_PERSIST, tick_cb, NULL);
    struct timeval t5 = {0, 5000};
    event_add(tick, &t5);

    /* loopbreak inside a callback */
    event_active(ev1, EV_TIMEOUT, 0);
    event_active(ev2, EV_TIMEOUT, 0);
    event_active(ev3, EV_TIMEOUT, 0);
    event_active(evd, EV_TIMEOUT, 0);
    printf("loopbreak in A2 of A1,A2,A3 (pri0) + D (pri1):");
    int r = event_base_loop(b, 0);
    printf("\n  -> %d\n", r);
    flags("  after");
    printf("  A3 still active: %s, D still active: %s\n",
           event_pending(ev3, EV_TIMEOUT, NULL) ? "yes" : "no", event_pending(evd, EV_TIMEOUT, NULL) ? "yes" : "no");
    printf("next loop(ONCE):");
    r = event_base_loop(b, EVLOOP_ONCE);
    printf("\n  -> %d\n", r);
    flags("  after");

    /* loopexit(NULL) inside a callback */
    event_assign(ev2, b, -1, 0, act_cb, &e2);
    event_priority_set(ev2, 0);
    event_active(ev1, EV_TIMEOUT, 0);
    event_active(ev2, EV_TIMEOUT, 0);
    event_active(ev3, EV_TIMEOUT, 0);
    event_active(evd, EV_TIMEOUT, 0);
    printf("loopexit(NULL) in A2 of A1,A2,A3 (pri0) + D (pri1):");
    r = event_base_loop(b, 0);
    printf("\n  -> %d\n", r);
    flags("  after");
    printf("  D still active: %s\n", event_pending(evd, EV_TIMEOUT, NULL) ? "yes" : "no");
    event_del(evd);

    /* loopexit with a delay from inside a callback */
    event_assign(ev2, b, -1, 0, act_cb, &x2);
    event_active(ev2, EV_TIMEOUT, 0);
    ticks = 0;
    gettimeofday(&start, NULL);
    printf("loopexit(30ms) from a callback:");
    r = event_base_loop(b, 0);
    long ms = elapsed_ms();
    printf("\n  -> %d after >= 25ms: %s, < 500ms: %s, ticks > 0: %s\n", r, ms >= 25 ? "yes" : "no",
           ms < 500 ? "yes" : "no", ticks > 0 ? "yes" : "no");
    flags("  after");

    /* loopexit while not running */
    printf("loopexit(NULL) while not running = %d\n", event_base_loopexit(b, NULL));
    flags("  before loop");
    event_active(ev1, EV_TIMEOUT, 0);
    printf("loop with A1 active:");
    r = event_base_loop(b, 0);
    printf("\n  -> %d\n", r);
    flags("  after");

    /* loopexit(NULL) twice: both consumed by one loop */
    r = event_base_loopexit(b, NULL);
    printf("loopexit(NULL) twice = %d", r);
    printf(" %d\n", event_base_loopexit(b, NULL));
    r = event_base_loop(b, 0);
    printf("  first loop -> %d\n", r);
    struct event *once_more = evtimer_new(b, act_cb, &a3);
    struct timeval t20 = {0, 20000};
    event_add(once_more, &t20);
    event_del(tick);
    printf("  second loop with a 20ms timer:");
    r = event_base_loop(b, 0);
    printf("\n  second loop -> %d\n", r);
    event_add(tick, &t5);

    /* loopexit twice with delays: the later one stays scheduled */
    struct timeval t20b = {0, 20000}, t90 = {0, 90000};
    gettimeofday(&start, NULL);
    r = event_base_loopexit(b, &t20b);
    printf("loopexit(20ms)=%d", r);
    printf(" loopexit(90ms)=%d\n", event_base_loopexit(b, &t90));
    r = event_base_loop(b, 0);
    ms = elapsed_ms();
    printf("  first loop -> %d, ended in [15ms, 80ms): %s\n", r, ms >= 15 && ms < 80 ? "yes" : "no");
    r = event_base_loop(b, 0);
    ms = elapsed_ms();
    printf("  second loop -> %d, ended at >= 80ms (the 90ms exit): %s, < 600ms: %s\n", r,
           ms >= 80 ? "yes" : "no", ms < 600 ? "yes" : "no");
    flags("  after");

    /* loopbreak while not running is forgotten when the loop starts */
    printf("loopbreak while not running = %d\n", event_base_loopbreak(b));
    flags("  before loop");
    event_del(tick);
    event_add(once_more, &t20);
    printf("  loop with a 20ms timer:");
    r = event_base_loop(b, 0);
    printf("\n  -> %d\n", r);
    flags("  after");

    /* loopcontinue */
    struct event *h = event_new(b, sv[0], EV_READ, read_cb, NULL);
    event_priority_set(h, 0);
    event_add(h, NULL);
    struct event *l1 = evtimer_new(b, act_cb, &c1);
    struct event *l2 = evtimer_new(b, act_cb, &c2);
    struct event *l3 = evtimer_new(b, act_cb, &c3);
    struct event *l4 = evtimer_new(b, act_cb, &c4);
    struct event *ls[4] = {l1, l2, l3, l4};
    for (int i = 0; i < 4; i++) {
        event_priority_set(ls[i], 1);
        event_active(ls[i], EV_TIMEOUT, 0);
    }
    printf("loopcontinue in E2 (E1 makes high-priority H readable):");
    r = event_base_loop(b, 0);
    printf("\n  -> %d\n", r);
    flags("  after");
    event_assign(l2, b, -1, 0, act_cb, &a3);
    event_priority_set(l2, 1);
    event_add(h, NULL);
    for (int i = 0; i < 4; i++)
        event_active(ls[i], EV_TIMEOUT, 0);
    printf("same without loopcontinue:");
    r = event_base_loop(b, 0);
    printf("\n  -> %d\n", r);
    printf("loopcontinue while not running = %d\n", event_base_loopcontinue(b));
    event_add(h, NULL);
    event_assign(l2, b, -1, 0, act_cb, &a3);
    event_priority_set(l2, 1);
    for (int i = 0; i < 4; i++)
        event_active(ls[i], EV_TIMEOUT, 0);
    printf("  then the same loop again:");
    r = event_base_loop(b, 0);
    printf("\n  -> %d\n", r);

    event_free(ev1); event_free(ev2); event_free(ev3); event_free(evd);
    event_free(tick); event_free(once_more); event_free(h);
    for (int i = 0; i < 4; i++)
        event_free(ls[i]);
    event_base_free(b);
    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
