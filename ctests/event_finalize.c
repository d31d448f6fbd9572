/* Covers: event_finalize and event_free_finalize: the finalizer runs from
 * the loop (not synchronously) with the event and its callback argument;
 * the event is no longer pending once finalizing and its own callback
 * never runs again (pending timeout and pending activation are both
 * cancelled); event_add on a finalizing event fails, event_del and
 * event_active are no-ops, a second event_finalize returns 0 and does not
 * run the finalizer twice; the event can be event_assign'd again after its
 * finalizer ran; event_free_finalize from inside the event's own callback;
 * finalizers still queued when event_base_free is called are run by it;
 * EV_FINALIZE is kept in event_get_events.
 */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <string.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

static struct event *expect_ev;
static void fin(struct event *ev, void *arg)
{
	printf("  finalizer %s event_matches=%s\n", (const char *)arg,
	    (expect_ev == NULL || ev == expect_ev) ? "yes" : "no");
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  callback %s what=0x%x\n", (const char *)arg, what);
}

static void self_free_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  callback self-free what=0x%x\n", what);
	int r = event_free_finalize(0, expect_ev, fin);
	printf("  event_free_finalize in own callback: %d\n", r);
}

int main(void)
{
	int r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct event_base *base = event_base_new();
	struct timeval tv = { 10, 0 }, t5ms = { 0, 5000 };

	printf("[finalize a pending timer]\n");
	struct event ev;
	event_assign(&ev, base, -1, EV_FINALIZE, cb, "stack");
	printf("events: 0x%x\n", event_get_events(&ev));
	event_add(&ev, &tv);
	expect_ev = &ev;
	r = event_finalize(0, &ev, fin);
	printf("event_finalize: %d (finalizer not run yet)\n", r);
	printf("pending: 0x%x\n", event_pending(&ev, ALLF, NULL));
	printf("event_add while finalizing: %d\n", event_add(&ev, &tv));
	printf("event_del while finalizing: %d\n", event_del(&ev));
	event_active(&ev, EV_READ, 0);
	printf("second event_finalize: %d\n", event_finalize(0, &ev, fin));
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("loop: %d\n", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("loop again: %d\n", r);
	printf("event_finalize after finalizer ran: %d\n", event_finalize(0, &ev, fin));
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("re-assign: %d\n", event_assign(&ev, base, -1, 0, cb, "stack-reassigned"));
	printf("add after re-assign: %d\n", event_add(&ev, &t5ms));
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);

	printf("[free_finalize an active event]\n");
	struct event *h = evtimer_new(base, cb, "heap");
	event_active(h, EV_TIMEOUT, 0);
	expect_ev = h;
	r = event_free_finalize(0, h, fin);
	printf("event_free_finalize: %d\n", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("loop: %d\n", r);

	printf("[finalizers and callbacks ordering]\n");
	struct event *a = evtimer_new(base, cb, "A");
	struct event *b = evtimer_new(base, cb, "B");
	struct event *c = evtimer_new(base, cb, "C");
	expect_ev = NULL;
	event_active(a, EV_TIMEOUT, 0);
	event_free_finalize(0, b, fin);
	event_active(c, EV_TIMEOUT, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_free(a); event_free(c);

	printf("[event_free_finalize inside own callback]\n");
	struct event *s = evtimer_new(base, self_free_cb, "self");
	expect_ev = s;
	event_add(s, &t5ms);
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);

	printf("[finalizer still queued at event_base_free]\n");
	struct event *q = evtimer_new(base, cb, "queued");
	event_add(q, &tv);
	expect_ev = q;
	r = event_free_finalize(0, q, fin);
	printf("event_free_finalize: %d; freeing base\n", r);
	event_base_free(base);
	printf("base freed\n");
	libevent_global_shutdown();
	return 0;
}
