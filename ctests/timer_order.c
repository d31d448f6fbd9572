/* Covers: firing order of heap timers (non-common timeouts): distinct
 * deadlines added in scrambled order fire in deadline order; timers with
 * equal deadlines (all added from one callback, so they share the cached
 * "now") do NOT fire in insertion order - libevent's binary min-heap
 * decides (first-added first, then the rest in reverse insertion order for
 * one group of equal deadlines); several groups of equal deadlines; deleting
 * and re-adding some of them; re-adding a pending timer (same timeout, and
 * a shorter one); and 100 timers with many duplicate deadlines.  The
 * sequence of heap operations is fixed, so the order does not depend on
 * how many loop passes the expirations are spread over.
 */
#include <event2/event.h>
#include <stdio.h>

#define MAXT 100
static struct event_base *base;
static struct event *tm[MAXT];
static int names[MAXT];
static int scenario, printed;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf(" T%d", *(int *)arg);
	if (++printed % 20 == 0) printf("\n");
}

static void add_ms(int i, int ms)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	if (event_add(tm[i], &tv) != 0) printf(" add failed");
}

static void setup_cb(evutil_socket_t fd, short what, void *arg)
{
	int i;
	switch (scenario) {
	case 0: { /* distinct, scrambled */
		static const int ms[8] = { 35, 5, 25, 15, 40, 10, 30, 20 };
		for (i = 0; i < 8; i++) add_ms(i, ms[i]);
		break; }
	case 1: /* one group of 8 equal deadlines */
		for (i = 0; i < 8; i++) add_ms(i, 10);
		break;
	case 2: /* three interleaved groups */
		for (i = 0; i < 12; i++) add_ms(i, 10 + (i % 3) * 5);
		break;
	case 3: /* equal deadlines, then T2 and T5 deleted and re-added */
		for (i = 0; i < 8; i++) add_ms(i, 10);
		event_del(tm[2]); event_del(tm[5]);
		add_ms(5, 10); add_ms(2, 10);
		break;
	case 4: /* equal deadlines, then T3 re-added while pending, same timeout */
		for (i = 0; i < 8; i++) add_ms(i, 10);
		add_ms(3, 10);
		break;
	case 5: /* equal deadlines, then T6 re-added while pending, shorter */
		for (i = 0; i < 8; i++) add_ms(i, 10);
		add_ms(6, 5);
		break;
	case 6: { /* 100 timers, deadlines 0..24ms with many duplicates */
		unsigned x = 12345;
		for (i = 0; i < 100; i++) {
			x = x * 1103515245u + 12345u;
			add_ms(i, (int)((x >> 16) % 25));
		}
		break; }
	}
}

static const char *titles[] = {
	"distinct deadlines 35,5,25,15,40,10,30,20 ms",
	"8 equal deadlines",
	"12 timers, deadlines 10/15/20ms by i%3",
	"8 equal, T2 and T5 deleted and re-added (T5 first)",
	"8 equal, T3 re-added while pending (same timeout)",
	"8 equal, T6 re-added while pending with a shorter timeout",
	"100 timers, pseudo-random deadlines 0..24ms",
};

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	base = event_base_new();
	for (int i = 0; i < MAXT; i++) {
		names[i] = i;
		tm[i] = evtimer_new(base, cb, &names[i]);
	}
	struct event *setup = evtimer_new(base, setup_cb, NULL);
	for (scenario = 0; scenario < 7; scenario++) {
		printf("[%s]\n", titles[scenario]);
		printed = 0;
		event_active(setup, EV_TIMEOUT, 0);
		int r = event_base_dispatch(base);
		if (printed % 20) printf("\n");
		printf(" dispatch: %d\n", r);
	}
	for (int i = 0; i < MAXT; i++)
		event_free(tm[i]);
	event_free(setup);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
