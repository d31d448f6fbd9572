/* Covers: bad input to the event API, limited to cases where real libevent
 * returns cleanly (no crash/assert): I/O events on fd -1 and fd < -1
 * (accepted, reported pending, never polled), unknown bits in the events
 * argument (kept by event_get_events, harmless), EV_SIGNAL combined with
 * EV_READ/EV_WRITE/EV_CLOSED (event_new -> NULL, event_assign -> -1,
 * with a warning), EV_SIGNAL with EV_TIMEOUT|EV_PERSIST|EV_ET (accepted),
 * out-of-range signal numbers (event_add -> -1), an event created with no
 * base and no current base (event_add/event_del -> -1 with a warning,
 * event_free still works), and a zeroed (never assigned) struct event
 * passed to event_add/event_del/event_remove_timer.  Log messages are
 * captured with event_set_log_callback and printed.
 */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <unistd.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT | EV_CLOSED)

static void logcb(int severity, const char *msg)
{
	printf("  log[%d]: %s\n", severity, msg);
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  cb %s what=0x%x\n", (const char *)arg, what);
}

static void io_on_bad_fd(struct event_base *base, evutil_socket_t fd, const char *name)
{
	struct event *e = event_new(base, fd, EV_READ | EV_WRITE, cb, (void *)name);
	printf("event_new(%s, READ|WRITE): %s\n", name, e ? "ok" : "NULL");
	if (!e) return;
	int r = event_add(e, NULL);
	printf(" add: %d\n", r);
	printf(" pending: 0x%x\n", event_pending(e, ALLF, NULL));
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf(" nonblock loop: %d\n", r);
	r = event_del(e);
	printf(" del: %d\n", r);
	event_free(e);
}

int main(void)
{
	int r;
	struct event *e;
	struct event ev;
	struct timeval t1 = { 0, 1000 };
	setvbuf(stdout, NULL, _IOLBF, 0);
	event_set_log_callback(logcb);
	struct event_base *base = event_base_new();

	printf("[bad fds]\n");
	io_on_bad_fd(base, -1, "fd -1");
	io_on_bad_fd(base, -2, "fd -2");
	io_on_bad_fd(base, -100, "fd -100");

	printf("[unknown event flags]\n");
	e = event_new(base, -1, 0x100 | 0x4000, cb, "unknown-bits");
	printf("event_new: %s events=0x%x\n", e ? "ok" : "NULL", e ? event_get_events(e) : 0);
	r = event_add(e, &t1);
	printf(" add with timeout: %d pending=0x%x\n", r, event_pending(e, ALLF, NULL));
	r = event_base_dispatch(base);
	printf(" dispatch: %d\n", r);
	event_free(e);

	printf("[EV_SIGNAL with I/O flags]\n");
	short bad[] = { EV_SIGNAL | EV_READ, EV_SIGNAL | EV_WRITE, EV_SIGNAL | EV_CLOSED, EV_SIGNAL | EV_READ | EV_WRITE };
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		e = event_new(base, SIGUSR1, bad[i], cb, "bad");
		printf("event_new(0x%x): %s\n", bad[i], e ? "ok" : "NULL");
		if (e) event_free(e);
	}
	memset(&ev, 0, sizeof(ev));
	r = event_assign(&ev, base, SIGUSR1, EV_SIGNAL | EV_READ, cb, "bad");
	printf("event_assign(SIGNAL|READ): %d initialized=%d\n", r, event_initialized(&ev) ? 1 : 0);
	e = event_new(base, SIGUSR1, EV_SIGNAL | EV_TIMEOUT | EV_PERSIST | EV_ET, cb, "ok");
	printf("event_new(SIGNAL|TIMEOUT|PERSIST|ET): %s\n", e ? "ok" : "NULL");
	if (e) event_free(e);

	printf("[out-of-range signal numbers]\n");
	int sigs[] = { -5, 0, 65, 200 };
	for (unsigned i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
		e = evsignal_new(base, sigs[i], cb, "sig");
		printf("evsignal_new(%d): %s\n", sigs[i], e ? "ok" : "NULL");
		if (!e) continue;
		r = event_add(e, NULL);
		printf(" add: %d pending=0x%x\n", r, event_pending(e, ALLF, NULL));
		event_free(e);
	}

	printf("[no base]\n");
	e = event_new(NULL, -1, 0, cb, "nobase");
	printf("event_new(NULL base): %s get_base=%s\n", e ? "ok" : "NULL",
	    (e && event_get_base(e)) ? "set" : "NULL");
	r = event_add(e, &t1);
	printf(" add: %d\n", r);
	r = event_del(e);
	printf(" del: %d\n", r);
	/* (its priority is left unset without a base, so it is not printed) */
	printf(" initialized: %d\n", event_initialized(e) ? 1 : 0);
	printf(" freeing\n");
	event_free(e);

	printf("[zeroed struct event]\n");
	memset(&ev, 0, sizeof(ev));
	r = event_add(&ev, NULL);
	printf(" add: %d\n", r);
	r = event_del(&ev);
	printf(" del: %d\n", r);
	r = event_remove_timer(&ev);
	printf(" remove_timer: %d\n", r);

	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
