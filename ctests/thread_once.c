/* Covers: event_base_once from other threads on a base whose loop runs in
 * its own thread: many records scheduled at once from several threads
 * (NULL and zero timeouts, short timeouts, EV_READ on a readable pipe)
 * each run exactly once; and a zero-timeout / 5 ms once scheduled from
 * another thread wakes the loop while it sleeps with nothing else to do
 * (EVLOOP_NO_EXIT_ON_EMPTY and no event added), promptly every time.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 40
 */
#include "thread_common.h"

#define NT 4
#define R 60		/* records per thread */
#define WAKES 15	/* sleeping-loop wake-ups per iteration, each kind */

struct rec {
	int fired;
	short what;
};

static struct rec recs[NT][R];
static struct rec wake_recs[2 * WAKES];	/* static: a late run must not touch a dead frame */
static struct flag total;	/* records run; guards recs */
static struct event_base *base;
static int pipefd[2];

static void rec_cb(evutil_socket_t fd, short what, void *arg)
{
	struct rec *r = arg;
	(void)fd;
	pthread_mutex_lock(&total.m);
	r->fired++;
	r->what = what;
	total.v++;
	pthread_cond_broadcast(&total.c);
	pthread_mutex_unlock(&total.m);
}

static int sched_fail;

static void *scheduler(void *arg)
{
	int t = (int)(long)arg, i, bad = 0;
	for (i = 0; i < R; i++) {
		struct timeval zero = { 0, 0 }, shortv = { 0, 1000 * (1 + i % 4) };
		int r;
		switch (i % 4) {
		case 0: r = event_base_once(base, -1, EV_TIMEOUT, rec_cb, &recs[t][i], NULL); break;
		case 1: r = event_base_once(base, -1, EV_TIMEOUT, rec_cb, &recs[t][i], &zero); break;
		case 2: r = event_base_once(base, -1, EV_TIMEOUT, rec_cb, &recs[t][i], &shortv); break;
		default: r = event_base_once(base, pipefd[0], EV_READ, rec_cb, &recs[t][i], NULL); break;
		}
		if (r != 0)
			bad++;
	}
	pthread_mutex_lock(&total.m);
	sched_fail += bad;
	pthread_mutex_unlock(&total.m);
	return NULL;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 20);
	struct looper lp;
	pthread_t th[NT];
	int it, t, i, k;
	long once_each = 0, wrong_what = 0, all_in_time = 0;
	long woke0 = 0, woke5 = 0, ends_ok = 0, attempts = 0;
	int gave_up = 0;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(35);
	flag_init(&total);
	for (it = 0; it < iters; it++) {
		base = event_base_new();
		if (!base || pipe(pipefd) != 0)
			die("event_base_new/pipe");
		if (write(pipefd[1], "x", 1) != 1)
			die("write");
		looper_init(&lp, base);
		memset(recs, 0, sizeof(recs));
		flag_set(&total, 0);
		looper_start(&lp, EVLOOP_NO_EXIT_ON_EMPTY);
		looper_sync(&lp);

		/* 1. NT threads scheduling R records each, all at once. */
		phase("event_base_once from several threads");
		for (t = 0; t < NT; t++)
			pthread_create(&th[t], NULL, scheduler, (void *)(long)t);
		for (t = 0; t < NT; t++)
			pthread_join(th[t], NULL);
		all_in_time += flag_wait(&total, NT * R, PROMPT_MS);
		looper_sync(&lp);
		pthread_mutex_lock(&total.m);
		for (t = 0; t < NT; t++)
			for (i = 0; i < R; i++) {
				once_each += recs[t][i].fired == 1;
				if (recs[t][i].what != ((i % 4 == 3) ? EV_READ : EV_TIMEOUT))
					wrong_what++;
			}
		pthread_mutex_unlock(&total.m);

		/* 2. The loop now sleeps with nothing at all: each once must
		 * wake it.  (The pipe's EV_READ onces are all done.) */
		phase("once waking a sleeping loop");
		for (k = 0; k < 2 * WAKES && !gave_up; k++) {
			struct timeval five = { 0, 5000 };
			int want;
			ms_sleep(3);	/* let it go back to sleep */
			pthread_mutex_lock(&total.m);
			want = total.v + 1;
			pthread_mutex_unlock(&total.m);
			attempts++;
			event_base_once(base, -1, EV_TIMEOUT, rec_cb, &wake_recs[k], k < WAKES ? NULL : &five);
			if (flag_wait(&total, want, PROMPT_MS)) {
				if (k < WAKES)
					woke0++;
				else
					woke5++;
			} else {
				/* Lost: each miss costs 2 s, stop trying. */
				gave_up = 1;
			}
		}

		phase("loopbreak and join");
		event_base_loopbreak(base);
		if (looper_join(&lp, PROMPT_MS) && lp.result == 0)
			ends_ok++;
		phase("freeing");
		looper_free(&lp);
		event_base_free(base);
		close(pipefd[0]);
		close(pipefd[1]);
	}
	printf("iterations=%d threads=%d records=%d\n", iters, NT, R);
	printf("records run exactly once=%ld of %d, wrong flags=%ld, all within bound=%ld, schedule failures=%d\n",
	    once_each, iters * NT * R, wrong_what, all_in_time, sched_fail);
	printf("zero-timeout once woke the sleeping loop: %ld, 5 ms once: %ld (of %ld tried, %d planned)\n",
	    woke0, woke5, attempts, iters * WAKES * 2);
	printf("loops ended by loopbreak: %ld of %d\n", ends_ok, iters);
	flag_destroy(&total);
	libevent_global_shutdown();
	return 0;
}
