/* Helpers shared by the thread_*.c parity tests: a mutex+condition "flag"
 * with bounded waits (so a lost wake-up prints a difference instead of
 * hanging), a loop running in its own thread, and the repeat count.
 *
 * Everything the test threads share goes through a flag's mutex, so the
 * programs themselves are race-free under helgrind/drd
 * (tests/thread_helgrind.sh). */
#ifndef THREAD_COMMON_H
#define THREAD_COMMON_H

#include <event2/event.h>
#include <event2/thread.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A generous bound for "promptly": a wake-up that works takes microseconds;
 * the loops in these tests otherwise sleep 10 s or more. */
#define PROMPT_MS 2000

/* Repeat count: argv[1] if given (thread_helgrind.sh passes a small one). */
static inline int iterations(int argc, char **argv, int dflt)
{
	int n = argc > 1 ? atoi(argv[1]) : 0;
	return n > 0 ? n : dflt;
}

/* Watchdog: a hang (a lost wake-up the fallbacks cannot recover, a
 * deadlock) would otherwise end as a bare "timeout" with no output, since
 * the results are printed at the end.  Instead say where it got stuck and
 * exit 3.  Set it a few seconds below the ctest-timeout.  Off under
 * valgrind (its LD_PRELOAD names vgpreload), where everything is slower. */
static const char *volatile current_phase = "start";

static inline void phase(const char *what)
{
	current_phase = what;
}

static inline void watchdog_fired(int sig)
{
	const char *p = current_phase, *msg = "watchdog: no progress, stuck in: ";
	(void)sig;
	if (write(1, msg, strlen(msg)) < 0 || write(1, p, strlen(p)) < 0 || write(1, "\n", 1) < 0)
		_exit(4);
	_exit(3);
}

static inline void watchdog(int seconds)
{
	const char *pre = getenv("LD_PRELOAD");
	if (pre && strstr(pre, "vgpreload"))
		return;
	signal(SIGALRM, watchdog_fired);
	alarm((unsigned)seconds);
}

static inline void die(const char *what)
{
	fprintf(stderr, "%s failed\n", what);
	printf("setup failure: %s\n", what);
	exit(2);
}

static inline void ms_sleep(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* An integer guarded by a mutex, with a condition broadcast on change. */
struct flag {
	pthread_mutex_t m;
	pthread_cond_t c;
	int v;
};

static inline void flag_init(struct flag *f)
{
	pthread_condattr_t a;
	pthread_mutex_init(&f->m, NULL);
	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&f->c, &a);
	pthread_condattr_destroy(&a);
	f->v = 0;
}

static inline void flag_destroy(struct flag *f)
{
	pthread_cond_destroy(&f->c);
	pthread_mutex_destroy(&f->m);
}

static inline void flag_set(struct flag *f, int v)
{
	pthread_mutex_lock(&f->m);
	f->v = v;
	pthread_cond_broadcast(&f->c);
	pthread_mutex_unlock(&f->m);
}

/* Adds d; returns the new value. */
static inline int flag_add(struct flag *f, int d)
{
	int v;
	pthread_mutex_lock(&f->m);
	v = f->v += d;
	pthread_cond_broadcast(&f->c);
	pthread_mutex_unlock(&f->m);
	return v;
}

static inline int flag_get(struct flag *f)
{
	int v;
	pthread_mutex_lock(&f->m);
	v = f->v;
	pthread_mutex_unlock(&f->m);
	return v;
}

/* Waits until the value is >= want, at most ms milliseconds; 1 if reached. */
static inline int flag_wait(struct flag *f, int want, int ms)
{
	struct timespec dl;
	int ok;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	dl.tv_sec += ms / 1000;
	dl.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (dl.tv_nsec >= 1000000000L) {
		dl.tv_sec++;
		dl.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&f->m);
	while (f->v < want)
		if (pthread_cond_timedwait(&f->c, &f->m, &dl) == ETIMEDOUT)
			break;
	ok = f->v >= want;
	pthread_mutex_unlock(&f->m);
	return ok;
}

/* An event loop running in a thread of its own.  `probe` is an event of the
 * base that only ever gets activated: looper_sync activates it from the
 * calling thread and waits for its callback, which proves the loop runs and
 * has processed everything activated before (same priority, FIFO). */
struct looper {
	struct event_base *base;
	pthread_t thread;
	int flags;
	int result;
	struct flag done;	/* 1 once event_base_loop returned */
	struct flag probed;	/* probe callback runs */
	struct event *probe;
	int (*after)(void);	/* optional: called in the loop thread when the loop returns */
	int after_value;
};

static inline void looper_probe_cb(evutil_socket_t fd, short what, void *arg)
{
	struct looper *l = arg;
	(void)fd; (void)what;
	flag_add(&l->probed, 1);
}

static inline void *looper_main(void *arg)
{
	struct looper *l = arg;
	int r = event_base_loop(l->base, l->flags);
	int a = l->after ? l->after() : 0;
	pthread_mutex_lock(&l->done.m);
	l->result = r;
	l->after_value = a;
	l->done.v = 1;
	pthread_cond_broadcast(&l->done.c);
	pthread_mutex_unlock(&l->done.m);
	return NULL;
}

static inline void looper_init(struct looper *l, struct event_base *base)
{
	memset(l, 0, sizeof(*l));
	l->base = base;
	flag_init(&l->done);
	flag_init(&l->probed);
	l->probe = event_new(base, -1, 0, looper_probe_cb, l);
	if (!l->probe)
		die("event_new(probe)");
}

static inline void looper_start(struct looper *l, int flags)
{
	l->flags = flags;
	l->result = -99;
	flag_set(&l->done, 0);
	if (pthread_create(&l->thread, NULL, looper_main, l) != 0)
		die("pthread_create(loop)");
}

/* 1 if the loop ran the probe within PROMPT_MS. */
static inline int looper_sync(struct looper *l)
{
	int want = flag_get(&l->probed) + 1;
	event_active(l->probe, EV_READ, 1);
	return flag_wait(&l->probed, want, PROMPT_MS);
}

/* Waits (bounded) for event_base_loop to return; 1 if it did.  Joins it. */
static inline int looper_join(struct looper *l, int ms)
{
	int ok = flag_wait(&l->done, 1, ms);
	if (!ok) {
		/* Lost wake-up: loopbreak wakes every loop the tests can make
		 * (thread_wakeup covers it); otherwise the join hangs and the
		 * run times out, which is a failure too. */
		event_base_loopbreak(l->base);
	}
	pthread_join(l->thread, NULL);
	return ok;
}

static inline void looper_free(struct looper *l)
{
	event_free(l->probe);
	flag_destroy(&l->done);
	flag_destroy(&l->probed);
}

/* CPU time a thread has used, in milliseconds. */
static inline long thread_cpu_ms(pthread_t t)
{
	clockid_t cid;
	struct timespec ts;
	if (pthread_getcpuclockid(t, &cid) != 0 || clock_gettime(cid, &ts) != 0)
		return -1;
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
