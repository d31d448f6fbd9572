/* Covers: event_base_loop / event_base_dispatch called from inside a callback
 * of the same base (returns -1 and logs a warning whose exact text is
 * printed; the outer loop carries on), running a different base's loop from
 * inside a callback (allowed: its events run, its return value is normal),
 * loopbreak/loopexit of the inner base not affecting the outer one, and the
 * outer base's loop still usable afterwards. */
#include <event2/event.h>
#include <stdio.h>

static void log_cb(int severity, const char *msg)
{
    printf("  log: severity=%d msg=\"%s\"\n", severity, msg);
}

static struct event_base *outer, *inner;

static void inner_cb(evutil_socket_t fd, short what, void *arg)
{
    printf("  inner cb %s\n", (const char *)arg);
    if (((const char *)arg)[0] == 'b') {
        int r = event_base_loopbreak(inner);
        printf("  inner loopbreak=%d\n", r);
    }
}

static void outer_cb(evutil_socket_t fd, short what, void *arg)
{
    const char *name = arg;
    printf("  outer cb %s\n", name);
    if (name[0] == 'R') {
        int r = event_base_loop(outer, EVLOOP_NONBLOCK);
        printf("  nested event_base_loop(outer, NONBLOCK) = %d\n", r);
        r = event_base_dispatch(outer);
        printf("  nested event_base_dispatch(outer) = %d\n", r);
        r = event_base_loop(outer, EVLOOP_ONCE);
        printf("  nested event_base_loop(outer, ONCE) = %d\n", r);
    } else if (name[0] == 'I') {
        struct event *i1 = evtimer_new(inner, inner_cb, "i1");
        struct event *i2 = evtimer_new(inner, inner_cb, "brk");
        struct event *i3 = evtimer_new(inner, inner_cb, "i3");
        event_active(i1, EV_TIMEOUT, 0);
        event_active(i2, EV_TIMEOUT, 0);
        event_active(i3, EV_TIMEOUT, 0);
        int r = event_base_loop(inner, 0);
        printf("  inner loop = %d got_break(inner)=%d got_break(outer)=%d\n", r,
               event_base_got_break(inner), event_base_got_break(outer));
        r = event_base_loop(inner, EVLOOP_NONBLOCK);
        printf("  inner loop again = %d\n", r);
        struct timeval tv = {10, 0};  /* never reached: loopexit ends the loop first */
        event_base_loopexit(inner, NULL);
        event_add(i1, &tv);
        r = event_base_loop(inner, 0);
        printf("  inner loop after loopexit = %d got_exit(inner)=%d got_exit(outer)=%d\n", r,
               event_base_got_exit(inner), event_base_got_exit(outer));
        event_free(i1);
        event_free(i2);
        event_free(i3);
    }
}

int main(void)
{
    event_set_log_callback(log_cb);
    outer = event_base_new();
    inner = event_base_new();

    struct event *r = evtimer_new(outer, outer_cb, "Reenter");
    struct event *after = evtimer_new(outer, outer_cb, "after");
    event_active(r, EV_TIMEOUT, 0);
    event_active(after, EV_TIMEOUT, 0);
    printf("outer loop with a re-entering callback:\n");
    int ret = event_base_loop(outer, 0);
    printf("outer loop = %d\n", ret);

    struct event *in = evtimer_new(outer, outer_cb, "Inner");
    event_active(in, EV_TIMEOUT, 0);
    event_active(after, EV_TIMEOUT, 0);
    printf("outer loop running another base's loop:\n");
    ret = event_base_loop(outer, 0);
    printf("outer loop = %d got_break=%d got_exit=%d\n", ret, event_base_got_break(outer), event_base_got_exit(outer));

    event_active(after, EV_TIMEOUT, 0);
    printf("outer loop afterwards:\n");
    ret = event_base_dispatch(outer);
    printf("outer dispatch = %d\n", ret);

    event_free(r);
    event_free(after);
    event_free(in);
    event_base_free(inner);
    event_base_free(outer);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
