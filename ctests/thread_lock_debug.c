/* Covers: evthread_enable_lock_debugging (and the old spelling
 * evthread_enable_lock_debuging) and the misuse it catches, each in a forked
 * child whose log callback prints what is logged and whose fatal callback
 * prints its code and _exit(0)s: unlocking an evbuffer lock nobody holds
 * (with an id callback: "held_by == me"; without: "count >= 0"), unlocking
 * twice, unlocking from another thread, a second thread taking a debug lock
 * that has no real lock under it, freeing an evbuffer whose lock is held, a
 * lock that is not a debug lock (zeroed memory given to
 * evbuffer_enable_locking, no lock callbacks); a fatal callback that
 * returns (exit status 0xdeaddead & 0xff = 173) and none (abort).
 * Then the legal side: debug locks standing alone (no lock callbacks):
 * evbuffer_enable_locking, BEV_OPT_THREADSAFE socket and pair bufferevents,
 * bufferevent_lock / bufferevent_free / bufferevent_unlock (the bufferevent
 * lives until the unlock), another thread taking a lock without an id
 * callback (not checked), a base made then (a wake-up fd, as with real
 * locks); debugging first, lock callbacks (the program's, counting the
 * locks they hold) second: the setters' rules on the program's table (same
 * table again 0, another -1, NULL warns), debug locks taking the program's
 * locks; callbacks first, debugging second; evthread_use_pthreads under
 * debugging with two threads counting under one evbuffer lock; a
 * rate-limit group under debugging whose member another thread holds while
 * the group suspends and resumes it (tried, not taken), freed afterwards
 * (the group's lock freed with the type it was made with).
 * ctest-libs: -levent_pthreads -lpthread
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static void log_cb(int severity, const char *msg)
{
	printf("  log: severity=%d msg=\"%s\"\n", severity, msg);
	fflush(stdout);
}

static void fatal_exit_cb(int err)
{
	printf("  fatal callback: err=0x%x\n", (unsigned)err);
	fflush(stdout);
	_exit(0);
}

static void fatal_return_cb(int err)
{
	printf("  fatal callback (returning): err=0x%x\n", (unsigned)err);
	fflush(stdout);
}

static unsigned long my_id(void) { return (unsigned long)pthread_self(); }

/* The program's lock functions: recursive mutexes that count how many locks
 * are held right now (the debug locks are expected to take them). */
static int held;
static pthread_mutex_t count_mu = PTHREAD_MUTEX_INITIALIZER;
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
static int lk_lock(unsigned mode, void *l)
{
	int r = (mode & EVTHREAD_TRY) ? pthread_mutex_trylock(l) : pthread_mutex_lock(l);
	if (r == 0) {
		pthread_mutex_lock(&count_mu);
		held++;
		pthread_mutex_unlock(&count_mu);
	}
	return r;
}
static int lk_unlock(unsigned mode, void *l)
{
	(void)mode;
	pthread_mutex_lock(&count_mu);
	held--;
	pthread_mutex_unlock(&count_mu);
	return pthread_mutex_unlock(l);
}
static int lk_lock_other(unsigned mode, void *l) { return lk_lock(mode, l); }
static void *cv_alloc(unsigned type) { pthread_cond_t *c = malloc(sizeof(*c)); (void)type; pthread_cond_init(c, NULL); return c; }
static void cv_free(void *c) { pthread_cond_destroy(c); free(c); }
static int cv_signal(void *c, int all) { return all ? pthread_cond_broadcast(c) : pthread_cond_signal(c); }
static int cv_wait(void *c, void *l, const struct timeval *tv) { (void)tv; return pthread_cond_wait(c, l) ? -1 : 0; }

static const struct evthread_lock_callbacks counting = {
	EVTHREAD_LOCK_API_VERSION, EVTHREAD_LOCKTYPE_RECURSIVE, lk_alloc, lk_free, lk_lock, lk_unlock };
