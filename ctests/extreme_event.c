/* Covers: extreme values reaching the event core: timevals with tv_sec
 * near LONG_MAX / LONG_MIN, negative or out-of-range tv_usec (event_add,
 * event_pending's deadline, what fires and when, EV_PERSIST re-adds that
 * fire), event_base_loopexit, event_base_once, common timeouts made from
 * huge or unnormalised durations, event_config_set_max_dispatch_interval
 * with huge and odd intervals, INT_MIN / INT_MAX priorities and counts,
 * event_active with odd result flags and signal call counts (negative ones
 * wrap: libevent counts a short down to zero), odd fds and signal numbers.
 * libevent adds timevals without overflow checks: a deadline past LONG_MAX
 * wraps negative and fires at once; tv_usec outside 0..999999 is normalised
 * only once and deadlines compare (sec, usec) lexicographically. Timer
 * order checks wait until the clock is early in its second, so they do not
 * depend on when the test runs.
 * ctest-timeout: 20
 */
#include <event2/event.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static struct event_base *base;
static int fired;

static void log_cb(int severity, const char *msg)
{
	(void)severity;
	(void)msg;
}

static void count_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	fired++;
	if (arg)
		printf("  fired %s what=0x%x\n", (const char *)arg, what);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(arg);
}

/* Run the loop for `ms` milliseconds (or until something breaks it). */
static void run_for(int ms)
{
	struct timeval t = {0, ms * 1000};
	struct event *stop = evtimer_new(base, stop_cb, base);
	event_add(stop, &t);
	event_base_dispatch(base);
	event_free(stop);
}

/* Where event_pending puts the deadline, against wall-clock now plus the
 * timeout: "near" (within 2 s), "negative" (wrapped), or "elsewhere". */
static const char *where(const struct timeval *out, const struct timeval *tv)
{
	struct timeval now;
	long want;
	gettimeofday(&now, NULL);
	if (out->tv_sec < 0)
		return "negative";
	if (tv->tv_sec > LONG_MAX - now.tv_sec - 10)
		return "elsewhere";
	want = now.tv_sec + tv->tv_sec;
	if (out->tv_sec >= want - 2 && out->tv_sec <= want + 2)
		return "near";
	return "elsewhere";
}

static void try_timer(const char *name, long sec, long usec)
{
	struct event *ev = evtimer_new(base, count_cb, NULL);
	struct timeval tv = {sec, usec}, out;
	int r, p;
	memset(&out, 0, sizeof(out));
	fired = 0;
	r = event_add(ev, &tv);
	p = event_pending(ev, EV_TIMEOUT, &out);
	printf("%-22s add=%d pending=%d usec_ok=%d deadline=%s", name, r, p,
	    out.tv_usec >= 0 && out.tv_usec < 1048576, where(&out, &tv));
	run_for(30);
	printf(" fired=%d pending_after=%d\n", fired, event_pending(ev, EV_TIMEOUT, NULL));
	event_free(ev);
}

/* EV_PERSIST with a timeout that fires at once: it fires again on each
 * pass, until the callback deletes it. */
static int persist_left;
static void persist_cb(evutil_socket_t fd, short what, void *arg)
{
	struct event *self = arg;
	(void)fd;
	fired++;
	printf("  persist fired what=0x%x pending=%d\n", what, event_pending(self, EV_TIMEOUT, NULL));
	if (--persist_left == 0)
		event_del(self);
}

static void try_persist(const char *name, long sec, long usec)
{
	struct event *ev = event_new(base, -1, EV_PERSIST, persist_cb, event_self_cbarg());
	struct timeval tv = {sec, usec};
	fired = 0;
	persist_left = 3;
	printf("%s: add=%d\n", name, event_add(ev, &tv));
	run_for(30);
	printf("%s: fired=%d pending=%d\n", name, fired, event_pending(ev, EV_TIMEOUT, NULL));
	event_free(ev);
}

/* Wait until the monotonic clock the base uses is in the first part of a
 * second, so "the next second boundary" is at least half a second away. */
static void wait_early_in_second(void)
{
	struct timeval tv;
	for (;;) {
		event_gettime_monotonic(base, &tv);
		if (tv.tv_usec >= 50000 && tv.tv_usec < 400000)
			return;
		usleep(10000);
	}
}

static int order_left;
static void order_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	printf(" %s", (const char *)arg);
	if (--order_left == 0)
		event_base_loopbreak(base);
}

/* Deadlines with tv_usec above 999999 compare as (sec, usec) pairs:
 * {0, 2000000} is due at the second boundary after next, ahead of {2, 0}
 * added before it. The {1, 1000} timer keeps libevent from computing a
 * wait while that deadline's tv_usec exceeds a second (its epoll backend
 * then sleeps 35 minutes); a future deadline with a negative tv_usec makes
 * libevent's loop assert, so none is left pending here. */
