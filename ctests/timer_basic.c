/* Covers: the evtimer_* macros (evtimer_new, evtimer_assign,
 * evtimer_add, evtimer_del, evtimer_pending, evtimer_initialized), a
 * zero timeout (fires on the next pass) versus a NULL timeout (nothing
 * scheduled, not pending), negative and mixed-sign timeouts (treated as
 * already expired; ordered by their computed deadlines), very large
 * timeouts (1e9 s, INT_MAX s, LONG_MAX/2 s: pending, never fire, tv_out
 * far in the future, and a loop pass with such a timer and a ready fd
 * returns promptly), and deleting a timer before it fires.
 * Timers that must be compared are added from one callback so they share
 * the loop's cached "now".
 */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <string.h>
#include <limits.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>

static struct event_base *base;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  fired %s what=0x%x\n", (const char *)arg, what);
}

struct spec { long sec; long usec; const char *name; };
static struct spec specs[] = {
	{ 0, 30000, "+30ms" }, { 0, -500000, "-0.5s" }, { -1, 0, "-1s" }, { 0, 0, "zero" },
	{ -1, -1, "-1s-1us" }, { 0, -1, "-1us" }, { -100, 0, "-100s" }, { 0, 1, "+1us" },
};
#define NSPEC (sizeof(specs) / sizeof(specs[0]))
static struct event *sev[NSPEC];

static void setup_cb(evutil_socket_t fd, short what, void *arg)
{
	for (unsigned i = 0; i < NSPEC; i++) {
		struct timeval tv = { specs[i].sec, specs[i].usec };
		int r = evtimer_add(sev[i], &tv);
		printf("  add %s: %d pending=%d\n", specs[i].name, r, evtimer_pending(sev[i], NULL) ? 1 : 0);
	}
}

int main(void)
{
	int r, sv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	base = event_base_new();

	printf("[evtimer macros]\n");
	struct event st;
	memset(&st, 0, sizeof(st));
	printf("initialized before assign: %d\n", evtimer_initialized(&st) ? 1 : 0);
	r = evtimer_assign(&st, base, cb, "assigned");
	printf("evtimer_assign: %d initialized=%d events=0x%x fd=%d\n", r,
	    evtimer_initialized(&st) ? 1 : 0, event_get_events(&st), (int)event_get_fd(&st));
	struct event *t = evtimer_new(base, cb, "new");
	printf("evtimer_new: %s events=0x%x pending=%d\n", t ? "ok" : "NULL", event_get_events(t),
	    evtimer_pending(t, NULL) ? 1 : 0);
	struct timeval t10 = { 0, 80000 }, t5 = { 0, 5000 };
	r = evtimer_add(t, &t10); printf("evtimer_add(new, 80ms): %d pending=%d\n", r, evtimer_pending(t, NULL) ? 1 : 0);
	r = evtimer_add(&st, &t5); printf("evtimer_add(assigned, 5ms): %d\n", r);
	r = event_base_dispatch(base); printf("dispatch: %d\n", r);
	r = evtimer_add(t, &t10);
	r = evtimer_del(t); printf("evtimer_del: %d pending=%d\n", r, evtimer_pending(t, NULL) ? 1 : 0);
	r = event_base_dispatch(base); printf("dispatch after del: %d\n", r);

	printf("[zero vs NULL timeout]\n");
	struct timeval zero = { 0, 0 };
	r = evtimer_add(t, NULL); printf("evtimer_add(NULL): %d pending=%d\n", r, evtimer_pending(t, NULL) ? 1 : 0);
	r = event_base_dispatch(base); printf("dispatch: %d\n", r);
	r = evtimer_add(t, &zero); printf("evtimer_add(zero): %d pending=%d\n", r, evtimer_pending(t, NULL) ? 1 : 0);
	r = event_base_loop(base, EVLOOP_NONBLOCK); printf("nonblock loop: %d\n", r);

	printf("[negative and mixed-sign timeouts, added from one callback]\n");
	for (unsigned i = 0; i < NSPEC; i++)
		sev[i] = evtimer_new(base, cb, (void *)specs[i].name);
	struct event *setup = evtimer_new(base, setup_cb, NULL);
	event_active(setup, EV_TIMEOUT, 0);
	r = event_base_dispatch(base); printf("dispatch: %d\n", r);

	printf("[very large timeouts]\n");
	struct { long sec; const char *name; } big[] = {
		{ 1000000000L, "1e9s" }, { INT_MAX, "INT_MAX s" }, { LONG_MAX / 2, "LONG_MAX/2 s" } };
	struct event *bev[3];
	for (int i = 0; i < 3; i++) {
		struct timeval tv = { big[i].sec, 0 }, out, now;
		bev[i] = evtimer_new(base, cb, (void *)big[i].name);
		r = evtimer_add(bev[i], &tv);
		int p = evtimer_pending(bev[i], &out);
		gettimeofday(&now, NULL);
		long rem = (long)(out.tv_sec - now.tv_sec);
		printf("%s: add=%d pending=%d expiry-now within 2s of timeout: %s\n", big[i].name, r, p ? 1 : 0,
		    (rem > big[i].sec - 2 && rem < big[i].sec + 2) ? "yes" : "no");
	}
	if (write(sv[1], "x", 1) != 1) return 1;
	struct event *rd = event_new(base, sv[0], EV_READ, cb, "ready fd");
	event_add(rd, NULL);
	r = event_base_loop(base, EVLOOP_ONCE);
	printf("loop once with big timers and a ready fd: %d\n", r);
	for (int i = 0; i < 3; i++) {
		printf("%s still pending: %d\n", big[i].name, evtimer_pending(bev[i], NULL) ? 1 : 0);
		event_free(bev[i]);
	}
	/* the big timers are the only ones left before this: now nothing */
	r = event_base_dispatch(base); printf("dispatch after freeing them: %d\n", r);

	for (unsigned i = 0; i < NSPEC; i++)
		event_free(sev[i]);
	event_free(setup); event_free(rd); event_free(t);
	event_del(&st);
	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
