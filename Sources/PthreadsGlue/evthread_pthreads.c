/*
 * libevent_pthreads-2.1.so.7: the one function that library exports.
 *
 * Like libevent's own split, this shared object only hands pthread-based
 * lock, condition and thread-id callbacks to the core library through the
 * public evthread_set_*_callbacks API; all state lives in the core. It is
 * plain C because it is a separate shared object that must not carry a
 * second copy of the Swift library.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/time.h>
#include <time.h>
#include <event2/thread.h>
#include <event2/util.h>

static pthread_mutexattr_t recursive_attr;

static void *glue_lock_alloc(unsigned locktype)
{
	pthread_mutex_t *m = malloc(sizeof(*m));
	if (m == NULL)
		return NULL;
	if (pthread_mutex_init(m, (locktype & EVTHREAD_LOCKTYPE_RECURSIVE) ? &recursive_attr : NULL)) {
		free(m);
		return NULL;
	}
	return m;
}

static void glue_lock_free(void *lock, unsigned locktype)
{
	(void)locktype;
	pthread_mutex_destroy(lock);
	free(lock);
}

static int glue_lock(unsigned mode, void *lock)
{
	return (mode & EVTHREAD_TRY) ? pthread_mutex_trylock(lock) : pthread_mutex_lock(lock);
}

static int glue_unlock(unsigned mode, void *lock)
{
	(void)mode;
	return pthread_mutex_unlock(lock);
}

static unsigned long glue_thread_id(void)
{
	return (unsigned long)pthread_self();
}

static void *glue_cond_alloc(unsigned condtype)
{
	pthread_cond_t *c = malloc(sizeof(*c));
	(void)condtype;
	if (c == NULL)
		return NULL;
	if (pthread_cond_init(c, NULL)) {
		free(c);
		return NULL;
	}
	return c;
}

static void glue_cond_free(void *cond)
{
	pthread_cond_destroy(cond);
	free(cond);
}

static int glue_cond_signal(void *cond, int broadcast)
{
	return broadcast ? pthread_cond_broadcast(cond) : pthread_cond_signal(cond);
}

/* 0 when signalled, 1 on timeout, -1 on error: the contract of wait_condition. */
static int glue_cond_wait(void *cond, void *lock, const struct timeval *tv)
{
	int r;
	if (tv != NULL) {
		struct timeval now, abs;
		struct timespec ts;
		gettimeofday(&now, NULL);
		evutil_timeradd(&now, tv, &abs);
		ts.tv_sec = abs.tv_sec;
		ts.tv_nsec = abs.tv_usec * 1000;
		r = pthread_cond_timedwait(cond, lock, &ts);
		if (r == ETIMEDOUT)
			return 1;
	} else {
		r = pthread_cond_wait(cond, lock);
	}
	return r ? -1 : 0;
}

int evthread_use_pthreads(void)
{
	static const struct evthread_lock_callbacks locks = {
		EVTHREAD_LOCK_API_VERSION, EVTHREAD_LOCKTYPE_RECURSIVE,
		glue_lock_alloc, glue_lock_free, glue_lock, glue_unlock
	};
	static const struct evthread_condition_callbacks conds = {
		EVTHREAD_CONDITION_API_VERSION,
		glue_cond_alloc, glue_cond_free, glue_cond_signal, glue_cond_wait
	};
	if (pthread_mutexattr_init(&recursive_attr))
		return -1;
	if (pthread_mutexattr_settype(&recursive_attr, PTHREAD_MUTEX_RECURSIVE))
		return -1;
	evthread_set_lock_callbacks(&locks);
	evthread_set_condition_callbacks(&conds);
	evthread_set_id_callback(glue_thread_id);
	return 0;
}
