/* Covers: common timeouts (event_base_init_common_timeout): the returned
 * timeval (same duration -> same pointer, encoded tv_usec, tv_sec kept),
 * several events on one common timeout firing in insertion order (even
 * when added with the same cached "now"), mixing with ordinary heap timers
 * of the same and of other durations, re-adding a pending event (it moves
 * behind the others), deleting one from the middle, a copy of the returned
 * timeval working like the original, event_pending's tv_out decoded to a
 * plausible expiry, a persistent event on a common timeout, and two
 * different common durations interleaving, and the limit on the number
 * of distinct common durations per base (NULL plus a warning, captured
 * with event_set_log_callback).
 */
#include <event2/event.h>
#include <stdio.h>
#include <sys/time.h>

#define N 6
static struct event_base *base;
static struct event *ce[N], *he[N], *pe;
static const struct timeval *c20, *c40, *c100;
static int scenario;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf(" %s", (const char *)arg);
}

static int pticks;
static void persist_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	printf(" P%d", ++pticks);
	if (pticks == 3) event_del(self);
}

static void logcb(int severity, const char *msg)
{
	printf("log[%d]: %s\n", severity, msg);
}

static void ms(struct timeval *tv, int m) { tv->tv_sec = 0; tv->tv_usec = m * 1000; }

static void setup_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv;
	int i;
	switch (scenario) {
	case 0: /* all on one common timeout, same cached now */
		for (i = 0; i < N; i++) event_add(ce[i], c20);
		break;
	case 1: /* heap timer of the same duration before and after */
		ms(&tv, 20);
		event_add(he[0], &tv);
		for (i = 0; i < 3; i++) event_add(ce[i], c20);
		event_add(he[1], &tv);
		ms(&tv, 10); event_add(he[2], &tv);
		ms(&tv, 80); event_add(he[3], &tv);
		break;
	case 2: /* re-add a pending one, delete one from the middle */
		for (i = 0; i < N; i++) event_add(ce[i], c20);
		event_add(ce[1], c20);
		event_del(ce[3]);
		break;
	case 3: { /* a struct copy of the returned timeval */
		struct timeval copy = *c20;
		event_add(ce[0], c20);
		event_add(ce[1], &copy);
		event_add(ce[2], c20);
		break; }
	case 4: /* two common durations interleaved with heap timers */
		for (i = 0; i < 3; i++) event_add(ce[i], c100);
		for (i = 3; i < N; i++) event_add(ce[i], c20);
		ms(&tv, 60); event_add(he[0], &tv);
		ms(&tv, 140); event_add(he[1], &tv);
		break;
	case 5: /* persistent on 20ms, two one-shots on 100ms */
		event_add(pe, c20);
		event_add(ce[1], c100);
		event_add(ce[2], c100);
		break;
	}
}

int main(void)
{
	static const char *cn[N] = { "C0", "C1", "C2", "C3", "C4", "C5" };
	static const char *hn[N] = { "H0", "H1", "H2", "H3", "H4", "H5" };
	struct timeval d20 = { 0, 20000 }, d40 = { 0, 40000 }, d20b = { 0, 20000 }, d1s = { 1, 500000 };
	setvbuf(stdout, NULL, _IOLBF, 0);
	base = event_base_new();

	printf("[init]\n");
	c20 = event_base_init_common_timeout(base, &d20);
	const struct timeval *c20b = event_base_init_common_timeout(base, &d20b);
	c40 = event_base_init_common_timeout(base, &d40);
	struct timeval d100 = { 0, 100000 };
	c100 = event_base_init_common_timeout(base, &d100);
	const struct timeval *c1s = event_base_init_common_timeout(base, &d1s);
	const struct timeval *again = event_base_init_common_timeout(base, c20);
	printf("20ms: sec=%ld usec=0x%lx\n", (long)c20->tv_sec, (unsigned long)c20->tv_usec);
	printf("40ms: sec=%ld usec=0x%lx\n", (long)c40->tv_sec, (unsigned long)c40->tv_usec);
	printf("1.5s: sec=%ld usec=0x%lx\n", (long)c1s->tv_sec, (unsigned long)c1s->tv_usec);
	printf("same duration -> same pointer: %s\n", c20 == c20b ? "yes" : "no");
	printf("passing the returned value back -> same pointer: %s\n", again == c20 ? "yes" : "no");
	printf("different durations -> different pointers: %s\n", c20 != c40 ? "yes" : "no");

	for (int i = 0; i < N; i++) {
		ce[i] = evtimer_new(base, cb, (void *)cn[i]);
		he[i] = evtimer_new(base, cb, (void *)hn[i]);
	}
	struct event *setup = evtimer_new(base, setup_cb, NULL);
	static const char *titles[] = {
		"6 events on one 20ms common timeout",
		"heap 20ms H0, common C0-C2, heap 20ms H1, heap 10ms H2, heap 80ms H3",
		"C0-C5, then C1 re-added and C3 deleted",
		"original, copy, original",
		"C0-C2 on 100ms, C3-C5 on 20ms, heap H0 60ms, H1 140ms",
		"persistent P on 20ms (deleted at its 3rd run), C1 C2 on 100ms",
	};
	pe = event_new(base, -1, EV_PERSIST, persist_cb, event_self_cbarg());
	for (scenario = 0; scenario < 6; scenario++) {
		printf("[%s]\n", titles[scenario]);
		event_active(setup, EV_TIMEOUT, 0);
		int r = event_base_dispatch(base);
		printf("\n dispatch: %d\n", r);
	}

	printf("[event_pending on a common-timeout event]\n");
	struct timeval out, now;
	event_add(ce[0], c1s);
	int p = event_pending(ce[0], EV_TIMEOUT, &out);
	gettimeofday(&now, NULL);
	long rem = (out.tv_sec - now.tv_sec) * 1000L + (out.tv_usec - now.tv_usec) / 1000L;
	printf("pending=0x%x tv_usec in range: %s expiry-now in (1300ms,1520ms]: %s\n", p,
	    (out.tv_usec >= 0 && out.tv_usec < 1000000) ? "yes" : "no",
	    (rem > 1300 && rem <= 1520) ? "yes" : "no");
	event_del(ce[0]);

	printf("[limit on distinct common durations]\n");
	event_set_log_callback(logcb);
	int made = 4, failed_at = -1; /* 20ms, 40ms, 100ms, 1.5s so far */
	for (int i = 0; i < 400; i++) {
		struct timeval d = { 2, 1000 + i };
		if (!event_base_init_common_timeout(base, &d)) { failed_at = i; break; }
		made++;
	}
	printf("distinct durations accepted: %d, first failure at extra #%d\n", made, failed_at);
	struct timeval d = { 2, 1000 };
	printf("an existing duration still works when full: %s\n",
	    event_base_init_common_timeout(base, &d) ? "yes" : "no");
	event_set_log_callback(NULL);

	for (int i = 0; i < N; i++) {
		event_free(ce[i]);
		event_free(he[i]);
	}
	event_free(pe);
	event_free(setup);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
