/* Covers: event_active on a non-added event (runs once, stays non-pending),
 * res flags passed through unchanged (incl. combined and 0), activating an
 * already-active event (flags OR'd, callback runs once), event_pending on an
 * active event, event_del cancelling an activation, event_active on an
 * added non-persistent event (it is no longer pending after its callback)
 * and on a persistent one (still pending), ncalls on signal events (the
 * callback runs ncalls times) and on I/O events (ignored), an event
 * re-activating itself from its callback (runs again within the same
 * EVLOOP_ONCE pass), and dispatch with only an active event.
 */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

static int calls;
static void cb(evutil_socket_t fd, short what, void *arg)
{
	calls++;
	printf("  cb what=0x%x pending_now=0x%x\n",
	    what, event_pending(arg, ALLF, NULL));
}

static void named(evutil_socket_t fd, short what, void *arg)
{
	calls++;
	printf("  cb what=0x%x\n", what);
}

static int reacts;
static void reactivate_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	reacts++;
	printf("  reactivate_cb run %d what=0x%x\n", reacts, what);
	if (reacts < 4)
		event_active(self, EV_WRITE, 0);
}

int main(void)
{
	int sv[2], r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	struct event_base *base = event_base_new();

	printf("[non-added event]\n");
	struct event *e = event_new(base, sv[0], EV_READ, named, NULL);
	event_active(e, EV_READ, 0);
	printf("pending(ALL) while active: 0x%x\n", event_pending(e, ALLF, NULL));
	printf("pending(READ) while active: 0x%x\n", event_pending(e, EV_READ, NULL));
	printf("pending(WRITE) while active: 0x%x\n", event_pending(e, EV_WRITE, NULL));
	calls = 0;
	r = event_base_loop(base, EVLOOP_ONCE);
	printf("loop once: %d calls=%d pending after=0x%x\n", r, calls, event_pending(e, ALLF, NULL));

	printf("[res flags passed unchanged]\n");
	short flagsets[] = { EV_TIMEOUT, EV_WRITE, EV_READ | EV_WRITE, EV_READ | EV_TIMEOUT,
	    EV_READ | EV_WRITE | EV_TIMEOUT, EV_SIGNAL, 0, EV_CLOSED, EV_READ | EV_CLOSED };
	for (unsigned i = 0; i < sizeof(flagsets) / sizeof(flagsets[0]); i++) {
		event_active(e, flagsets[i], 0);
		event_base_loop(base, EVLOOP_NONBLOCK);
	}

	printf("[activate twice before loop: flags OR'd]\n");
	calls = 0;
	event_active(e, EV_READ, 0);
	event_active(e, EV_WRITE, 0);
	event_active(e, EV_TIMEOUT, 5);
	printf("pending(ALL): 0x%x\n", event_pending(e, ALLF, NULL));
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("calls=%d\n", calls);

	printf("[event_del cancels activation]\n");
	calls = 0;
	event_active(e, EV_READ, 0);
	r = event_del(e);
	printf("del: %d pending=0x%x\n", r, event_pending(e, ALLF, NULL));
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("loop: %d calls=%d\n", r, calls);

	printf("[active on added non-persistent event]\n");
	struct event *np = event_new(base, sv[0], EV_READ, cb, event_self_cbarg());
	struct timeval tv = { 10, 0 };
	event_add(np, &tv);
	event_active(np, EV_WRITE, 0);
	printf("pending(ALL) before loop: 0x%x\n", event_pending(np, ALLF, NULL));
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("pending after: 0x%x\n", event_pending(np, ALLF, NULL));

	printf("[active on added persistent event]\n");
	struct event *pe = event_new(base, sv[0], EV_READ | EV_PERSIST, cb, event_self_cbarg());
	event_add(pe, &tv);
	event_active(pe, EV_READ, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("pending after: 0x%x\n", event_pending(pe, ALLF, NULL));
	event_del(pe);

	printf("[ncalls on I/O event is ignored]\n");
	calls = 0;
	event_active(e, EV_READ, 3);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("calls=%d\n", calls);

	printf("[ncalls on signal event]\n");
	struct event *se = evsignal_new(base, SIGUSR2, named, NULL);
	calls = 0;
	event_active(se, EV_SIGNAL, 3);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("ncalls=3 -> calls=%d\n", calls);
	calls = 0;
	event_active(se, EV_SIGNAL, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("ncalls=1 -> calls=%d\n", calls);
	calls = 0;
	event_active(se, EV_SIGNAL, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("ncalls=0 -> calls=%d\n", calls);

	printf("[self re-activation within one EVLOOP_ONCE]\n");
	struct event *ra = event_new(base, -1, 0, reactivate_cb, event_self_cbarg());
	event_active(ra, EV_READ, 0);
	r = event_base_loop(base, EVLOOP_ONCE);
	printf("one EVLOOP_ONCE: %d, runs=%d\n", r, reacts);

	printf("[dispatch with only an active event]\n");
	calls = 0;
	event_active(e, EV_TIMEOUT, 0);
	r = event_base_dispatch(base);
	printf("dispatch: %d calls=%d\n", r, calls);

	event_free(e); event_free(np); event_free(pe); event_free(se); event_free(ra);
	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
