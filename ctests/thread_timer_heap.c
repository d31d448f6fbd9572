/* Covers: event_add / event_del of timers from several threads at once on
 * one base whose loop runs in another thread (timer heap contention):
 * adding pending timers again (rescheduling), deleting pending and
 * non-pending ones, long timeouts that never fire, common timeouts
 * (event_base_init_common_timeout) mixed in; then each thread adds short
 * timers whose firings it counts.  Every short timer fires exactly once,
 * no long one fires, event_pending agrees, and nothing is left added.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 40
 */
#include "thread_common.h"

#define NT 4		/* threads */
#define NE 32		/* timers per thread */
#define OPS 6000	/* random add/del operations per thread */
#define NSHORT 8	/* short timers per thread at the end */

struct tev {
	struct event *ev;
	int fired;
	int is_short;
};

struct worker {
	struct tev t[NE];
	struct flag fired;	/* short timers fired; also guards tev.fired */
	int long_fired;
	int bad_pending;
	unsigned seed;
	pthread_t th;
	int waited;
};

static struct worker w[NT];
static struct event_base *base;
static const struct timeval *common_10s;

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct tev *t = arg;
	struct worker *me = NULL;
	int i;
	(void)fd; (void)what;
	for (i = 0; i < NT; i++)
		if (t >= w[i].t && t < w[i].t + NE)
			me = &w[i];
	pthread_mutex_lock(&me->fired.m);
	t->fired++;
	if (t->is_short)
		me->fired.v++;
	else
		me->long_fired++;
	pthread_cond_broadcast(&me->fired.c);
	pthread_mutex_unlock(&me->fired.m);
}

static void *churn(void *arg)
{
	struct worker *me = arg;
	int k, j;
	for (k = 0; k < OPS; k++) {
		unsigned r = (unsigned)rand_r(&me->seed);
		struct event *ev = me->t[r % NE].ev;
		switch ((r >> 8) % 4) {
		case 0:
		case 1: {
			/* 10-20 s: never reached during the test. */
			struct timeval tv = { 10 + (int)((r >> 12) % 10), (int)((r >> 4) % 1000000) };
			event_add(ev, &tv);
			break;
		}
		case 2:
			event_del(ev);
			break;
		case 3:
			event_add(ev, common_10s);
			break;
		}
	}
	/* Everything deleted: none may be pending any more. */
	for (j = 0; j < NE; j++) {
		event_del(me->t[j].ev);
		if (event_pending(me->t[j].ev, EV_TIMEOUT, NULL))
			me->bad_pending++;
	}
	/* The short ones: 1..NSHORT ms, counted by the callback. */
	for (j = 0; j < NSHORT; j++) {
		struct timeval tv = { 0, (j + 1) * 1000 };
		pthread_mutex_lock(&me->fired.m);
		me->t[j].is_short = 1;
		pthread_mutex_unlock(&me->fired.m);
		event_add(me->t[j].ev, &tv);
	}
	me->waited = flag_wait(&me->fired, NSHORT, PROMPT_MS);
	for (j = 0; j < NE; j++)
		if (event_pending(me->t[j].ev, EV_TIMEOUT, NULL))
			me->bad_pending++;
	return NULL;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 20);
	struct looper lp;
	int it, i, j;
	long shorts = 0, longs = 0, once_each = 0, pending_bad = 0, not_woken = 0;
	int left_added = 0, ends_ok = 0;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(35);
	for (it = 0; it < iters; it++) {
		struct timeval ten = { 10, 0 };
		base = event_base_new();
		if (!base)
			die("event_base_new");
		common_10s = event_base_init_common_timeout(base, &ten);
		looper_init(&lp, base);
		for (i = 0; i < NT; i++) {
			memset(w[i].t, 0, sizeof(w[i].t));
			flag_init(&w[i].fired);
			w[i].long_fired = w[i].bad_pending = 0;
			w[i].seed = (unsigned)(it * 131 + i * 7 + 1);
			for (j = 0; j < NE; j++)
				w[i].t[j].ev = evtimer_new(base, timer_cb, &w[i].t[j]);
		}
		looper_start(&lp, EVLOOP_NO_EXIT_ON_EMPTY);
		if (!looper_sync(&lp))
			printf("iteration %d: the loop did not start\n", it);
		phase("add/del from threads");
		for (i = 0; i < NT; i++)
			pthread_create(&w[i].th, NULL, churn, &w[i]);
		for (i = 0; i < NT; i++)
			pthread_join(w[i].th, NULL);
		looper_sync(&lp);
		for (i = 0; i < NT; i++) {
			shorts += flag_get(&w[i].fired);
			longs += w[i].long_fired;
			pending_bad += w[i].bad_pending;
			not_woken += !w[i].waited;
			for (j = 0; j < NSHORT; j++)
				once_each += w[i].t[j].fired == 1;
		}
		left_added += event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED);
		phase("loopbreak and join");
		event_base_loopbreak(base);
		if (looper_join(&lp, PROMPT_MS) && lp.result == 0)
			ends_ok++;
		phase("freeing");
		for (i = 0; i < NT; i++) {
			for (j = 0; j < NE; j++)
				event_free(w[i].t[j].ev);
			flag_destroy(&w[i].fired);
		}
		looper_free(&lp);
		event_base_free(base);
	}
	printf("iterations=%d threads=%d timers=%d ops=%d short=%d\n", iters, NT, NE, OPS, NSHORT);
	printf("short timers fired=%ld (each exactly once: %ld) threads not woken=%ld\n",
	    shorts, once_each, not_woken);
	printf("long timers fired=%ld wrongly pending=%ld left added=%d\n", longs, pending_bad, left_added);
	printf("loops ended by loopbreak: %d of %d\n", ends_ok, iters);
	libevent_global_shutdown();
	return 0;
}