static const struct evthread_lock_callbacks other = {
	EVTHREAD_LOCK_API_VERSION, EVTHREAD_LOCKTYPE_RECURSIVE, lk_alloc, lk_free, lk_lock_other, lk_unlock };
static const struct evthread_condition_callbacks conds = {
	EVTHREAD_CONDITION_API_VERSION, cv_alloc, cv_free, cv_signal, cv_wait };

typedef void (*case_fn)(void);

/* fatal_mode: 0 = callback that _exit(0)s, 1 = callback that returns,
 * 2 = no fatal callback */
static void run_case(const char *title, case_fn f, int fatal_mode)
{
	printf("%s\n", title);
	fflush(stdout);
	pid_t pid = fork();
	if (pid < 0) { perror("fork"); exit(1); }
	if (pid == 0) {
		struct rlimit nocore = {0, 0};
		setrlimit(RLIMIT_CORE, &nocore);
		signal(SIGABRT, SIG_DFL);
		event_set_log_callback(log_cb);
		if (fatal_mode != 2)
			event_set_fatal_callback(fatal_mode ? fatal_return_cb : fatal_exit_cb);
		f();
		printf("  (no fatal error: case returned)\n");
		fflush(stdout);
		_exit(3);
	}
	int st = 0;
	waitpid(pid, &st, 0);
	if (WIFEXITED(st))
		printf("  child exited with status %d\n", WEXITSTATUS(st));
	else if (WIFSIGNALED(st))
		printf("  child killed by %s\n", WTERMSIG(st) == SIGABRT ? "SIGABRT" : "another signal");
}

static struct evbuffer *locked_buffer(void)
{
	struct evbuffer *b = evbuffer_new();
	printf("  evbuffer_enable_locking=%d\n", evbuffer_enable_locking(b, NULL));
	fflush(stdout);
	return b;
}

static void case_unlock_not_held(void)
{
	evthread_use_pthreads();
	evthread_enable_lock_debugging();
	evbuffer_unlock(locked_buffer());
}

static void case_unlock_twice(void)
{
	evthread_use_pthreads();
	evthread_enable_lock_debugging();
	struct evbuffer *b = locked_buffer();
	evbuffer_lock(b);
	evbuffer_lock(b);
	evbuffer_unlock(b);
	evbuffer_unlock(b);
	printf("  locked twice, unlocked twice\n");
	fflush(stdout);
	evbuffer_unlock(b);
}

static struct evbuffer *shared;
static void *unlock_thread(void *arg) { (void)arg; evbuffer_unlock(shared); return NULL; }
static void *lock_thread(void *arg)
{
	(void)arg;
	evbuffer_lock(shared);
	printf("  other thread took the lock\n");
	fflush(stdout);
	return NULL;
}

static void case_unlock_other_thread(void)
{
	pthread_t t;
	evthread_use_pthreads();
	evthread_enable_lock_debugging();
	shared = locked_buffer();
	evbuffer_lock(shared);
	pthread_create(&t, NULL, unlock_thread, NULL);
	pthread_join(t, NULL);
}

static void case_lock_other_thread_standalone(void)
{
	pthread_t t;
	evthread_enable_lock_debuging();
	evthread_set_id_callback(my_id);
	shared = locked_buffer();
	evbuffer_lock(shared);
	pthread_create(&t, NULL, lock_thread, NULL);
	pthread_join(t, NULL);
}

static void case_free_held(void)
{
	evthread_use_pthreads();
	evthread_enable_lock_debugging();
	struct evbuffer *b = locked_buffer();
	evbuffer_lock(b);
	evbuffer_free(b);
}

static void case_unlock_no_id(void)
{
	evthread_enable_lock_debugging();
	struct evbuffer *b = locked_buffer();
	evbuffer_lock(b);
	evbuffer_unlock(b);
	printf("  locked and unlocked\n");
	fflush(stdout);
	evbuffer_unlock(b);
}

