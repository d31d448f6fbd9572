/* Covers: many events on one fd: the order their callbacks run in when the
 * fd is both readable and writable (mixed READ, WRITE and READ|WRITE
 * events), the res each one gets (only its own interests), how deleting
 * some and adding others changes that order, re-adding an already-pending
 * event (no change) versus deleting and re-adding it, only-writable
 * readiness (READ events stay quiet), and non-persistent events on the
 * same fd being removed after one firing while persistent ones remain.
 */
#include <event2/event.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  %s what=0x%x\n", (const char *)arg, what);
}

static void pass(struct event_base *base, const char *title)
{
	printf("[%s]\n", title);
	int r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
	if (r != 0) printf(" loop -> %d\n", r);
}

int main(void)
{
	int sv[2];
	char buf[16];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	struct event_base *base = event_base_new();
	int fd = sv[0];

	struct event *r1 = event_new(base, fd, EV_READ | EV_PERSIST, cb, "R1");
	struct event *w1 = event_new(base, fd, EV_WRITE | EV_PERSIST, cb, "W1");
	struct event *r2 = event_new(base, fd, EV_READ | EV_PERSIST, cb, "R2");
	struct event *rw3 = event_new(base, fd, EV_READ | EV_WRITE | EV_PERSIST, cb, "RW3");
	struct event *w2 = event_new(base, fd, EV_WRITE | EV_PERSIST, cb, "W2");
	struct event *r4 = event_new(base, fd, EV_READ | EV_PERSIST, cb, "R4");
	struct event *once_r = event_new(base, fd, EV_READ, cb, "onceR");
	struct event *once_w = event_new(base, fd, EV_WRITE, cb, "onceW");

	event_add(r1, NULL); event_add(w1, NULL); event_add(r2, NULL);
	event_add(rw3, NULL); event_add(w2, NULL);
	if (write(sv[1], "x", 1) != 1) return 1;

	pass(base, "added R1 W1 R2 RW3 W2; readable+writable");
	pass(base, "same again");

	event_del(r2); event_del(w1); event_add(r4, NULL);
	pass(base, "deleted R2 W1, added R4");

	event_add(r1, NULL);
	pass(base, "event_add(R1) again while pending");

	event_del(r1); event_add(r1, NULL);
	pass(base, "deleted and re-added R1");

	event_add(w1, NULL);
	pass(base, "re-added W1");

	if (read(sv[0], buf, sizeof(buf)) != 1) return 1;
	pass(base, "data drained: writable only");

	event_add(once_r, NULL); event_add(once_w, NULL);
	if (write(sv[1], "y", 1) != 1) return 1;
	pass(base, "added non-persistent onceR onceW; readable+writable");
	printf("onceR pending=0x%x onceW pending=0x%x R1 pending=0x%x\n",
	    event_pending(once_r, ALLF, NULL), event_pending(once_w, ALLF, NULL),
	    event_pending(r1, ALLF, NULL));
	pass(base, "next pass");

	event_del(r1); event_del(w1); event_del(rw3); event_del(w2); event_del(r4);
	pass(base, "all deleted");

	event_free(r1); event_free(w1); event_free(r2); event_free(rw3);
	event_free(w2); event_free(r4); event_free(once_r); event_free(once_w);
	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