static void timer_order(void)
{
	struct event *ev[4];
	struct timeval tv[4] = {{0, 100000}, {1, 1000}, {2, 0}, {0, 2000000}};
	const char *names[4] = {"100ms", "1s", "2s", "2000000us"};
	int i;
	wait_early_in_second();
	for (i = 0; i < 4; i++) {
		ev[i] = evtimer_new(base, order_cb, (void *)names[i]);
		event_add(ev[i], &tv[i]);
	}
	order_left = 4;
	printf("unnormalised order:");
	event_base_dispatch(base);
	printf("\n");
	for (i = 0; i < 4; i++)
		event_free(ev[i]);
}

static void guard_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	fired++;
	event_base_loopbreak(base);
}

static void once_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	printf("  once %s what=0x%x\n", (const char *)arg, what);
}

static void loopexit_case(const char *name, long sec, long usec)
{
	struct timeval tv = {sec, usec};
	int r = event_base_loopexit(base, &tv);
	fired = 0;
	{
		struct timeval t = {0, 30000};
		struct event *guard = evtimer_new(base, guard_cb, NULL);
		event_add(guard, &t);
		event_base_dispatch(base);
		printf("loopexit %-16s ret=%d got_exit=%d guard_fired=%d\n", name, r,
		    event_base_got_exit(base), fired);
		event_free(guard);
	}
}

static void common_case(const char *name, long sec, long usec)
{
	struct timeval d = {sec, usec}, out;
	const struct timeval *ct = event_base_init_common_timeout(base, &d);
	struct event *ev;
	int r;
	if (!ct) {
		printf("common %-18s -> NULL\n", name);
		return;
	}
	printf("common %-18s -> sec_same=%d usec_low=%ld", name, ct->tv_sec == sec,
	    (long)(ct->tv_usec & 0xfffff));
	ev = evtimer_new(base, count_cb, NULL);
	fired = 0;
	r = event_add(ev, ct);
	memset(&out, 0, sizeof(out));
	printf(" add=%d pending=%d", r, event_pending(ev, EV_TIMEOUT, &out));
	run_for(30);
	printf(" fired=%d\n", fired);
	event_free(ev);
}

/* event_config_set_max_dispatch_interval: six low-priority events are
 * active; the first makes a high-priority read event ready. With a limit
 * that ends the round after each callback, H runs right after L1. */
static int sv[2];
static void low_cb(evutil_socket_t fd, short what, void *arg)
{
	int n = (int)(long)arg;
	(void)fd;
	(void)what;
	printf(" L%d", n);
	if (n == 1 && write(sv[1], "h", 1) != 1)
		printf("[write failed]");
}

static void high_cb(evutil_socket_t fd, short what, void *arg)
{
	char c;
	(void)what;
	(void)arg;
	if (read(fd, &c, 1) != 1)
		printf("[read failed]");
	printf(" H");
}

static void dispatch_case(const char *label, long sec, long usec)
{
	struct event_config *cfg = event_config_new();
	struct timeval tv = {sec, usec};
	int r = event_config_set_max_dispatch_interval(cfg, &tv, -1, 0);
	struct event_base *b = event_base_new_with_config(cfg);
	struct event *h, *low[6];
	int i;
	event_config_free(cfg);
	event_base_priority_init(b, 3);
	h = event_new(b, sv[0], EV_READ, high_cb, NULL);
	event_priority_set(h, 0);
	event_add(h, NULL);
	for (i = 0; i < 6; i++) {
		low[i] = evtimer_new(b, low_cb, (void *)(long)(i + 1));
		event_priority_set(low[i], 1);
		event_active(low[i], EV_TIMEOUT, 0);
	}
	printf("max_dispatch %-14s ret=%d order:", label, r);
	printf(" (dispatch=%d)\n", event_base_dispatch(b));
	for (i = 0; i < 6; i++)
		event_free(low[i]);
	event_free(h);
	event_base_free(b);
}

static int sig_calls;
static void sig_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	sig_calls++;
}

static void signal_count(const char *name, short ncalls)
{
	struct event *ev = evsignal_new(base, SIGUSR2, sig_cb, NULL);
	sig_calls = 0;
	event_add(ev, NULL);
	event_active(ev, EV_SIGNAL, ncalls);
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("signal ncalls %-8s callbacks=%d\n", name, sig_calls);
	event_free(ev);
}

static void res_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)arg;
	printf("  res what=0x%x\n", (unsigned short)what);
}