static void case_not_a_debug_lock(void)
{
	static char zeroed[64];
	evthread_enable_lock_debugging();
	struct evbuffer *b = evbuffer_new();
	printf("  evbuffer_enable_locking(zeroed memory)=%d\n", evbuffer_enable_locking(b, zeroed));
	fflush(stdout);
	evbuffer_lock(b);
}

static void case_free_held_with_callbacks(void)
{
	evthread_set_lock_callbacks(&counting);
	evthread_set_id_callback(my_id);
	evthread_enable_lock_debugging();
	struct evbuffer *b = locked_buffer();
	evbuffer_lock(b);
	evbuffer_lock(b);
	printf("  program locks held=%d\n", held);
	fflush(stdout);
	evbuffer_unlock(b);
	evbuffer_free(b);
}

static int fd_is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);
	close(fd);
	return fd;
}

static void *lock_unlock_thread(void *arg)
{
	(void)arg;
	evbuffer_lock(shared);
	evbuffer_unlock(shared);
	return NULL;
}

/* Debug locks with no lock callbacks: everything works, single-threaded. */
static void standalone(void)
{
	struct event_base *base;
	struct bufferevent *bev, *pair[2];
	struct evbuffer *b;
	pthread_t t;
	int sv[2], before;

	printf("debug locks without lock callbacks:\n");
	evthread_enable_lock_debugging();
	evthread_enable_lock_debugging();
	before = next_fd();
	base = event_base_new();
	printf("  fds used by a base=%d\n", next_fd() - before);
	b = locked_buffer();
	evbuffer_lock(b);
	evbuffer_lock(b);
	evbuffer_add(b, "abc", 3);
	evbuffer_unlock(b);
	evbuffer_unlock(b);
	printf("  evbuffer nested lock/unlock ok, length=%zu\n", evbuffer_get_length(b));
	shared = b;
	pthread_create(&t, NULL, lock_unlock_thread, NULL);
	pthread_join(t, NULL);
	printf("  another thread locked and unlocked (no id callback: not checked)\n");
	evbuffer_free(b);

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		exit(1);
	bev = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE | BEV_OPT_CLOSE_ON_FREE);
	printf("  THREADSAFE socket bufferevent: %s\n", bev ? "ok" : "NULL");
	if (!bev)
		exit(1);
	bufferevent_write(bev, "hello", 5);
	bufferevent_lock(bev);
	bufferevent_lock(bev);
	bufferevent_unlock(bev);
	bufferevent_free(bev);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("  freed while locked: fd open=%d\n", fd_is_open(sv[0]));
	bufferevent_unlock(bev);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("  after the unlock: fd open=%d\n", fd_is_open(sv[0]));
	close(sv[1]);

	printf("  THREADSAFE pair=%d\n", bufferevent_pair_new(base, BEV_OPT_THREADSAFE, pair));
	bufferevent_enable(pair[1], EV_READ);
	bufferevent_write(pair[0], "xy", 2);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("  pair delivered %zu bytes\n", evbuffer_get_length(bufferevent_get_input(pair[1])));
	bufferevent_free(pair[0]);
	bufferevent_free(pair[1]);
	event_base_loop(base, EVLOOP_NONBLOCK);
	event_base_free(base);
	printf("  fds left after free=%d\n", next_fd() - before);
}

