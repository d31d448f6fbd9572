/* Covers: the res ("what") argument given to callbacks: EV_READ|EV_WRITE
 * on one event (both ready -> both bits; only writable -> EV_WRITE),
 * EV_READ with a timeout (ready first -> EV_READ; nothing -> EV_TIMEOUT;
 * readiness and an already-expired timeout seen in the same loop pass ->
 * EV_TIMEOUT only, for non-persistent and persistent events, the
 * persistent one then seeing EV_READ on the next pass), EV_TIMEOUT given
 * in the events argument without a timeout (no timeout is scheduled), and
 * pure timers (EV_TIMEOUT).
 */
#include <event2/event.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  cb %s what=0x%x\n", (const char *)arg, what);
}

static void once(struct event_base *base)
{
	int r = event_base_loop(base, EVLOOP_ONCE);
	if (r) printf("  loop -> %d\n", r);
}

int main(void)
{
	int sv[2];
	char buf[8];
	struct timeval t20 = { 0, 20000 }, t1s = { 1, 0 };
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	struct event_base *base = event_base_new();
	struct event *e;

	printf("[READ|WRITE, both ready]\n");
	if (write(sv[1], "x", 1) != 1) return 1;
	e = event_new(base, sv[0], EV_READ | EV_WRITE, cb, "rw");
	event_add(e, NULL);
	once(base);
	printf("[READ|WRITE, only writable]\n");
	if (read(sv[0], buf, sizeof(buf)) != 1) return 1;
	event_add(e, NULL);
	once(base);
	event_free(e);

	printf("[READ with 1s timeout, data arrives first]\n");
	e = event_new(base, sv[0], EV_READ, cb, "read+timeout");
	event_add(e, &t1s);
	if (write(sv[1], "x", 1) != 1) return 1;
	once(base);
	printf(" pending after: 0x%x\n", event_pending(e, ALLF, NULL));
	if (read(sv[0], buf, sizeof(buf)) != 1) return 1;

	printf("[READ with 20ms timeout, no data]\n");
	event_add(e, &t20);
	once(base);

	printf("[READ with 20ms timeout, data ready and timeout expired before the loop runs]\n");
	event_add(e, &t20);
	if (write(sv[1], "x", 1) != 1) return 1;
	usleep(60000);
	once(base);
	printf(" pending after: 0x%x\n", event_pending(e, ALLF, NULL));
	event_free(e);

	printf("[same, persistent]\n");
	e = event_new(base, sv[0], EV_READ | EV_PERSIST, cb, "persist read+timeout");
	event_add(e, &t20);
	usleep(60000);
	once(base);
	once(base);
	if (read(sv[0], buf, sizeof(buf)) != 1) return 1;
	event_free(e);

	printf("[EV_TIMEOUT in events, no tv]\n");
	e = event_new(base, sv[0], EV_READ | EV_TIMEOUT, cb, "read|EV_TIMEOUT");
	event_add(e, NULL);
	printf(" pending: 0x%x\n", event_pending(e, ALLF, NULL));
	int r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf(" nonblock loop: %d (no callback expected)\n", r);
	event_free(e);

	printf("[pure timer]\n");
	e = evtimer_new(base, cb, "timer");
	event_add(e, &t20);
	once(base);
	event_free(e);

	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