int main(void)
{
	struct event *ev;
	int i;
	event_set_log_callback(log_cb);
	base = event_base_new();
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		return 1;
	}

	/* event_add with odd timevals */
	try_timer("LONG_MAX", LONG_MAX, 0);
	try_timer("LONG_MAX,999999", LONG_MAX, 999999);
	try_timer("LONG_MAX,LONG_MAX", LONG_MAX, LONG_MAX);
	try_timer("LONG_MAX/2", LONG_MAX / 2, 0);
	try_timer("LONG_MAX/1000000", LONG_MAX / 1000000, 0);
	try_timer("LONG_MAX/1000000+1", LONG_MAX / 1000000 + 1, 0);
	try_timer("1e12s", 1000000000000L, 0);
	try_timer("LONG_MIN", LONG_MIN, 0);
	try_timer("LONG_MIN,-1", LONG_MIN, -1);
	try_timer("LONG_MIN,LONG_MIN", LONG_MIN, LONG_MIN);
	try_timer("-1s", -1, 0);
	try_timer("0,-1", 0, -1);
	try_timer("0,LONG_MIN", 0, LONG_MIN);
	try_timer("0,LONG_MAX", 0, LONG_MAX);
	try_timer("0,LONG_MAX-1000000", 0, LONG_MAX - 1000000);
	try_timer("5,LONG_MIN", 5, LONG_MIN);
	try_timer("-5,LONG_MAX", -5, LONG_MAX);
	try_timer("0,1e12", 0, 1000000000000L);
	try_timer("3600,-1e12", 3600, -1000000000000L);

	/* an I/O event with a huge timeout: the timeout part wraps */
	ev = event_new(base, sv[0], EV_READ, count_cb, "io+LONG_MAX");
	{
		struct timeval tv = {LONG_MAX, 0};
		fired = 0;
		printf("io add=%d\n", event_add(ev, &tv));
		run_for(30);
		printf("io fired=%d pending=%d\n", fired, event_pending(ev, EV_READ | EV_TIMEOUT, NULL));
	}
	event_free(ev);

	/* re-adding an event that is already pending, with wrapping timeouts */
	ev = evtimer_new(base, count_cb, "readd");
	{
		struct timeval a = {LONG_MAX / 4, 0}, b = {LONG_MAX, 0}, c = {LONG_MAX / 4, 0};
		fired = 0;
		printf("readd: %d", event_add(ev, &a));
		printf(" %d", event_add(ev, &b));
		printf(" %d", event_add(ev, &c));
		printf(" pending=%d\n", event_pending(ev, EV_TIMEOUT, NULL));
		run_for(30);
		printf("readd fired=%d\n", fired);
	}
	event_free(ev);

	try_persist("persist LONG_MAX", LONG_MAX, 0);
	try_persist("persist LONG_MIN", LONG_MIN, 0);
	try_persist("persist LONG_MAX/4", LONG_MAX / 4, 0);

	loopexit_case("LONG_MAX", LONG_MAX, 0);
	loopexit_case("LONG_MAX/4", LONG_MAX / 4, 0);
	loopexit_case("LONG_MIN", LONG_MIN, 0);
	loopexit_case("0,LONG_MAX", 0, LONG_MAX);
	/* the LONG_MAX/4 exit is still pending: a new base forgets it */
	event_base_free(base);
	base = event_base_new();

	{
		struct timeval huge = {LONG_MAX, 0}, far = {LONG_MAX / 4, 0}, neg = {-3, -3};
		printf("once LONG_MAX -> %d\n", event_base_once(base, -1, EV_TIMEOUT, once_cb, "LONG_MAX", &huge));
		printf("once LONG_MAX/4 -> %d\n", event_base_once(base, -1, EV_TIMEOUT, once_cb, "LONG_MAX/4", &far));
		printf("once -3,-3 -> %d\n", event_base_once(base, -1, EV_TIMEOUT, once_cb, "-3,-3", &neg));
		printf("once read LONG_MAX -> %d\n", event_base_once(base, sv[0], EV_READ, once_cb, "read", &huge));
		run_for(30);
		printf("once done\n");
	}

	common_case("LONG_MAX", LONG_MAX, 0);
	common_case("LONG_MAX/4", LONG_MAX / 4, 0);
	common_case("LONG_MIN", LONG_MIN, 0);
	common_case("0,LONG_MAX", 0, LONG_MAX);
	common_case("LONG_MAX,2000000", LONG_MAX, 2000000);
	common_case("LONG_MAX,LONG_MAX", LONG_MAX, LONG_MAX);
	common_case("0,1000001", 0, 1000001);
	/* a persistent event on a huge common timeout fires on every pass */
	{
		struct timeval d = {LONG_MAX, 0};
		const struct timeval *ct = event_base_init_common_timeout(base, &d);
		ev = event_new(base, -1, EV_PERSIST, persist_cb, event_self_cbarg());
		fired = 0;
		persist_left = 3;
		printf("common persist add=%d\n", event_add(ev, ct));
		run_for(30);
		printf("common persist fired=%d\n", fired);
		event_free(ev);
	}

	/* a plain timeout whose deadline's tv_usec comes out carrying the
	 * marker of common timeout 255 */
	{
		struct event_base *b = event_base_new();
		struct timeval d = {1000, 0}, tv = {0, 0x6000000aL};
		int n = 0;
		for (i = 0; i < 256; i++) {
			d.tv_usec = i;
			n += event_base_init_common_timeout(b, &d) != NULL;
		}
		ev = evtimer_new(b, count_cb, NULL);
		printf("crafted usec: commons=%d add=%d", n, event_add(ev, &tv));
		printf(" pending=%d", event_pending(ev, EV_TIMEOUT, NULL));
		printf(" del=%d", event_del(ev));
		printf(" pending=%d\n", event_pending(ev, EV_TIMEOUT, NULL));
		event_free(ev);
		event_base_free(b);
	}

	timer_order();

	dispatch_case("LONG_MAX", LONG_MAX, 0);
	dispatch_case("LONG_MAX/4", LONG_MAX / 4, 0);
	dispatch_case("0,LONG_MAX", 0, LONG_MAX);
	dispatch_case("0,-1", 0, -1);
	dispatch_case("0,5000000", 0, 5000000);
	dispatch_case("LONG_MIN", LONG_MIN, 0);
	dispatch_case("-1,LONG_MAX", -1, LONG_MAX);

	/* priorities and counts */
	{
		int ns[] = {INT_MIN, -1, 0, 255, 256, INT_MAX, 3};
		for (i = 0; i < 7; i++) {
			int r = event_base_priority_init(base, ns[i]);
			printf("priority_init %d -> %d npri=%d\n", ns[i], r, event_base_get_npriorities(base));
		}
		ev = evtimer_new(base, count_cb, NULL);
		{
			int ps[] = {INT_MIN, -1, 3, INT_MAX, 2};
			for (i = 0; i < 5; i++) {
				int r = event_priority_set(ev, ps[i]);
				printf("priority_set %d -> %d now %d\n", ps[i], r, event_get_priority(ev));
			}
		}
		event_free(ev);
	}
	{
		int rs[] = {INT_MIN, INT_MAX, 0x10000 | EV_TIMEOUT, -1};
		ev = evtimer_new(base, res_cb, NULL);
		for (i = 0; i < 4; i++) {
			event_active(ev, rs[i], SHRT_MIN);
			event_base_loop(base, EVLOOP_NONBLOCK);
		}
		event_free(ev);
	}
	signal_count("0", 0);
	signal_count("1", 1);
	signal_count("3", 3);
	signal_count("-1", -1);
	signal_count("SHRT_MIN", SHRT_MIN);
	signal_count("SHRT_MAX", SHRT_MAX);

	/* fds and signal numbers out of range */
	{
		int fds[] = {-1, -2, INT_MIN, INT_MAX, 1 << 27};
		for (i = 0; i < 5; i++) {
			ev = event_new(base, fds[i], EV_READ, count_cb, NULL);
			printf("read fd %d -> new=%d", fds[i], ev != NULL);
			if (ev) {
				int a = event_add(ev, NULL);
				printf(" add=%d del=%d", a, event_del(ev));
				event_free(ev);
			}
			printf("\n");
		}
	}
	{
		int sigs[] = {-1, 0, 65, 1000, INT_MAX, INT_MIN};
		for (i = 0; i < 6; i++) {
			ev = evsignal_new(base, sigs[i], count_cb, NULL);
			printf("signal %d -> new=%d", sigs[i], ev != NULL);
			if (ev) {
				int a = event_add(ev, NULL);
				printf(" add=%d del=%d", a, event_del(ev));
				event_free(ev);
			}
			printf("\n");
		}
	}
	printf("num_events all=%d\n", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED | EVENT_BASE_COUNT_ACTIVE | EVENT_BASE_COUNT_VIRTUAL));
	printf("max_events INT_MAX flags=%d\n", event_base_get_max_events(base, INT_MAX, 0) >= 0);
	printf("num_events INT_MIN flags=%d\n", event_base_get_num_events(base, INT_MIN) >= 0);

	event_base_free(base);
	close(sv[0]);
	close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
