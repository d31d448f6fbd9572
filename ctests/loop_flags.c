/* Covers: event_base_loop return values and flags: 0 (runs until no events,
 * returns 1), EVLOOP_ONCE (blocks for the first ready event, runs the
 * active ones, keeps going while callbacks activate more events, then returns
 * 0), EVLOOP_NONBLOCK (never waits: a future timer is not run; keeps looping
 * while callbacks keep activating events), EVLOOP_ONCE|EVLOOP_NONBLOCK,
 * EVLOOP_NO_EXIT_ON_EMPTY (an empty base does not return 1: with NONBLOCK it
 * returns 0, blocking it waits until a loopexit timer fires), and
 * event_base_dispatch being event_base_loop(base, 0). */
#include <event2/event.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static struct timeval start;
static long elapsed_ms(void)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    return (now.tv_sec - start.tv_sec) * 1000 + (now.tv_usec - start.tv_usec) / 1000;
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
    printf("  cb %s what=0x%x\n", (const char *)arg, what);
}

static struct event *chain_next;
static int chain_left;
static void chain_cb(evutil_socket_t fd, short what, void *arg)
{
    printf("  chain %s (left %d)\n", (const char *)arg, chain_left);
    if (chain_left-- > 0)
        event_active(chain_next, EV_TIMEOUT, 0);
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    char c;
    if (read(fd, &c, 1) != 1) printf("  read failed\n");
    printf("  read cb got '%c'\n", c);
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    struct event_base *b = event_base_new();

    printf("empty base: loop(0)=%d\n", event_base_loop(b, 0));
    printf("empty base: dispatch=%d\n", event_base_dispatch(b));
    printf("empty base: loop(ONCE)=%d\n", event_base_loop(b, EVLOOP_ONCE));
    printf("empty base: loop(NONBLOCK)=%d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    printf("empty base: loop(ONCE|NONBLOCK)=%d\n", event_base_loop(b, EVLOOP_ONCE | EVLOOP_NONBLOCK));
    printf("empty base: loop(NO_EXIT_ON_EMPTY|NONBLOCK)=%d\n", event_base_loop(b, EVLOOP_NO_EXIT_ON_EMPTY | EVLOOP_NONBLOCK));
    printf("empty base: loop(NO_EXIT_ON_EMPTY|ONCE|NONBLOCK)=%d\n",
           event_base_loop(b, EVLOOP_NO_EXIT_ON_EMPTY | EVLOOP_ONCE | EVLOOP_NONBLOCK));

    /* ONCE: waits for the first timer only */
    struct event *t20 = evtimer_new(b, cb, "t20");
    struct event *t60 = evtimer_new(b, cb, "t60");
    struct timeval v20 = {0, 20000}, v60 = {0, 60000};
    event_add(t20, &v20);
    event_add(t60, &v60);
    gettimeofday(&start, NULL);
    printf("two timers, loop(ONCE):\n");
    int r = event_base_loop(b, EVLOOP_ONCE);
    long ms = elapsed_ms();
    printf("  -> %d, waited >= 15ms: %s, < 55ms: %s, t60 still pending: %s\n", r,
           ms >= 15 ? "yes" : "no", ms < 55 ? "yes" : "no", event_pending(t60, EV_TIMEOUT, NULL) ? "yes" : "no");
    printf("loop(NONBLOCK) with only a future timer:\n");
    r = event_base_loop(b, EVLOOP_NONBLOCK);
    printf("  -> %d, t60 still pending: %s\n", r, event_pending(t60, EV_TIMEOUT, NULL) ? "yes" : "no");
    printf("loop(ONCE|NONBLOCK) with only a future timer:\n");
    r = event_base_loop(b, EVLOOP_ONCE | EVLOOP_NONBLOCK);
    printf("  -> %d\n", r);
    printf("dispatch:\n");
    r = event_base_dispatch(b);
    printf("  -> %d, t60 pending: %s\n", r, event_pending(t60, EV_TIMEOUT, NULL) ? "yes" : "no");

    /* readable fd with NONBLOCK: runs it without waiting */
    struct event *rd = event_new(b, sv[0], EV_READ | EV_PERSIST, read_cb, NULL);
    event_add(rd, NULL);
    if (write(sv[1], "a", 1) != 1) printf("write failed\n");
    printf("readable persistent fd, loop(NONBLOCK):\n");
    r = event_base_loop(b, EVLOOP_NONBLOCK);
    printf("  -> %d\n", r);
    if (write(sv[1], "b", 1) != 1) printf("write failed\n");
    printf("readable persistent fd, loop(ONCE):\n");
    r = event_base_loop(b, EVLOOP_ONCE);
    printf("  -> %d\n", r);
    event_del(rd);

    /* callbacks that activate further events */
    struct event *c1 = evtimer_new(b, chain_cb, "c");
    chain_next = c1;
    chain_left = 3;
    event_active(c1, EV_TIMEOUT, 0);
    printf("self-reactivating event, loop(ONCE):\n");
    r = event_base_loop(b, EVLOOP_ONCE);
    printf("  -> %d\n", r);
    chain_left = 3;
    event_active(c1, EV_TIMEOUT, 0);
    printf("self-reactivating event, loop(NONBLOCK):\n");
    r = event_base_loop(b, EVLOOP_NONBLOCK);
    printf("  -> %d\n", r);

    /* different priorities: a low callback activating a high event under ONCE */
    event_free(t20);
    event_free(t60);
    event_free(rd);
    event_free(c1);
    event_base_free(b);
    b = event_base_new();
    event_base_priority_init(b, 2);
    struct event *hi = evtimer_new(b, chain_cb, "hi");
    struct event *lo = evtimer_new(b, chain_cb, "lo");
    event_priority_set(hi, 0);
    event_priority_set(lo, 1);
    chain_next = hi;
    chain_left = 1;
    event_active(lo, EV_TIMEOUT, 0);
    printf("low-priority callback activates a high one, loop(ONCE):\n");
    r = event_base_loop(b, EVLOOP_ONCE);
    printf("  -> %d\n", r);

    /* NO_EXIT_ON_EMPTY: keeps running after the last event until loopexit */
    struct event *t10 = evtimer_new(b, cb, "t10");
    struct timeval v10 = {0, 10000}, v80 = {0, 80000};
    event_add(t10, &v10);
    gettimeofday(&start, NULL);
    printf("timer 10ms, loop(0):\n");
    r = event_base_loop(b, 0);
    ms = elapsed_ms();
    printf("  -> %d, returned before 60ms: %s\n", r, ms < 60 ? "yes" : "no");
    event_add(t10, &v10);
    event_base_loopexit(b, &v80);
    gettimeofday(&start, NULL);
    printf("timer 10ms + loopexit 80ms, loop(NO_EXIT_ON_EMPTY):\n");
    r = event_base_loop(b, EVLOOP_NO_EXIT_ON_EMPTY);
    ms = elapsed_ms();
    printf("  -> %d, ran until the loopexit (>= 70ms): %s, got_exit=%d\n", r, ms >= 70 ? "yes" : "no",
           event_base_got_exit(b));

    event_free(hi);
    event_free(lo);
    event_free(t10);
    event_base_free(b);
    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
