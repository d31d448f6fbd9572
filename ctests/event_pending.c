/* Covers: event_pending with every combination of the query flags
 * EV_TIMEOUT/EV_READ/EV_WRITE/EV_SIGNAL/EV_CLOSED against I/O events with and
 * without timeouts, a pure timer, a signal event with a timeout, a
 * deleted event and an active-but-not-added event; tv_out semantics (set to
 * the absolute wall-clock expiry time only when EV_TIMEOUT is both asked
 * for and pending; left untouched otherwise), checked as "plausible range"
 * instead of printing raw values.
 */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

static void cb(evutil_socket_t fd, short what, void *arg) { }

static const short bits[5] = { EV_TIMEOUT, EV_READ, EV_WRITE, EV_SIGNAL, EV_CLOSED };

static void table(const char *name, struct event *ev)
{
	printf("%-12s", name);
	for (int m = 0; m < 32; m++) {
		short q = 0;
		for (int b = 0; b < 5; b++)
			if (m & (1 << b)) q |= bits[b];
		printf(" %x", event_pending(ev, q, NULL));
	}
	printf("\n");
}

/* Report tv_out behaviour for one query. */
static void tvcheck(const char *name, struct event *ev, short q, long expect_ms)
{
	struct timeval sentinel = { 12345, 678 }, tv = sentinel, now;
	int r = event_pending(ev, q, &tv);
	gettimeofday(&now, NULL);
	int untouched = tv.tv_sec == sentinel.tv_sec && tv.tv_usec == sentinel.tv_usec;
	printf("%s q=0x%x -> 0x%x tv_out %s", name, q, r, untouched ? "untouched" : "set");
	if (!untouched) {
		long rem_ms = (tv.tv_sec - now.tv_sec) * 1000L + (tv.tv_usec - now.tv_usec) / 1000L;
		printf(", expiry-now in (%ldms,%ldms]: %s", expect_ms - 150, expect_ms + 20,
		    (rem_ms > expect_ms - 150 && rem_ms <= expect_ms + 20) ? "yes" : "no");
	}
	printf("\n");
}

int main(void)
{
	int sv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	struct event_base *base = event_base_new();
	struct timeval t500 = { 0, 500000 }, t2s = { 2, 0 };

	struct event *rw_to = event_new(base, sv[0], EV_READ | EV_WRITE, cb, NULL);
	struct event *r_only = event_new(base, sv[0], EV_READ | EV_PERSIST, cb, NULL);
	struct event *w_to = event_new(base, sv[0], EV_WRITE, cb, NULL);
	struct event *tm = evtimer_new(base, cb, NULL);
	struct event *sig = evsignal_new(base, SIGUSR1, cb, NULL);
	struct event *del = event_new(base, sv[0], EV_READ, cb, NULL);
	struct event *act = event_new(base, sv[0], EV_READ | EV_WRITE, cb, NULL);
	struct event *fresh = event_new(base, sv[0], EV_READ, cb, NULL);

	event_add(rw_to, &t500);
	event_add(r_only, NULL);
	event_add(w_to, &t2s);
	event_add(tm, &t500);
	event_add(sig, &t2s);
	event_add(del, &t500);
	event_del(del);
	event_active(act, EV_WRITE | EV_TIMEOUT, 0);

	printf("query mask bits: 1=TIMEOUT 2=READ 4=WRITE 8=SIGNAL 16=CLOSED, masks 0..31\n");
	table("rw+timeout", rw_to);
	table("r persist", r_only);
	table("w+timeout", w_to);
	table("timer", tm);
	table("signal+to", sig);
	table("deleted", del);
	table("active", act);
	table("never added", fresh);

	tvcheck("rw+timeout", rw_to, EV_TIMEOUT, 500);
	tvcheck("rw+timeout", rw_to, EV_READ, 500);
	tvcheck("rw+timeout", rw_to, EV_READ | EV_TIMEOUT, 500);
	tvcheck("r persist", r_only, EV_TIMEOUT | EV_READ, 0);
	tvcheck("w+timeout", w_to, EV_TIMEOUT, 2000);
	tvcheck("timer", tm, EV_TIMEOUT, 500);
	tvcheck("signal+to", sig, EV_TIMEOUT | EV_SIGNAL, 2000);
	tvcheck("deleted", del, EV_TIMEOUT, 0);
	/* (asking an active-only event with EV_TIMEOUT in its res for tv_out
	 * reads a never-set expiry in libevent, so only ask about WRITE here) */
	tvcheck("active", act, EV_WRITE, 0);

	event_free(rw_to); event_free(r_only); event_free(w_to); event_free(tm);
	event_free(sig); event_free(del); event_free(act); event_free(fresh);
	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
