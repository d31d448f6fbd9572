/* Covers: deleting or freeing an event from another thread while the loop
 * thread runs that event's callback.  libevent's rules: event_del and
 * event_free wait for the callback to return, unless the event has
 * EV_FINALIZE; event_del_block always waits; event_del_noblock never does;
 * event_finalize / event_free_finalize do not wait, and the finalizer runs
 * in the loop after the callback has returned.  The callback holds on until
 * the other thread's call returns (at most 60 ms where the call must wait,
 * 2 s where it must not), so "waited" is exact either way.  After its hold
 * the callback reads its own event (event_pending): freed memory would show
 * under valgrind.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 40
 */
#include "thread_common.h"

enum op { DEL, DEL_BLOCK, DEL_NOBLOCK, FREE, FREE_FINALIZE, FINALIZE };

struct scase {
	const char *name;
	enum op op;
	short extra;	/* EV_FINALIZE or 0 */
	int waits;	/* libevent's rule, used only to pick the hold time */
};

static const struct scase cases[] = {
	{ "event_del", DEL, 0, 1 },
	{ "event_del_block", DEL_BLOCK, 0, 1 },
	{ "event_del_noblock", DEL_NOBLOCK, 0, 0 },
	{ "event_free", FREE, 0, 1 },
	{ "event_del on EV_FINALIZE event", DEL, EV_FINALIZE, 0 },
	{ "event_del_block on EV_FINALIZE event", DEL_BLOCK, EV_FINALIZE, 1 },
	{ "event_del_noblock on EV_FINALIZE event", DEL_NOBLOCK, EV_FINALIZE, 0 },
	{ "event_free_finalize", FREE_FINALIZE, 0, 0 },
	{ "event_finalize on EV_FINALIZE event", FINALIZE, EV_FINALIZE, 0 },
};
#define NCASES ((int)(sizeof(cases) / sizeof(cases[0])))

struct state {
	struct flag running;	/* callback entered */
	struct flag returned;	/* the other thread's call returned */
	struct flag done;	/* callback finished */
	struct flag fin;	/* finalizer ran */
	int hold_ms;
	int saw_return;		/* the call returned while the callback ran */
	int pending;		/* event_pending at the end of the callback */
	int fin_after_cb;
	struct event *self;
};

static void slow_cb(evutil_socket_t fd, short what, void *arg)
{
	struct state *st = arg;
	int saw, pend;
	(void)fd; (void)what;
	flag_set(&st->running, 1);
	saw = flag_wait(&st->returned, 1, st->hold_ms);
	pend = event_pending(st->self, EV_READ | EV_TIMEOUT, NULL);
	pthread_mutex_lock(&st->done.m);
	st->saw_return = saw;
	st->pending = pend;
	st->done.v = 1;
	pthread_cond_broadcast(&st->done.c);
	pthread_mutex_unlock(&st->done.m);
}

static void fin_cb(struct event *ev, void *arg)
{
	struct state *st = arg;
	(void)ev;
	pthread_mutex_lock(&st->fin.m);
	st->fin_after_cb = flag_get(&st->done) == 1;
	st->fin.v = 1;
	pthread_cond_broadcast(&st->fin.c);
	pthread_mutex_unlock(&st->fin.m);
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 10);
	struct event_base *base;
	struct looper lp;
	struct state st;
	int c, it;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(35);
	base = event_base_new();
	if (!base)
		die("event_base_new");
	looper_init(&lp, base);
	looper_start(&lp, EVLOOP_NO_EXIT_ON_EMPTY);
	looper_sync(&lp);
	flag_init(&st.running);
	flag_init(&st.returned);
	flag_init(&st.done);
	flag_init(&st.fin);

	for (c = 0; c < NCASES; c++) {
		const struct scase *sc = &cases[c];
		int waited = 0, saw = 0, pending = 0, fin_ran = 0, fin_after = 0, started = 0;
		phase(sc->name);
		for (it = 0; it < iters; it++) {
			struct timeval ten = { 10, 0 };
			struct event *ev;
			int r = 0, w;
			flag_set(&st.running, 0);
			flag_set(&st.returned, 0);
			flag_set(&st.done, 0);
			flag_set(&st.fin, 0);
			st.hold_ms = sc->waits ? 60 : PROMPT_MS;
			st.saw_return = st.pending = st.fin_after_cb = 0;
			if (sc->op == FINALIZE) {
				ev = malloc(event_get_struct_event_size());
				event_assign(ev, base, -1, EV_PERSIST | sc->extra, slow_cb, &st);
			} else {
				ev = event_new(base, -1, EV_PERSIST | sc->extra, slow_cb, &st);
			}
			st.self = ev;
			event_add(ev, &ten);	/* pending on a timeout it never reaches */
			event_active(ev, EV_READ, 1);
			if (!flag_wait(&st.running, 1, PROMPT_MS)) {
				/* Never ran: nothing below would mean anything. */
				event_free(ev);
				continue;
			}
			started++;
			switch (sc->op) {
			case DEL: r = event_del(ev); break;
			case DEL_BLOCK: r = event_del_block(ev); break;
			case DEL_NOBLOCK: r = event_del_noblock(ev); break;
			case FREE: event_free(ev); break;
			case FREE_FINALIZE: r = event_free_finalize(0, ev, fin_cb); break;
			case FINALIZE: r = event_finalize(0, ev, fin_cb); break;
			}
			w = flag_get(&st.done);
			flag_set(&st.returned, 1);
			flag_wait(&st.done, 1, PROMPT_MS * 2);
			if (sc->op == FREE_FINALIZE || sc->op == FINALIZE)
				fin_ran += flag_wait(&st.fin, 1, PROMPT_MS);
			looper_sync(&lp);
			pthread_mutex_lock(&st.done.m);
			waited += w && r == 0;
			saw += st.saw_return;
			pending += st.pending;
			pthread_mutex_unlock(&st.done.m);
			fin_after += flag_get(&st.fin) && st.fin_after_cb;
			if (sc->op == FINALIZE)
				free(ev);
			else if (sc->op != FREE && sc->op != FREE_FINALIZE)
				event_free(ev);
		}
		printf("%s from another thread while the callback runs (%d of %d ran):\n", sc->name, started, iters);
		printf("  waited for the callback %d, returned while it ran %d, pending in callback %d\n",
		    waited, saw, pending);
		if (sc->op == FREE_FINALIZE || sc->op == FINALIZE)
			printf("  finalizer ran %d, after the callback returned %d\n", fin_ran, fin_after);
	}

	phase("loopbreak and join");
	event_base_loopbreak(base);
	c = looper_join(&lp, PROMPT_MS);
	printf("loop ended by loopbreak: %d result=%d\n", c, lp.result);
	looper_free(&lp);
	flag_destroy(&st.running);
	flag_destroy(&st.returned);
	flag_destroy(&st.done);
	flag_destroy(&st.fin);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
