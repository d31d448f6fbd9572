/* Covers: how repeated signals are reported.  Each raise() before the loop
 * runs is counted (no coalescing): the callback of a persistent event runs
 * once per raise within one loop pass, and so does a NON-persistent
 * EV_SIGNAL event (all N calls, then it is no longer pending); with two
 * events on one signal each runs its N calls in turn (most recently added
 * first); different signals are dispatched in signal-number order, not
 * raise order; an event deleting itself part-way stops its remaining
 * calls; event_base_loopbreak part-way stops the remaining calls and they
 * are not delivered later (a new raise is delivered normally); a signal raised from its own callback is seen
 * on a later pass (EVLOOP_ONCE returns first; EVLOOP_NONBLOCK keeps going).
 */
#include <event2/event.h>
#include <stdio.h>
#include <signal.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

static struct event_base *base;
static int calls;
static struct event *cur;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	calls++;
	printf("  %s: %s what=0x%x call #%d\n", (const char *)arg,
	    fd == SIGUSR1 ? "SIGUSR1" : fd == SIGUSR2 ? "SIGUSR2" : "other", what, calls);
}

static void del_cb(evutil_socket_t fd, short what, void *arg)
{
	calls++;
	printf("  del_cb call #%d\n", calls);
	if (calls == 2)
		printf("  event_del(self): %d\n", event_del(cur));
}

static void break_cb(evutil_socket_t fd, short what, void *arg)
{
	calls++;
	printf("  break_cb call #%d\n", calls);
	if (calls == 2)
		printf("  event_base_loopbreak: %d\n", event_base_loopbreak(base));
}

static void raise_cb(evutil_socket_t fd, short what, void *arg)
{
	calls++;
	printf("  raise_cb call #%d%s\n", calls, calls < 3 ? ", raising again" : "");
	if (calls < 3)
		raise(SIGUSR1);
}

static void loop(const char *how, int flags)
{
	int r = event_base_loop(base, flags);
	printf(" %s -> %d (calls so far %d)\n", how, r, calls);
}

static void raise_n(int sig, int n)
{
	for (int i = 0; i < n; i++)
		raise(sig);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	base = event_base_new();

	printf("[persistent, raised 5 times]\n");
	struct event *p = evsignal_new(base, SIGUSR1, cb, "persist");
	evsignal_add(p, NULL);
	raise_n(SIGUSR1, 5);
	calls = 0;
	loop("nonblock", EVLOOP_NONBLOCK);

	printf("[two events on SIGUSR1, raised 3 times]\n");
	struct event *q = evsignal_new(base, SIGUSR1, cb, "second");
	evsignal_add(q, NULL);
	raise_n(SIGUSR1, 3);
	calls = 0;
	loop("nonblock", EVLOOP_NONBLOCK);
	evsignal_del(q);

	printf("[SIGUSR2, SIGUSR1, SIGUSR2 raised]\n");
	struct event *u2 = evsignal_new(base, SIGUSR2, cb, "usr2");
	evsignal_add(u2, NULL);
	raise(SIGUSR2); raise(SIGUSR1); raise(SIGUSR2);
	calls = 0;
	loop("nonblock", EVLOOP_NONBLOCK);
	evsignal_del(p);
	evsignal_del(u2);

	printf("[non-persistent EV_SIGNAL event, raised 4 times]\n");
	struct event *np = event_new(base, SIGUSR1, EV_SIGNAL, cb, "non-persistent");
	event_add(np, NULL);
	raise_n(SIGUSR1, 4);
	calls = 0;
	loop("nonblock", EVLOOP_NONBLOCK);
	printf(" pending after: 0x%x\n", event_pending(np, ALLF, NULL));

	printf("[persistent event deletes itself on call 2 of 4]\n");
	cur = evsignal_new(base, SIGUSR1, del_cb, NULL);
	evsignal_add(cur, NULL);
	raise_n(SIGUSR1, 4);
	calls = 0;
	loop("nonblock", EVLOOP_NONBLOCK);
	printf(" pending after: 0x%x\n", event_pending(cur, ALLF, NULL));
	/* Re-add and complete one delivery before freeing: libevent keeps a
	 * reference to the interrupted call counter otherwise. */
	evsignal_add(cur, NULL);
	raise(SIGUSR1);
	loop("re-added, one raise", EVLOOP_NONBLOCK);
	event_free(cur);

	printf("[loopbreak on call 2 of 4]\n");
	struct event *br = evsignal_new(base, SIGUSR1, break_cb, NULL);
	evsignal_add(br, NULL);
	raise_n(SIGUSR1, 4);
	calls = 0;
	loop("nonblock", EVLOOP_NONBLOCK);
	loop("nonblock again", EVLOOP_NONBLOCK);
	/* One more complete delivery before deleting: in libevent the event
	 * still refers to the interrupted call counter after the break, and
	 * deleting it at that point touches stale stack memory. */
	raise(SIGUSR1);
	loop("after one more raise", EVLOOP_NONBLOCK);
	evsignal_del(br);

	printf("[callback raises its own signal]\n");
	struct event *rr = evsignal_new(base, SIGUSR1, raise_cb, NULL);
	evsignal_add(rr, NULL);
	raise(SIGUSR1);
	calls = 0;
	loop("once", EVLOOP_ONCE);
	loop("nonblock", EVLOOP_NONBLOCK);
	loop("nonblock again", EVLOOP_NONBLOCK);

	event_free(p); event_free(q); event_free(u2); event_free(np);
	event_free(br); event_free(rr);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
