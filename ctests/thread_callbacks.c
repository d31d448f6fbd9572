/* Covers: evthread_set_lock_callbacks (incomplete tables refused, a complete
 * one accepted), evthread_set_condition_callbacks, evthread_set_id_callback,
 * and the EVTHREAD_* constants; a base made afterwards still runs events. */
/* ctest-libs: -lpthread */
#include <event2/event.h>
#include <event2/thread.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static void *lk_alloc(unsigned type)
{
	pthread_mutexattr_t a;
	pthread_mutex_t *m = malloc(sizeof(*m));
	pthread_mutexattr_init(&a);
	if (type & EVTHREAD_LOCKTYPE_RECURSIVE)
		pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return m;
}
static void lk_free(void *l, unsigned type) { (void)type; pthread_mutex_destroy(l); free(l); }
static int lk_lock(unsigned mode, void *l) { return (mode & EVTHREAD_TRY) ? pthread_mutex_trylock(l) : pthread_mutex_lock(l); }
static int lk_unlock(unsigned mode, void *l) { (void)mode; return pthread_mutex_unlock(l); }
static void *cv_alloc(unsigned type) { pthread_cond_t *c = malloc(sizeof(*c)); (void)type; pthread_cond_init(c, NULL); return c; }
static void cv_free(void *c) { pthread_cond_destroy(c); free(c); }
static int cv_signal(void *c, int all) { return all ? pthread_cond_broadcast(c) : pthread_cond_signal(c); }
static int cv_wait(void *c, void *l, const struct timeval *tv) { (void)tv; return pthread_cond_wait(c, l) ? -1 : 0; }
static unsigned long my_id(void) { return (unsigned long)pthread_self(); }

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)arg;
	printf("timer fired what=0x%x\n", what);
}

int main(void)
{
	struct evthread_lock_callbacks partial = { EVTHREAD_LOCK_API_VERSION, EVTHREAD_LOCKTYPE_RECURSIVE, lk_alloc, NULL, lk_lock, lk_unlock };
	struct evthread_lock_callbacks full = { EVTHREAD_LOCK_API_VERSION, EVTHREAD_LOCKTYPE_RECURSIVE, lk_alloc, lk_free, lk_lock, lk_unlock };
	struct evthread_condition_callbacks conds = { EVTHREAD_CONDITION_API_VERSION, cv_alloc, cv_free, cv_signal, cv_wait };
	struct evthread_condition_callbacks bad_conds = { EVTHREAD_CONDITION_API_VERSION, cv_alloc, NULL, cv_signal, cv_wait };
	struct event_base *base;
	struct event *t;
	struct timeval tv = {0, 1000};

	printf("constants: WRITE=%d READ=%d TRY=%d RECURSIVE=%d READWRITE=%d\n", EVTHREAD_WRITE, EVTHREAD_READ,
	    EVTHREAD_TRY, EVTHREAD_LOCKTYPE_RECURSIVE, EVTHREAD_LOCKTYPE_READWRITE);
	printf("set_lock_callbacks(partial)=%d\n", evthread_set_lock_callbacks(&partial));
	printf("set_condition_callbacks(partial)=%d\n", evthread_set_condition_callbacks(&bad_conds));
	printf("set_lock_callbacks(full)=%d\n", evthread_set_lock_callbacks(&full));
	printf("set_lock_callbacks(full) again=%d\n", evthread_set_lock_callbacks(&full));
	printf("set_condition_callbacks(full)=%d\n", evthread_set_condition_callbacks(&conds));
	evthread_set_id_callback(my_id);

	base = event_base_new();
	t = evtimer_new(base, on_timer, NULL);
	evtimer_add(t, &tv);
	printf("dispatch=%d\n", event_base_dispatch(base));
	event_free(t);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
