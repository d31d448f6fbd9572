/* Covers: EV_PERSIST. A persistent timer fires repeatedly on a fixed
 * schedule (5 firings at 60ms spacing before a 330ms stop timer; the
 * schedule is relative to the previous deadline, so small callback delays
 * do not drift it), stays pending between firings and stops when deleted
 * from its own callback; a persistent read event keeps firing while data
 * remains (level-triggered; one EVLOOP_NONBLOCK call keeps polling while
 * callbacks ran, so it drains all three bytes) and stays pending; a
 * persistent I/O event with a timeout gets its timeout rescheduled after
 * each activation (shown by ordering against a reference timer); a
 * persistent event with no timeout and no I/O flags is not pending.
 */
#include <event2/event.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

static struct event_base *base;
static int ticks;
static struct event *tick_ev;

static void tick_cb(evutil_socket_t fd, short what, void *arg)
{
	ticks++;
	printf("  tick %d what=0x%x pending=0x%x\n", ticks, what, event_pending(tick_ev, ALLF, NULL));
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  stop after %d ticks\n", ticks);
	event_base_loopbreak(base);
}

static void self_del_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	ticks++;
	printf("  self_del tick %d\n", ticks);
	if (ticks == 3) {
		event_del(self);
		printf("  deleted self, pending=0x%x\n", event_pending(self, ALLF, NULL));
	}
}

static int reads;
static void read_cb(evutil_socket_t fd, short what, void *arg)
{
	char c;
	struct event *self = arg;
	ssize_t n = read(fd, &c, 1);
	reads++;
	printf("  read_cb what=0x%x got=%c pending=0x%x\n", what, n == 1 ? c : '?', event_pending(self, ALLF, NULL));
}

static int io_fd_w;
static struct event *pio;
static void writer_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  writer: making fd readable\n");
	if (write(io_fd_w, "w", 1) != 1) printf("write failed\n");
}
static void ref_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  reference timer\n");
}
static void pio_cb(evutil_socket_t fd, short what, void *arg)
{
	char c;
	if (what & EV_READ) {
		if (read(fd, &c, 1) != 1) printf("read failed\n");
	}
	printf("  persistent io what=0x%x\n", what);
	if (what & EV_TIMEOUT) {
		event_del(pio);
		printf("  persistent io deleted after its timeout\n");
	}
}

static void tv_ms(struct timeval *tv, int ms) { tv->tv_sec = ms / 1000; tv->tv_usec = (ms % 1000) * 1000; }

int main(void)
{
	int sv[2], r;
	struct timeval tv, t0, t1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	base = event_base_new();

	printf("[persistent timer over a window]\n");
	tick_ev = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	struct event *stop = evtimer_new(base, stop_cb, NULL);
	gettimeofday(&t0, NULL);
	tv_ms(&tv, 60); event_add(tick_ev, &tv);
	tv_ms(&tv, 330); event_add(stop, &tv);
	r = event_base_dispatch(base);
	gettimeofday(&t1, NULL);
	long el = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_usec - t0.tv_usec) / 1000;
	printf("dispatch: %d ticks=%d elapsed>=300ms: %s\n", r, ticks, el >= 300 ? "yes" : "no");
	printf("tick still pending: 0x%x\n", event_pending(tick_ev, ALLF, NULL));
	event_del(tick_ev);

	printf("[persistent timer deleting itself]\n");
	ticks = 0;
	struct event *sd = event_new(base, -1, EV_PERSIST, self_del_cb, event_self_cbarg());
	tv_ms(&tv, 5); event_add(sd, &tv);
	r = event_base_dispatch(base);
	printf("dispatch: %d ticks=%d\n", r, ticks);

	printf("[persistent read event]\n");
	struct event *rd = event_new(base, sv[0], EV_READ | EV_PERSIST, read_cb, event_self_cbarg());
	event_add(rd, NULL);
	if (write(sv[1], "abc", 3) != 3) return 1;
	for (int i = 0; i < 4; i++) {
		r = event_base_loop(base, EVLOOP_NONBLOCK);
		printf("nonblock loop %d: %d reads=%d\n", i, r, reads);
	}
	printf("read event pending: 0x%x\n", event_pending(rd, ALLF, NULL));
	event_del(rd);

	printf("[persistent io with timeout is rescheduled by activity]\n");
	io_fd_w = sv[1];
	pio = event_new(base, sv[0], EV_READ | EV_PERSIST, pio_cb, NULL);
	struct event *wr = evtimer_new(base, writer_cb, NULL);
	struct event *ref = evtimer_new(base, ref_cb, NULL);
	tv_ms(&tv, 100); event_add(pio, &tv);
	tv_ms(&tv, 50); event_add(wr, &tv);
	tv_ms(&tv, 120); event_add(ref, &tv);
	r = event_base_dispatch(base);
	printf("dispatch: %d\n", r);

	printf("[persistent event, no timeout, no I/O]\n");
	struct event *nothing = event_new(base, -1, EV_PERSIST, tick_cb, NULL);
	r = event_add(nothing, NULL);
	printf("add: %d pending=0x%x\n", r, event_pending(nothing, ALLF, NULL));

	event_free(tick_ev); event_free(stop); event_free(sd); event_free(rd);
	event_free(pio); event_free(wr); event_free(ref); event_free(nothing);
	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