/* Debugging first, then the program's lock callbacks. */
static void debug_then_callbacks(void)
{
	struct evbuffer *b;
	struct event_base *base;
	struct bufferevent *bev;

	evthread_enable_lock_debugging();
	printf("  set_lock_callbacks=%d\n", evthread_set_lock_callbacks(&counting));
	printf("  again, same table=%d\n", evthread_set_lock_callbacks(&counting));
	printf("  another table=%d\n", evthread_set_lock_callbacks(&other));
	printf("  set_condition_callbacks=%d\n", evthread_set_condition_callbacks(&conds));
	printf("  again, same table=%d\n", evthread_set_condition_callbacks(&conds));
	evthread_set_id_callback(my_id);
	b = locked_buffer();
	evbuffer_lock(b);
	printf("  evbuffer_lock: program locks held=%d\n", held);
	evbuffer_lock(b);
	printf("  again: program locks held=%d\n", held);
	evbuffer_unlock(b);
	evbuffer_unlock(b);
	printf("  unlocked: program locks held=%d\n", held);
	evbuffer_free(b);

	base = event_base_new();
	bev = bufferevent_socket_new(base, -1, BEV_OPT_THREADSAFE);
	bufferevent_lock(bev);
	printf("  bufferevent_lock: program locks held=%d\n", held);
	bufferevent_unlock(bev);
	bufferevent_free(bev);
	event_base_free(base);
	printf("  set_condition_callbacks(NULL)=%d\n", evthread_set_condition_callbacks(NULL));
	printf("  set_lock_callbacks(NULL)=%d\n", evthread_set_lock_callbacks(NULL));
	b = locked_buffer();
	evbuffer_lock(b);
	printf("  without callbacks now: program locks held=%d\n", held);
	evbuffer_unlock(b);
	evbuffer_free(b);
}

static void callbacks_then_debug(void)
{
	struct evbuffer *b;
	printf("  set_lock_callbacks=%d\n", evthread_set_lock_callbacks(&counting));
	evthread_set_id_callback(my_id);
	evthread_enable_lock_debugging();
	evthread_enable_lock_debuging();
	printf("  same table after debugging=%d\n", evthread_set_lock_callbacks(&counting));
	printf("  another table=%d\n", evthread_set_lock_callbacks(&other));
	b = locked_buffer();
	evbuffer_lock(b);
	printf("  evbuffer_lock: program locks held=%d\n", held);
	evbuffer_unlock(b);
	printf("  unlocked: program locks held=%d\n", held);
	evbuffer_free(b);
}

#define ROUNDS 20000
static long counter;
static void *count_thread(void *arg)
{
	(void)arg;
	for (int i = 0; i < ROUNDS; i++) {
		evbuffer_lock(shared);
		long v = counter;
		evbuffer_add(shared, "", 0);
		counter = v + 1;
		evbuffer_unlock(shared);
	}
	return NULL;
}

static void pthreads_counting(void)
{
	pthread_t t[2];
	printf("  evthread_use_pthreads=%d\n", evthread_use_pthreads());
	evthread_enable_lock_debugging();
	shared = locked_buffer();
	pthread_create(&t[0], NULL, count_thread, NULL);
	pthread_create(&t[1], NULL, count_thread, NULL);
	pthread_join(t[0], NULL);
	pthread_join(t[1], NULL);
	printf("  counted under the lock: %ld of %d\n", counter, 2 * ROUNDS);
	evbuffer_free(shared);
}

/* A thread holding a bufferevent's lock until told to let go. */
static struct bufferevent *held_bev;
static pthread_mutex_t hold_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t hold_cv = PTHREAD_COND_INITIALIZER;
static int hold_state;	/* 1: holding, 2: let go */

static void *holder(void *arg)
{
	(void)arg;
	bufferevent_lock(held_bev);
	pthread_mutex_lock(&hold_mu);
	hold_state = 1;
	pthread_cond_broadcast(&hold_cv);
	while (hold_state != 2)
		pthread_cond_wait(&hold_cv, &hold_mu);
	pthread_mutex_unlock(&hold_mu);
	bufferevent_unlock(held_bev);
	return NULL;
}

