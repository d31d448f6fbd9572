/* Covers: the evsignal_* macros (evsignal_new, evsignal_assign,
 * evsignal_add, evsignal_del, evsignal_pending, evsignal_initialized) -
 * note evsignal_new/evsignal_assign make EV_SIGNAL|EV_PERSIST events -
 * and event_get_signal; delivery of raise() and kill(getpid()) signals
 * through the loop (the callback gets the signal number as fd and
 * EV_SIGNAL as res); a signal raised before the loop runs; several events
 * on one signal (all run, most recently added first); deleting one before
 * delivery; persistent events staying pending across deliveries; a
 * non-persistent EV_SIGNAL event (event_new) removed after one delivery;
 * a non-persistent signal event with a timeout that expires first
 * (EV_TIMEOUT, then not pending); and a signal event keeping
 * event_base_dispatch alive until the signal arrives (raised from a timer
 * callback), after which dispatch returns 1.
 */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  %s: signal=%s what=0x%x\n", (const char *)arg,
	    fd == SIGUSR1 ? "SIGUSR1" : fd == SIGUSR2 ? "SIGUSR2" : "other", what);
}

static void raiser_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  timer: raising SIGUSR2\n");
	raise(SIGUSR2);
}

static void loop_nb(struct event_base *base)
{
	int r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf(" loop -> %d\n", r);
}

int main(void)
{
	int r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct event_base *base = event_base_new();

	printf("[macros]\n");
	struct event sa;
	memset(&sa, 0, sizeof(sa));
	printf("initialized before: %d\n", evsignal_initialized(&sa) ? 1 : 0);
	r = evsignal_assign(&sa, base, SIGUSR1, cb, "assigned");
	printf("evsignal_assign: %d initialized=%d events=0x%x\n", r, evsignal_initialized(&sa) ? 1 : 0, event_get_events(&sa));
	printf("event_get_signal matches: %s\n", event_get_signal(&sa) == SIGUSR1 ? "yes" : "no");
	struct event *sn = evsignal_new(base, SIGUSR1, cb, "new");
	printf("evsignal_new: events=0x%x pending=%d\n", event_get_events(sn), evsignal_pending(sn, NULL) ? 1 : 0);
	r = evsignal_add(sn, NULL);
	printf("evsignal_add: %d pending=%d\n", r, evsignal_pending(sn, NULL) ? 1 : 0);
	r = evsignal_add(&sa, NULL);
	printf("evsignal_add(assigned): %d\n", r);

	printf("[raise before the loop runs, two events on SIGUSR1]\n");
	raise(SIGUSR1);
	loop_nb(base);
	printf("still pending: new=%d assigned=%d\n", evsignal_pending(sn, NULL) ? 1 : 0, evsignal_pending(&sa, NULL) ? 1 : 0);
	loop_nb(base);

	printf("[kill(getpid()), a third event added]\n");
	struct event *third = evsignal_new(base, SIGUSR1, cb, "third");
	evsignal_add(third, NULL);
	kill(getpid(), SIGUSR1);
	loop_nb(base);

	printf("[delete one before delivery]\n");
	r = evsignal_del(sn);
	printf("evsignal_del: %d pending=%d\n", r, evsignal_pending(sn, NULL) ? 1 : 0);
	raise(SIGUSR1);
	loop_nb(base);
	printf("[delete, then re-add: moves to the front]\n");
	evsignal_del(&sa);
	evsignal_add(&sa, NULL);
	evsignal_add(sn, NULL);
	raise(SIGUSR1);
	loop_nb(base);
	evsignal_del(sn); evsignal_del(&sa); evsignal_del(third);

	printf("[non-persistent EV_SIGNAL event]\n");
	struct event *np = event_new(base, SIGUSR2, EV_SIGNAL, cb, "non-persistent");
	printf("events=0x%x\n", event_get_events(np));
	event_add(np, NULL);
	raise(SIGUSR2);
	loop_nb(base);
	printf("pending after: %d\n", evsignal_pending(np, NULL) ? 1 : 0);
	/* (no second raise: with no event left on SIGUSR2 its default action,
	 * terminate, is back in place) */

	printf("[non-persistent signal event with a timeout, no signal]\n");
	struct timeval t10 = { 0, 10000 };
	event_add(np, &t10);
	printf("pending(SIGNAL|TIMEOUT): 0x%x\n", event_pending(np, EV_SIGNAL | EV_TIMEOUT, NULL));
	r = event_base_loop(base, EVLOOP_ONCE);
	printf(" loop once -> %d, pending now 0x%x\n", r, event_pending(np, ALLF, NULL));

	printf("[signal event keeps dispatch alive]\n");
	struct event *raiser = evtimer_new(base, raiser_cb, NULL);
	event_add(np, NULL);
	evtimer_add(raiser, &t10);
	r = event_base_dispatch(base);
	printf("dispatch -> %d\n", r);

	event_free(sn); event_free(third); event_free(np); event_free(raiser);
	event_del(&sa);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
