/* Covers: evthread_lock_fns_ / evthread_cond_fns_ / evthread_id_fn_ hold
 * exactly the functions a program installs with evthread_set_lock_callbacks,
 * evthread_set_condition_callbacks and evthread_set_id_callback (an
 * incomplete condition table is ignored), and are cleared again by NULL.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <event2/event.h>
#include <event2/thread.h>

extern struct evthread_lock_callbacks evthread_lock_fns_;
extern struct evthread_condition_callbacks evthread_cond_fns_;
extern unsigned long (*evthread_id_fn_)(void);

static int n_alloc, n_lock;

static void *my_alloc(unsigned type)
{
	pthread_mutexattr_t a;
	pthread_mutex_t *m = malloc(sizeof(*m));
	(void)type;
	n_alloc++;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_settype(&a, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(m, &a);
	pthread_mutexattr_destroy(&a);
	return m;
}
static void my_free(void *l, unsigned type) { (void)type; pthread_mutex_destroy(l); free(l); }
static int my_lock(unsigned mode, void *l) { (void)mode; n_lock++; return pthread_mutex_lock(l); }
static int my_unlock(unsigned mode, void *l) { (void)mode; return pthread_mutex_unlock(l); }
static void *my_cond_alloc(unsigned c) { (void)c; return NULL; }
static unsigned long my_id(void) { return 77; }

int main(void)
{
	struct evthread_lock_callbacks cbs = { 1, EVTHREAD_LOCKTYPE_RECURSIVE, my_alloc, my_free, my_lock, my_unlock };
	struct evthread_condition_callbacks half = { 1, my_cond_alloc, NULL, NULL, NULL };
	struct event_base *base;

	printf("set lock=%d\n", evthread_set_lock_callbacks(&cbs));
	printf("table: v=%d types=%u alloc=%d free=%d lock=%d unlock=%d\n", evthread_lock_fns_.lock_api_version,
	    evthread_lock_fns_.supported_locktypes, evthread_lock_fns_.alloc == my_alloc,
	    evthread_lock_fns_.free == my_free, evthread_lock_fns_.lock == my_lock,
	    evthread_lock_fns_.unlock == my_unlock);
	printf("set half cond=%d cond alloc set=%d\n", evthread_set_condition_callbacks(&half),
	    evthread_cond_fns_.alloc_condition != NULL);
	printf("id before=%d\n", evthread_id_fn_ != NULL);
	evthread_set_id_callback(my_id);
	printf("id is mine=%d gives=%lu\n", evthread_id_fn_ == my_id, evthread_id_fn_());

	base = event_base_new();
	printf("base ok=%d allocs>0=%d locks>0=%d\n", base != NULL, n_alloc > 0, event_base_loop(base, EVLOOP_NONBLOCK) >= 0 && n_lock > 0);
	event_base_free(base);

	evthread_set_id_callback(NULL);
	printf("id cleared=%d\n", evthread_id_fn_ == NULL);
	/* After the shutdown no lock of the library is left to free. */
	libevent_global_shutdown();
	printf("unset lock=%d\n", evthread_set_lock_callbacks(NULL));
	printf("table after NULL: v=%d alloc=%d lock=%d\n", evthread_lock_fns_.lock_api_version,
	    evthread_lock_fns_.alloc != NULL, evthread_lock_fns_.lock != NULL);
	return 0;
}
