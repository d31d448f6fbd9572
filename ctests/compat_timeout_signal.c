/* Covers: the old timeout_* and signal_* macros from event_compat.h
 * (timeout_set, timeout_add, timeout_del, timeout_pending,
 * timeout_initialized, signal_set, signal_add, signal_del, signal_pending,
 * signal_initialized) plus evtimer_set and evsignal_set, EVENT_FD and
 * EVENT_SIGNAL, on events bound with event_base_set to a base made with
 * event_base_new (no event_init); the flags each macro produces; pending
 * tv_out through timeout_pending; a timeout firing, being deleted before
 * it fires, and a signal delivered through signal_* events.
 */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/event_compat.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/time.h>

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  cb %s what=0x%x\n", (const char *)arg, what);
}

int main(void)
{
	int r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct event_base *base = event_base_new();
	struct event to, ts, ss, es;
	memset(&to, 0, sizeof(to));
	memset(&ss, 0, sizeof(ss));

	printf("[timeout_*]\n");
	printf("timeout_initialized before: %d\n", timeout_initialized(&to) ? 1 : 0);
	timeout_set(&to, cb, "timeout");
	printf("timeout_initialized after: %d events=0x%x EVENT_FD=%d\n", timeout_initialized(&to) ? 1 : 0,
	    event_get_events(&to), (int)EVENT_FD(&to));
	r = event_base_set(base, &to);
	printf("event_base_set: %d\n", r);
	struct timeval t20 = { 0, 20000 }, t300 = { 0, 300000 }, out, now;
	r = timeout_add(&to, &t300);
	gettimeofday(&now, NULL);
	int p = timeout_pending(&to, &out);
	long rem = (out.tv_sec - now.tv_sec) * 1000L + (out.tv_usec - now.tv_usec) / 1000L;
	printf("timeout_add: %d pending=%d expiry-now in (150ms,320ms]: %s\n", r, p ? 1 : 0,
	    (rem > 150 && rem <= 320) ? "yes" : "no");
	r = timeout_del(&to);
	printf("timeout_del: %d pending=%d\n", r, timeout_pending(&to, NULL) ? 1 : 0);
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);
	timeout_add(&to, &t20);
	r = event_base_dispatch(base);
	printf("dispatch: %d pending=%d\n", r, timeout_pending(&to, NULL) ? 1 : 0);

	printf("[evtimer_set]\n");
	evtimer_set(&ts, cb, "evtimer_set");
	event_base_set(base, &ts);
	printf("events=0x%x\n", event_get_events(&ts));
	evtimer_add(&ts, &t20);
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);

	printf("[signal_*]\n");
	printf("signal_initialized before: %d\n", signal_initialized(&ss) ? 1 : 0);
	signal_set(&ss, SIGUSR1, cb, "signal");
	event_base_set(base, &ss);
	printf("signal_initialized after: %d events=0x%x EVENT_SIGNAL is SIGUSR1: %s\n",
	    signal_initialized(&ss) ? 1 : 0, event_get_events(&ss), EVENT_SIGNAL(&ss) == SIGUSR1 ? "yes" : "no");
	r = signal_add(&ss, NULL);
	printf("signal_add: %d pending=%d\n", r, signal_pending(&ss, NULL) ? 1 : 0);
	raise(SIGUSR1);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("loop: %d pending=%d\n", r, signal_pending(&ss, NULL) ? 1 : 0);
	r = signal_del(&ss);
	printf("signal_del: %d pending=%d\n", r, signal_pending(&ss, NULL) ? 1 : 0);

	printf("[evsignal_set]\n");
	evsignal_set(&es, SIGUSR2, cb, "evsignal_set");
	event_base_set(base, &es);
	printf("events=0x%x\n", event_get_events(&es));
	evsignal_add(&es, NULL);
	raise(SIGUSR2);
	raise(SIGUSR2);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("loop: %d\n", r);
	evsignal_del(&es);

	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
