/* Covers: the old global-base API through <event.h>: event_init (becomes
 * the current base: event_new/event_set with no base use it),
 * event_get_method (same as event_base_get_method of that base), event_set
 * + event_base_set (and event_base_set on an added event failing),
 * event_add/event_del, event_dispatch (returns 1 when nothing is left),
 * event_loop(EVLOOP_ONCE) and event_loop(EVLOOP_NONBLOCK), event_loopexit
 * with a timeout, event_loopbreak from a callback, event_once (timer and
 * fd forms), event_priority_init + event_priority_set on the current base,
 * EVENT_FD/EVENT_SIGNAL, and event_base_free of the current base.
 */
#include <event.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>

static struct event_base *cur;

static void cb(int fd, short what, void *arg)
{
	printf("  cb %s what=0x%x\n", (const char *)arg, what);
}

static int ticks;
static void ticker(int fd, short what, void *arg)
{
	ticks++;
	printf("  tick %d\n", ticks);
	if (ticks == 3) {
		printf("  event_loopbreak: %d\n", event_loopbreak());
	}
}

int main(void)
{
	int sv[2], r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;

	cur = event_init();
	printf("event_init: %s\n", cur ? "ok" : "NULL");
	printf("event_get_method matches: %s\n",
	    strcmp(event_get_method(), event_base_get_method(cur)) == 0 ? "yes" : "no");

	printf("[event_set uses the current base]\n");
	struct event ev;
	event_set(&ev, sv[0], EV_READ, cb, "set-read");
	printf("base is current: %s events=0x%x\n", event_get_base(&ev) == cur ? "yes" : "no", event_get_events(&ev));
	printf("EVENT_FD matches: %s\n", EVENT_FD(&ev) == sv[0] ? "yes" : "no");
	struct event *en = event_new(NULL, -1, 0, cb, "new-null-base");
	printf("event_new(NULL base) uses current: %s\n", event_get_base(en) == cur ? "yes" : "no");
	event_free(en);

	printf("[event_base_set]\n");
	struct event_base *other = event_base_new();
	r = event_base_set(other, &ev);
	printf("event_base_set to other: %d now other: %s\n", r, event_get_base(&ev) == other ? "yes" : "no");
	r = event_base_set(cur, &ev);
	printf("event_base_set back: %d\n", r);
	event_add(&ev, NULL);
	r = event_base_set(other, &ev);
	printf("event_base_set on added event: %d still current: %s\n", r, event_get_base(&ev) == cur ? "yes" : "no");
	event_del(&ev);
	event_base_free(other);

	printf("[event_loop ONCE / NONBLOCK, event_dispatch]\n");
	event_add(&ev, NULL);
	r = event_loop(EVLOOP_NONBLOCK);
	printf("event_loop(NONBLOCK) with nothing ready: %d\n", r);
	if (write(sv[1], "x", 1) != 1) return 1;
	r = event_loop(EVLOOP_ONCE);
	printf("event_loop(ONCE): %d\n", r);
	char buf[4];
	if (read(sv[0], buf, sizeof(buf)) != 1) return 1;
	struct timeval t5 = { 0, 5000 };
	struct event tm;
	evtimer_set(&tm, cb, "timer");
	event_add(&tm, &t5);
	r = event_dispatch();
	printf("event_dispatch: %d\n", r);

	printf("[event_loopexit with a timeout]\n");
	struct timeval t30 = { 0, 30000 }, t200 = { 0, 200000 };
	event_add(&tm, &t200);
	r = event_loopexit(&t30);
	printf("event_loopexit: %d\n", r);
	r = event_dispatch();
	printf("event_dispatch: %d timer still pending: %d\n", r, evtimer_pending(&tm, NULL) ? 1 : 0);
	event_del(&tm);

	printf("[event_loopbreak from a callback]\n");
	struct event tk;
	event_set(&tk, -1, EV_PERSIST, ticker, NULL);
	struct timeval t2 = { 0, 2000 };
	event_add(&tk, &t2);
	r = event_dispatch();
	printf("event_dispatch: %d ticks=%d\n", r, ticks);
	event_del(&tk);

	printf("[event_once]\n");
	r = event_once(-1, EV_TIMEOUT, cb, "once-timer", &t5);
	printf("event_once timer: %d\n", r);
	r = event_once(sv[0], EV_READ, cb, "once-read", NULL);
	printf("event_once read: %d\n", r);
	r = event_once(-1, EV_TIMEOUT | EV_PERSIST, cb, "once-persist", &t5);
	printf("event_once persist: %d\n", r);
	if (write(sv[1], "y", 1) != 1) return 1;
	r = event_dispatch();
	printf("event_dispatch: %d\n", r);

	printf("[event_priority_init / event_priority_set]\n");
	r = event_priority_init(3);
	printf("event_priority_init(3): %d\n", r);
	struct event p0, p2;
	event_set(&p0, -1, 0, cb, "prio0");
	event_set(&p2, -1, 0, cb, "prio2");
	printf("default priority: %d\n", event_get_priority(&p0));
	r = event_priority_set(&p0, 0);
	printf("event_priority_set(p0, 0): %d\n", r);
	r = event_priority_set(&p2, 2);
	printf("event_priority_set(p2, 2): %d\n", r);
	r = event_priority_set(&p2, 3);
	printf("event_priority_set(p2, 3): %d\n", r);
	event_active(&p2, EV_TIMEOUT, 0);
	event_active(&p0, EV_TIMEOUT, 0);
	r = event_loop(EVLOOP_ONCE);
	printf("event_loop(ONCE): %d\n", r);

	printf("[EVENT_SIGNAL]\n");
	struct event se;
	evsignal_set(&se, SIGUSR1, cb, "sig");
	printf("EVENT_SIGNAL is SIGUSR1: %s events=0x%x\n", EVENT_SIGNAL(&se) == SIGUSR1 ? "yes" : "no", event_get_events(&se));

	event_base_free(cur);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
