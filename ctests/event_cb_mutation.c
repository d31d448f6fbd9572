/* Covers: changing events from inside callbacks: deleting an event that is
 * already active in the same pass (it must not run), freeing another
 * active event (it must not run), freeing an event inside its own
 * callback (plain and persistent), a non-persistent timer re-adding itself
 * from its callback (pending state inside the callback before and after
 * the re-add), deleting and re-adding an active event with a future
 * timeout (activation dropped, new timeout honoured), and an I/O event
 * deleting its sibling on the same fd.
 */
#include <event2/event.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>

#define ALLF (EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT)

static struct event_base *base;
static struct event *victim;
static const char *mode;

static void victim_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  victim %s ran what=0x%x\n", (const char *)arg, what);
}

static void killer_cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  killer (%s) what=0x%x\n", mode, what);
	if (mode[0] == 'd') {
		int r = event_del(victim);
		printf("  event_del(victim): %d pending=0x%x\n", r, event_pending(victim, ALLF, NULL));
	} else if (mode[0] == 'f') {
		event_free(victim);
		victim = NULL;
		printf("  event_free(victim) done\n");
	} else if (mode[0] == 'r') {
		struct timeval tv = { 0, 20000 };
		event_del(victim);
		int r = event_add(victim, &tv);
		printf("  del+re-add victim with 20ms timeout: %d pending=0x%x\n", r, event_pending(victim, ALLF, NULL));
	}
}

static void self_free_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	printf("  self_free what=0x%x persist=%s\n", what,
	    (event_get_events(self) & EV_PERSIST) ? "yes" : "no");
	event_free(self);
}

static int readds;
static void readd_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	struct timeval tv = { 0, 1000 };
	readds++;
	printf("  readd run %d pending-before=0x%x", readds, event_pending(self, ALLF, NULL));
	if (readds < 3) {
		int r = event_add(self, &tv);
		printf(" re-add=%d pending-after=0x%x", r, event_pending(self, ALLF, NULL));
	}
	printf("\n");
}

static void run(const char *title)
{
	printf("[%s]\n", title);
	int r = event_base_dispatch(base);
	printf(" dispatch -> %d\n", r);
}

int main(void)
{
	int sv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	base = event_base_new();
	struct event *killer = evtimer_new(base, killer_cb, NULL);

	/* killer activated first, victim second: both in the active queue */
	mode = "delete";
	victim = evtimer_new(base, victim_cb, "A");
	event_active(killer, EV_TIMEOUT, 0);
	event_active(victim, EV_TIMEOUT, 0);
	run("delete an active event from an earlier callback");
	event_free(victim);

	mode = "free";
	victim = evtimer_new(base, victim_cb, "B");
	event_active(killer, EV_TIMEOUT, 0);
	event_active(victim, EV_TIMEOUT, 0);
	run("free an active event from an earlier callback");
	printf(" victim freed: %s\n", victim == NULL ? "yes" : "no");

	mode = "readd";
	victim = evtimer_new(base, victim_cb, "C");
	event_active(killer, EV_TIMEOUT, 0);
	event_active(victim, EV_READ, 0);
	run("delete+re-add an active event with a timeout");
	event_free(victim);

	/* I/O siblings on one fd: the most recently added runs first */
	mode = "delete";
	victim = event_new(base, sv[0], EV_READ, victim_cb, "io-read");
	struct event *iokiller = event_new(base, sv[0], EV_WRITE, killer_cb, NULL);
	event_add(victim, NULL);
	event_add(iokiller, NULL);
	if (write(sv[1], "x", 1) != 1) return 1;
	run("I/O event deletes its ready sibling on the same fd");
	event_free(victim);
	event_free(iokiller);

	struct event *sf = evtimer_new(base, self_free_cb, event_self_cbarg());
	struct timeval t1 = { 0, 1000 };
	event_add(sf, &t1);
	run("free self in callback (timer)");

	struct event *sfp = event_new(base, sv[0], EV_READ | EV_PERSIST, self_free_cb, event_self_cbarg());
	event_add(sfp, &t1);
	run("free self in callback (persistent read, data ready)");

	struct event *ra = evtimer_new(base, readd_cb, event_self_cbarg());
	event_add(ra, &t1);
	run("non-persistent timer re-adds itself");
	event_free(ra);

	event_free(killer);
	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
