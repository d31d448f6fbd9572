/* Covers: 100 threads each adding a timer (1-20 ms) to one base whose loop
 * (event_base_dispatch) runs in another thread, then waiting on a condition
 * of their own that the timer's callback signals.  Every thread is woken,
 * every timer runs once, and the loop returns (1: no events left) only
 * after the last one: the loop is kept alive by a 30 s timer that the
 * hundredth callback deletes.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 60
 */
#include "thread_common.h"

#define NT 100

struct waiter {
	struct event *ev;
	struct flag fired;
	int ms;
	int woken;
	pthread_t t;
};

static struct waiter w[NT];
static struct flag count;	/* callbacks run so far */
static struct event *keeper;

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct waiter *me = arg;
	(void)fd; (void)what;
	if (flag_add(&count, 1) == NT)
		event_del(keeper);	/* nothing left: the loop returns */
	flag_add(&me->fired, 1);
}

static void *waiter_main(void *arg)
{
	struct waiter *me = arg;
	struct timeval tv = { 0, me->ms * 1000 };
	event_add(me->ev, &tv);
	me->woken = flag_wait(&me->fired, 1, PROMPT_MS * 2);
	return NULL;
}

static int count_now(void)
{
	return flag_get(&count);
}

static void keeper_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 20);
	struct event_base *base;
	struct looper lp;
	int it, i;
	long woken = 0, once = 0, ended = 0, all_before_end = 0, results = 0;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(55);
	flag_init(&count);
	for (it = 0; it < iters; it++) {
		struct timeval thirty = { 30, 0 };
		base = event_base_new();
		if (!base)
			die("event_base_new");
		flag_set(&count, 0);
		looper_init(&lp, base);
		lp.after = count_now;
		keeper = evtimer_new(base, keeper_cb, NULL);
		evtimer_add(keeper, &thirty);
		for (i = 0; i < NT; i++) {
			w[i].ev = evtimer_new(base, timer_cb, &w[i]);
			flag_init(&w[i].fired);
			w[i].ms = 1 + (i * 7 + it) % 20;
			w[i].woken = 0;
		}
		phase("threads adding timers and waiting");
		looper_start(&lp, 0);
		for (i = 0; i < NT; i++)
			if (pthread_create(&w[i].t, NULL, waiter_main, &w[i]) != 0)
				die("pthread_create");
		for (i = 0; i < NT; i++) {
			pthread_join(w[i].t, NULL);
			woken += w[i].woken;
		}
		phase("waiting for the loop to return");
		if (looper_join(&lp, PROMPT_MS * 2)) {
			ended++;
			results += lp.result;
		}
		all_before_end += lp.after_value == NT;
		phase("freeing");
		for (i = 0; i < NT; i++) {
			once += flag_get(&w[i].fired) == 1;
			event_free(w[i].ev);
			flag_destroy(&w[i].fired);
		}
		event_free(keeper);
		looper_free(&lp);
		event_base_free(base);
	}
	printf("iterations=%d threads=%d\n", iters, NT);
	printf("threads woken=%ld timers run once=%ld\n", woken, once);
	printf("loop returned by itself=%ld (sum of results %ld), all fired when it returned=%ld\n",
	    ended, results, all_before_end);
	flag_destroy(&count);
	libevent_global_shutdown();
	return 0;
}
