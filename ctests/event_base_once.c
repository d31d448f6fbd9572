/* Covers: event_base_once: timer form (EV_TIMEOUT with a timeout, with a
 * NULL timeout and with a zero timeout -> runs on the next loop pass), fd
 * form (EV_READ becoming ready, EV_READ timing out -> EV_TIMEOUT,
 * EV_READ|EV_WRITE ready together, EV_WRITE with EV_TIMEOUT also set),
 * rejected combinations (EV_PERSIST, EV_SIGNAL, no flags at all) and their
 * return values, one-shot events keeping the loop alive, ordering against
 * regular timers, and a still-pending one-shot event being released by
 * event_base_free (valgrind must show no leak).
 */
#include <event2/event.h>
#include <stdio.h>
#include <signal.h>
#include <unistd.h>
#include <sys/socket.h>

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  once %s what=0x%x\n", (const char *)arg, what);
}

int main(void)
{
	int sv[2], sv2[2], r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) < 0) return 1;
	struct event_base *base = event_base_new();
	struct timeval t10 = { 0, 10000 }, t30 = { 0, 30000 }, t60 = { 0, 60000 }, zero = { 0, 0 };

	printf("[rejected]\n");
	r = event_base_once(base, -1, EV_TIMEOUT | EV_PERSIST, cb, "persist-timer", &t10);
	printf("EV_TIMEOUT|EV_PERSIST: %d\n", r);
	r = event_base_once(base, sv[0], EV_READ | EV_PERSIST, cb, "persist-read", &t10);
	printf("EV_READ|EV_PERSIST: %d\n", r);
	r = event_base_once(base, SIGUSR1, EV_SIGNAL, cb, "signal", NULL);
	printf("EV_SIGNAL: %d\n", r);
	r = event_base_once(base, -1, 0, cb, "none", &t10);
	printf("no flags: %d\n", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("loop with nothing scheduled: %d\n", r);

	printf("[timers]\n");
	r = event_base_once(base, -1, EV_TIMEOUT, cb, "t60", &t60); printf("t60: %d\n", r);
	r = event_base_once(base, -1, EV_TIMEOUT, cb, "t10", &t10); printf("t10: %d\n", r);
	r = event_base_once(base, -1, EV_TIMEOUT, cb, "tNULL", NULL); printf("tNULL: %d\n", r);
	r = event_base_once(base, -1, EV_TIMEOUT, cb, "tZERO", &zero); printf("tZERO: %d\n", r);
	r = event_base_once(base, -1, EV_TIMEOUT, cb, "t30", &t30); printf("t30: %d\n", r);
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);

	printf("[fd forms]\n");
	/* sv[0] has nothing to read: times out.  sv2[0] gets data. */
	r = event_base_once(base, sv[0], EV_READ, cb, "read-timeout", &t30); printf("read-timeout: %d\n", r);
	r = event_base_once(base, sv2[0], EV_READ, cb, "read-ready", &t60); printf("read-ready: %d\n", r);
	if (write(sv2[1], "x", 1) != 1) return 1;
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);
	/* sv2[0] is now readable and writable */
	r = event_base_once(base, sv2[0], EV_READ | EV_WRITE, cb, "read-write", NULL); printf("read-write: %d\n", r);
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);
	r = event_base_once(base, sv[0], EV_WRITE | EV_TIMEOUT, cb, "write|timeout", &t60); printf("write|timeout: %d\n", r);
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);
	r = event_base_once(base, sv[0], EV_READ | EV_TIMEOUT, cb, "read|timeout-NULL-tv", NULL); printf("read|timeout NULL tv: %d\n", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("nonblock loop: %d\n", r);

	printf("[pending one-shot freed with the base]\n");
	struct timeval t10s = { 10, 0 };
	r = event_base_once(base, -1, EV_TIMEOUT, cb, "never", &t10s); printf("never: %d\n", r);
	event_base_free(base);
	close(sv[0]); close(sv[1]); close(sv2[0]); close(sv2[1]);
	libevent_global_shutdown();
	printf("done\n");
	return 0;
}
