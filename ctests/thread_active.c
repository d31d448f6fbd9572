/* Covers: event_active from several threads at once on events of a base
 * whose loop (EVLOOP_NO_EXIT_ON_EMPTY, nothing added: it sleeps with no
 * timeout) runs in another thread.  Each thread activates its own event and
 * waits for the callback before activating it again, so every activation
 * must be delivered, with the flags given.  While the loop is held inside
 * a callback, activations of one event from several threads coalesce into
 * one callback with the flags or-ed.  The loop must sleep, not spin, when
 * idle (its thread's CPU time over an idle 100 ms), and exit on
 * event_base_loopbreak from another thread.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 40
 */
#include "thread_common.h"

#define NT 4		/* activating threads */
#define ROUNDS 300	/* activations per thread per iteration */

struct worker {
	struct event *ev;
	struct flag ran;	/* callback count */
	int what_bad;		/* callbacks whose flags differ from the activation's */
	short expect;
	pthread_t t;
	int lost;
};

static struct worker w[NT];

static void worker_cb(evutil_socket_t fd, short what, void *arg)
{
	struct worker *me = arg;
	(void)fd;
	pthread_mutex_lock(&me->ran.m);
	if (what != me->expect)
		me->what_bad++;
	me->ran.v++;
	pthread_cond_broadcast(&me->ran.c);
	pthread_mutex_unlock(&me->ran.m);
}

static void *activator(void *arg)
{
	struct worker *me = arg;
	int k;
	for (k = 0; k < ROUNDS; k++) {
		short what = (k % 3 == 0) ? EV_READ : (k % 3 == 1) ? EV_WRITE : EV_TIMEOUT;
		pthread_mutex_lock(&me->ran.m);
		me->expect = what;
		pthread_mutex_unlock(&me->ran.m);
		event_active(me->ev, what, 0);
		if (!flag_wait(&me->ran, k + 1, PROMPT_MS)) {
			me->lost++;
			break;
		}
	}
	return NULL;
}

/* Holds the loop until released, so activations pile up. */
static struct flag holding, release;

static void hold_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	flag_set(&holding, 1);
	flag_wait(&release, 1, PROMPT_MS * 2);
}

static void *pile_up(void *arg)
{
	struct worker *me = arg;
	int k;
	/* Every thread activates every worker event, with varying flags. */
	for (k = 0; k < 10; k++) {
		int j = (k + (int)(me - w)) % NT;
		event_active(w[j].ev, (k & 1) ? EV_READ : EV_WRITE, 0);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 20);
	struct event_base *base;
	struct looper lp;
	struct event *hold;
	int it, i;
	long total = 0, lost = 0, bad = 0, coalesced_ok = 0, pile_extra = 0;
	int spins = 0, breaks_ok = 0;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(35);
	flag_init(&holding);
	flag_init(&release);
	for (it = 0; it < iters; it++) {
		base = event_base_new();
		if (!base)
			die("event_base_new");
		looper_init(&lp, base);
		hold = event_new(base, -1, 0, hold_cb, NULL);
		for (i = 0; i < NT; i++) {
			w[i].ev = event_new(base, -1, 0, worker_cb, &w[i]);
			flag_init(&w[i].ran);
			w[i].what_bad = 0;
			w[i].lost = 0;
		}
		looper_start(&lp, EVLOOP_NO_EXIT_ON_EMPTY);

		/* 1. Ping-pong activations from NT threads at once. */
		phase("ping-pong activations");
		for (i = 0; i < NT; i++)
			pthread_create(&w[i].t, NULL, activator, &w[i]);
		for (i = 0; i < NT; i++) {
			pthread_join(w[i].t, NULL);
			total += flag_get(&w[i].ran);
			lost += w[i].lost;
			bad += w[i].what_bad;
		}

		/* 2. Coalescing: hold the loop in a callback, activate every
		 * worker event 10 times from each thread, release. */
		for (i = 0; i < NT; i++)
			flag_set(&w[i].ran, 0);
		phase("coalescing");
		flag_set(&holding, 0);
		flag_set(&release, 0);
		event_active(hold, EV_READ, 0);
		if (flag_wait(&holding, 1, PROMPT_MS)) {
			for (i = 0; i < NT; i++)
				pthread_create(&w[i].t, NULL, pile_up, &w[i]);
			for (i = 0; i < NT; i++)
				pthread_join(w[i].t, NULL);
			/* Each event is now active with EV_READ|EV_WRITE. */
			for (i = 0; i < NT; i++) {
				pthread_mutex_lock(&w[i].ran.m);
				w[i].expect = EV_READ | EV_WRITE;
				w[i].what_bad = 0;
				pthread_mutex_unlock(&w[i].ran.m);
			}
			flag_set(&release, 1);
			looper_sync(&lp);
			for (i = 0; i < NT; i++) {
				int n = flag_get(&w[i].ran);
				if (n == 1 && w[i].what_bad == 0)
					coalesced_ok++;
				else
					pile_extra += n;
			}
		}

		/* 3. Idle: the loop thread must sleep. */
		phase("idle");
		{
			long c0 = thread_cpu_ms(lp.thread), c1;
			ms_sleep(100);
			c1 = thread_cpu_ms(lp.thread);
			if (c0 < 0 || c1 - c0 > 50)
				spins++;
		}

		/* 4. Stop it from here. */
		phase("loopbreak and join");
		event_base_loopbreak(base);
		if (looper_join(&lp, PROMPT_MS) && lp.result == 0 && event_base_got_break(base))
			breaks_ok++;

		phase("freeing");
		for (i = 0; i < NT; i++) {
			event_free(w[i].ev);
			flag_destroy(&w[i].ran);
		}
		event_free(hold);
		looper_free(&lp);
		event_base_free(base);
	}
	printf("iterations=%d threads=%d rounds=%d\n", iters, NT, ROUNDS);
	printf("ping-pong activations delivered=%ld lost=%ld wrong-flags=%ld\n", total, lost, bad);
	printf("coalesced into one READ|WRITE callback: %ld of %d (extra callbacks %ld)\n",
	    coalesced_ok, iters * NT, pile_extra);
	printf("idle loop spinning: %d of %d\n", spins, iters);
	printf("loopbreak from another thread ended the loop: %d of %d\n", breaks_ok, iters);
	flag_destroy(&holding);
	flag_destroy(&release);
	libevent_global_shutdown();
	return 0;
}
