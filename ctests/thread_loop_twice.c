/* Covers: event_base_loop / event_base_dispatch called in a second thread
 * on a base whose loop already runs in a first thread: every form returns
 * -1 at once (libevent warns "reentrant invocation") and leaves the running
 * loop alone (it still runs callbacks, its got_break/got_exit flags are not
 * touched); the same calls from inside a callback of the running loop also
 * return -1.  Once the first loop returned (loopbreak from a third
 * party), the second thread can run the base itself.  Two threads
 * starting event_base_loop at the same moment (a barrier): exactly one gets
 * -1, the other runs until loopbreak and returns 0.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 30
 */
#include "thread_common.h"

static struct event_base *base;
static int inner[3];

static void nested_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	inner[0] = event_base_loop(base, 0);
	inner[1] = event_base_loop(base, EVLOOP_NONBLOCK);
	inner[2] = event_base_dispatch(base);
}

static void count_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	flag_add(arg, 1);
}

struct second {
	pthread_t t;
	int r[4];
};

static void *second_main(void *arg)
{
	struct second *s = arg;
	s->r[0] = event_base_loop(base, 0);
	s->r[1] = event_base_loop(base, EVLOOP_ONCE);
	s->r[2] = event_base_loop(base, EVLOOP_NONBLOCK);
	s->r[3] = event_base_dispatch(base);
	return NULL;
}

#define RACES 100	/* simultaneous starts per iteration */

static pthread_barrier_t start_line;
static struct flag refused;

static void *racer(void *arg)
{
	int *r = arg;
	pthread_barrier_wait(&start_line);
	*r = event_base_loop(base, EVLOOP_NO_EXIT_ON_EMPTY);
	if (*r == -1)
		flag_add(&refused, 1);
	return NULL;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 20);
	struct looper lp;
	int it, k;
	int all_minus1 = 0, nested_minus1 = 0, still_runs = 0, flags_clean = 0, first_ok = 0, later_ok = 0;
	int one_refused = 0;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(25);
	flag_init(&refused);
	for (it = 0; it < iters; it++) {
		struct second s;
		struct flag ran;
		struct event *nested, *counter;
		base = event_base_new();
		if (!base)
			die("event_base_new");
		flag_init(&ran);
		looper_init(&lp, base);
		nested = event_new(base, -1, 0, nested_cb, NULL);
		counter = event_new(base, -1, 0, count_cb, &ran);
		looper_start(&lp, EVLOOP_NO_EXIT_ON_EMPTY);
		looper_sync(&lp);

		/* From a second thread, while the first loops. */
		phase("second thread while the first loops");
		pthread_create(&s.t, NULL, second_main, &s);
		pthread_join(s.t, NULL);
		all_minus1 += s.r[0] == -1 && s.r[1] == -1 && s.r[2] == -1 && s.r[3] == -1;

		/* From inside the running loop. */
		event_active(nested, EV_READ, 1);
		looper_sync(&lp);
		nested_minus1 += inner[0] == -1 && inner[1] == -1 && inner[2] == -1;

		/* The first loop is unharmed. */
		event_active(counter, EV_READ, 1);
		still_runs += flag_wait(&ran, 1, PROMPT_MS) && flag_get(&lp.done) == 0;
		flags_clean += !event_base_got_break(base) && !event_base_got_exit(base);

		event_base_loopbreak(base);
		first_ok += looper_join(&lp, PROMPT_MS) && lp.result == 0;

		/* Now this thread may run it: one pass with one active event. */
		event_active(counter, EV_READ, 1);
		k = event_base_loop(base, EVLOOP_ONCE);
		later_ok += k == 0 && flag_get(&ran) == 2;

		event_free(nested);
		event_free(counter);
		looper_free(&lp);
		flag_destroy(&ran);
		event_base_free(base);
	}
	printf("iterations=%d\n", iters);
	printf("second thread's loop/dispatch calls all -1: %d\n", all_minus1);
	printf("nested calls from a callback all -1: %d\n", nested_minus1);
	printf("first loop still running callbacks: %d, break/exit flags untouched: %d\n", still_runs, flags_clean);
	printf("first loop ended by loopbreak with 0: %d, base usable afterwards: %d\n", first_ok, later_ok);
	fflush(stdout);	/* kept if the races below hang */

	/* Two threads start at once. */
	phase("simultaneous starts");
	for (it = 0; it < iters; it++) {
		base = event_base_new();
		if (!base)
			die("event_base_new");
		for (k = 0; k < RACES; k++) {
			pthread_t a, b;
			int ra = -99, rb = -99;
			flag_set(&refused, 0);
			pthread_barrier_init(&start_line, NULL, 2);
			pthread_create(&a, NULL, racer, &ra);
			pthread_create(&b, NULL, racer, &rb);
			/* Once one was refused the other is inside the loop. */
			flag_wait(&refused, 1, PROMPT_MS);
			event_base_loopbreak(base);
			pthread_join(a, NULL);
			pthread_join(b, NULL);
			pthread_barrier_destroy(&start_line);
			one_refused += (ra == -1 && rb == 0) || (ra == 0 && rb == -1);
		}
		event_base_free(base);
	}
	printf("simultaneous starts with exactly one refused: %d of %d\n", one_refused, iters * RACES);
	flag_destroy(&refused);
	libevent_global_shutdown();
	return 0;
}
