/* Covers: event_add with and without a timeout; re-adding a pending event
 * reschedules its timeout (earlier and later, shown by ordering against a
 * reference timer); event_add(ev, NULL) on an event that already has a
 * timeout (the old timeout is kept); event_del on pending / non-pending /
 * already-deleted events; event_del_block and event_del_noblock return values
 * and effect; event_remove_timer keeps the I/O part of an event; adding an
 * event with no READ/WRITE/SIGNAL flags and no timeout (nothing pending, the
 * loop has nothing to wait for).
 */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

static struct event_base *base;

static void named_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  cb %s what=0x%x\n", (const char *)arg, what);
}

static void tv_ms(struct timeval *tv, int ms)
{
	tv->tv_sec = ms / 1000;
	tv->tv_usec = (ms % 1000) * 1000;
}

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

int main(void)
{
	int sv[2];
	struct timeval tv;
	int r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	base = event_base_new();

	printf("[reschedule earlier / later]\n");
	struct event *ref = evtimer_new(base, named_cb, "ref");
	struct event *a = evtimer_new(base, named_cb, "a:300->30");
	struct event *b = evtimer_new(base, named_cb, "b:20->200");
	tv_ms(&tv, 100); r = event_add(ref, &tv); printf("add ref: %d\n", r);
	tv_ms(&tv, 300); r = event_add(a, &tv); printf("add a: %d\n", r);
	tv_ms(&tv, 20);  r = event_add(b, &tv); printf("add b: %d\n", r);
	tv_ms(&tv, 30);  r = event_add(a, &tv); printf("re-add a: %d\n", r);
	tv_ms(&tv, 200); r = event_add(b, &tv); printf("re-add b: %d\n", r);
	r = event_base_dispatch(base);
	printf("dispatch returned %d\n", r);

	printf("[add NULL keeps existing timeout]\n");
	struct event *c = event_new(base, sv[0], EV_READ, named_cb, "c");
	tv_ms(&tv, 30); r = event_add(c, &tv); printf("add c 30ms: %d\n", r);
	r = event_add(c, NULL); printf("re-add c NULL: %d\n", r);
	printf("pending(c, TIMEOUT)=0x%x pending(c, READ)=0x%x\n",
	    event_pending(c, EV_TIMEOUT, NULL), event_pending(c, EV_READ, NULL));
	r = event_base_dispatch(base);
	printf("dispatch returned %d\n", r);

	printf("[event_del]\n");
	tv_ms(&tv, 10); event_add(c, &tv);
	printf("pending before del: 0x%x\n", event_pending(c, ALLF, NULL));
	r = event_del(c); printf("del pending: %d\n", r);
	printf("pending after del: 0x%x\n", event_pending(c, ALLF, NULL));
	r = event_del(c); printf("del again: %d\n", r);
	struct event *never = event_new(base, sv[0], EV_READ, named_cb, "never");
	r = event_del(never); printf("del never-added: %d\n", r);
	r = event_base_dispatch(base);
	printf("dispatch with only deleted events returned %d\n", r);

	printf("[event_del_block / event_del_noblock]\n");
	tv_ms(&tv, 10); event_add(c, &tv);
	r = event_del_block(c); printf("del_block: %d pending=0x%x\n", r, event_pending(c, ALLF, NULL));
	r = event_del_block(c); printf("del_block again: %d\n", r);
	tv_ms(&tv, 10); event_add(c, &tv);
	r = event_del_noblock(c); printf("del_noblock: %d pending=0x%x\n", r, event_pending(c, ALLF, NULL));
	r = event_del_noblock(c); printf("del_noblock again: %d\n", r);
	r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("loop after dels returned %d\n", r);

	printf("[event_remove_timer]\n");
	tv_ms(&tv, 30); event_add(c, &tv);
	printf("before: pending=0x%x\n", event_pending(c, ALLF, NULL));
	r = event_remove_timer(c); printf("remove_timer: %d\n", r);
	printf("after: pending=0x%x\n", event_pending(c, ALLF, NULL));
	r = event_remove_timer(c); printf("remove_timer again: %d\n", r);
	r = event_remove_timer(never); printf("remove_timer never-added: %d\n", r);
	/* reference timer at 80ms: c's old 30ms timeout must not fire before it */
	tv_ms(&tv, 80); event_add(ref, &tv);
	r = event_base_loop(base, EVLOOP_ONCE);
	printf("after ref: c pending=0x%x\n", event_pending(c, ALLF, NULL));
	if (write(sv[1], "z", 1) != 1) return 1;
	r = event_base_loop(base, EVLOOP_ONCE);
	printf("loop once returned %d; c pending=0x%x\n", r, event_pending(c, ALLF, NULL));
	char buf[8];
	if (read(sv[0], buf, sizeof(buf)) != 1) return 1;

	printf("[event with no flags, no timeout]\n");
	struct event *nf = event_new(base, -1, 0, named_cb, "noflags");
	r = event_add(nf, NULL); printf("add: %d pending=0x%x\n", r, event_pending(nf, ALLF, NULL));
	r = event_base_dispatch(base);
	printf("dispatch returned %d\n", r);
	r = event_del(nf); printf("del: %d\n", r);

	printf("[timer with tv, fired, re-add from scratch]\n");
	tv_ms(&tv, 5); event_add(nf, &tv);
	printf("pending=0x%x\n", event_pending(nf, ALLF, NULL));
	r = event_base_dispatch(base);
	printf("dispatch returned %d pending=0x%x\n", r, event_pending(nf, ALLF, NULL));

	event_free(ref); event_free(a); event_free(b); event_free(c);
	event_free(never); event_free(nf);
	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
