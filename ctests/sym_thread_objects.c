/* Covers: the data objects evthread_lock_fns_, evthread_cond_fns_,
 * evthread_id_fn_ and evthread_lock_debugging_enabled_ that libevent_core
 * exports (a program built against libevent holds copies of them): zero
 * before locking is set up, the pthreads tables after evthread_use_pthreads,
 * lock debugging's wrappers after evthread_enable_lock_debugging, each
 * usable through the table; evthread_get_lock_callbacks /
 * evthread_get_condition_callbacks return the same tables.
 * ctest-libs: -levent_pthreads
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <event2/event.h>
#include <event2/thread.h>

extern struct evthread_lock_callbacks evthread_lock_fns_;
extern struct evthread_condition_callbacks evthread_cond_fns_;
extern unsigned long (*evthread_id_fn_)(void);
extern int evthread_lock_debugging_enabled_;
struct evthread_lock_callbacks *evthread_get_lock_callbacks(void);
struct evthread_condition_callbacks *evthread_get_condition_callbacks(void);
int evthread_is_debug_lock_held_(void *lock);
void *evthread_debug_get_real_lock_(void *lock);
void evthreadimpl_disable_lock_debugging_(void);

static void *checked_lock;
static int held_elsewhere = -1;

static void *other_thread(void *arg)
{
	(void)arg;
	held_elsewhere = evthread_is_debug_lock_held_(checked_lock);
	return NULL;
}

/* evthread_is_debug_lock_held_: held by this thread, not by another. */
static void held_checks(void)
{
	pthread_t t;
	int before, during, after;

	checked_lock = evthread_lock_fns_.alloc(0);
	printf("real lock behind it=%d\n", evthread_debug_get_real_lock_(checked_lock) != NULL);
	before = evthread_is_debug_lock_held_(checked_lock);
	evthread_lock_fns_.lock(0, checked_lock);
	during = evthread_is_debug_lock_held_(checked_lock);
	pthread_create(&t, NULL, other_thread, NULL);
	pthread_join(t, NULL);
	evthread_lock_fns_.unlock(0, checked_lock);
	after = evthread_is_debug_lock_held_(checked_lock);
	printf("held: before=%d during=%d other thread=%d after=%d\n", before, during, held_elsewhere, after);
	evthread_lock_fns_.free(checked_lock, 0);
}

static void show(const char *when)
{
	printf("%s: lock v=%d types=%u alloc=%d free=%d lock=%d unlock=%d | cond v=%d alloc=%d free=%d "
	       "signal=%d wait=%d | id=%d debugging=%d | getters same=%d,%d\n",
	    when, evthread_lock_fns_.lock_api_version, evthread_lock_fns_.supported_locktypes,
	    evthread_lock_fns_.alloc != NULL, evthread_lock_fns_.free != NULL, evthread_lock_fns_.lock != NULL,
	    evthread_lock_fns_.unlock != NULL, evthread_cond_fns_.condition_api_version,
	    evthread_cond_fns_.alloc_condition != NULL, evthread_cond_fns_.free_condition != NULL,
	    evthread_cond_fns_.signal_condition != NULL, evthread_cond_fns_.wait_condition != NULL,
	    evthread_id_fn_ != NULL, evthread_lock_debugging_enabled_,
	    evthread_get_lock_callbacks() == &evthread_lock_fns_,
	    evthread_get_condition_callbacks() == &evthread_cond_fns_);
}

/* Locks and a condition made and used through the exported tables. */
static void use_tables(const char *when)
{
	struct timeval tv = { 0, 20000 };
	void *lock = evthread_lock_fns_.alloc(EVTHREAD_LOCKTYPE_RECURSIVE);
	void *cond = evthread_cond_fns_.alloc_condition(0);
	int a, b, w, s;

	a = evthread_lock_fns_.lock(0, lock);
	b = evthread_lock_fns_.lock(0, lock); /* recursive */
	evthread_lock_fns_.unlock(0, lock);
	s = evthread_cond_fns_.signal_condition(cond, 0);
	w = evthread_cond_fns_.wait_condition(cond, lock, &tv); /* 1: timed out */
	evthread_lock_fns_.unlock(0, lock);
	printf("%s: lock=%d relock=%d signal=%d timed wait=%d\n", when, a, b, s, w);
	evthread_cond_fns_.free_condition(cond);
	evthread_lock_fns_.free(lock, EVTHREAD_LOCKTYPE_RECURSIVE);
}

int main(void)
{
	struct event_base *base;
	void *pthread_alloc;

	show("start");
	evthread_use_pthreads();
	show("pthreads");
	printf("id fn gives pthread_self=%d\n", evthread_id_fn_() == (unsigned long)pthread_self());
	pthread_alloc = (void *)evthread_lock_fns_.alloc;
	use_tables("pthreads");
	base = event_base_new();
	printf("base ok=%d\n", base != NULL);
	event_base_free(base);

	evthread_enable_lock_debugging();
	show("debugging");
	printf("lock table wrapped=%d\n", (void *)evthread_lock_fns_.alloc != pthread_alloc);
	use_tables("debugging");
	held_checks();
	base = event_base_new();
	printf("base ok=%d\n", base != NULL);
	event_base_free(base);
	/* libevent's tests turn the flag off; the checking tables stay. */
	evthreadimpl_disable_lock_debugging_();
	show("flag off");
	printf("lock table still wrapped=%d\n", (void *)evthread_lock_fns_.alloc != pthread_alloc);
	libevent_global_shutdown();
	return 0;
}