static void rate_group_debugged(void)
{
	struct timeval hour = {3600, 0};
	struct event_base *base;
	struct ev_token_bucket_cfg *cfg;
	struct bufferevent_rate_limit_group *grp;
	evutil_socket_t sv[2];
	pthread_t t;

	evthread_set_lock_callbacks(&counting);
	evthread_set_condition_callbacks(&conds);
	evthread_set_id_callback(my_id);
	evthread_enable_lock_debugging();
	base = event_base_new();
	cfg = ev_token_bucket_cfg_new(1000, 1000, 1000, 1000, &hour);
	grp = bufferevent_rate_limit_group_new(base, cfg);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	held_bev = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE | BEV_OPT_CLOSE_ON_FREE);
	printf("  add_to_rate_limit_group=%d\n", bufferevent_add_to_rate_limit_group(held_bev, grp));
	bufferevent_enable(held_bev, EV_READ);
	pthread_create(&t, NULL, holder, NULL);
	pthread_mutex_lock(&hold_mu);
	while (hold_state != 1)
		pthread_cond_wait(&hold_cv, &hold_mu);
	pthread_mutex_unlock(&hold_mu);
	printf("  group decrement_read while another thread holds the member=%d\n",
	    bufferevent_rate_limit_group_decrement_read(grp, 1000000));
	printf("  given back=%d\n", bufferevent_rate_limit_group_decrement_read(grp, -1000000));
	pthread_mutex_lock(&hold_mu);
	hold_state = 2;
	pthread_cond_broadcast(&hold_cv);
	pthread_mutex_unlock(&hold_mu);
	pthread_join(t, NULL);
	printf("  group read limit=%ld member max to read=%ld\n",
	    (long)bufferevent_rate_limit_group_get_read_limit(grp), (long)bufferevent_get_max_to_read(held_bev));
	printf("  decrement_read, member free=%d\n", bufferevent_rate_limit_group_decrement_read(grp, 5000));
	printf("  member max to read=%ld\n", (long)bufferevent_get_max_to_read(held_bev));
	printf("  remove_from_rate_limit_group=%d\n", bufferevent_remove_from_rate_limit_group(held_bev));
	bufferevent_free(held_bev);
	close(sv[1]);
	bufferevent_rate_limit_group_free(grp);
	ev_token_bucket_cfg_free(cfg);
	event_base_free(base);
	printf("  program locks held=%d\n", held);
}

static void case_rate_group_debugged(void) { rate_group_debugged(); fflush(stdout); _exit(0); }
static void case_debug_then_callbacks(void) { debug_then_callbacks(); fflush(stdout); _exit(0); }
static void case_callbacks_then_debug(void) { callbacks_then_debug(); fflush(stdout); _exit(0); }
static void case_pthreads_counting(void) { pthreads_counting(); fflush(stdout); _exit(0); }

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	run_case("evbuffer_unlock on a lock nobody holds (pthreads):", case_unlock_not_held, 0);
	run_case("evbuffer_unlock once too often (pthreads):", case_unlock_twice, 0);
	run_case("evbuffer_unlock from another thread (pthreads):", case_unlock_other_thread, 0);
	run_case("another thread takes a held debug lock (no lock callbacks, id callback):",
	    case_lock_other_thread_standalone, 0);
	run_case("evbuffer_free while its lock is held (pthreads):", case_free_held, 0);
	run_case("evbuffer_free while its lock is held (program's callbacks):", case_free_held_with_callbacks, 0);
	run_case("evbuffer_unlock once too often (no callbacks, no id callback):", case_unlock_no_id, 0);
	run_case("a lock that is not a debug lock:", case_not_a_debug_lock, 0);
	run_case("fatal callback that returns:", case_unlock_no_id, 1);
	run_case("no fatal callback:", case_unlock_no_id, 2);
	run_case("lock debugging first, lock callbacks second:", case_debug_then_callbacks, 0);
	run_case("lock callbacks first, lock debugging second:", case_callbacks_then_debug, 0);
	run_case("evthread_use_pthreads and lock debugging, two threads:", case_pthreads_counting, 0);
	run_case("a rate-limit group under lock debugging, its member held by another thread:",
	    case_rate_group_debugged, 0);

	event_set_log_callback(log_cb);
	standalone();
	libevent_global_shutdown();
	printf("done\n");
	return 0;
}
