/* Covers: running out of memory under event_set_mem_functions. A counting
 * allocator is installed; a scenario (event_config_new + avoid_method,
 * event_base_new_with_config, priorities, io / timer / signal events added,
 * event_base_once, evbuffers holding data with evbuffer_add_cb and
 * evbuffer_setcb callbacks, add_printf, prepend, add_buffer, expand,
 * pullup, readln, socket bufferevents over a socketpair and a bufferevent
 * pair passing data through the loop, an evconnlistener accepting a
 * connection, then teardown and libevent_global_shutdown) runs once to
 * count the allocations, then once for every N with only the Nth
 * allocation failing, then once for every N with every allocation from the
 * Nth on failing (teardown included). Every run must survive and give back
 * every block and every descriptor; each call either succeeds or returns
 * libevent's failure value (NULL or -1) with nothing else seen; every
 * object handed to the program (config, base, event, evbuffer, callback
 * entry, readln line, bufferevent, listener) must be a live block of the
 * program's allocator; free and realloc may only get such blocks.
 * Allocation counts and orders differ between libraries, so only verdicts
 * are printed, and per call site that can only succeed by allocating the
 * set of results seen.
 * Not under select: there libevent 2.1.12 leaks a whole socket bufferevent
 * (struct, buffers, callback entry, a chain) freed after memory ran out
 * for good, when its fd sets could not grow.
 * ctest-backends: epoll poll
 * ctest-timeout: 60
 */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ------------------------------------------------------------ allocator */

#define TABLE (1 << 16)              /* live blocks, open addressing */
static void *live[TABLE];
static long nlive;
static long calls;                   /* allocating calls in this run */
static enum { RUN_ALL, FAIL_NTH, FAIL_FROM } mode;
static long fail_at;
static long bad_frees, refused;

static size_t slot_of(void *p)
{
	uintptr_t h = (uintptr_t)p;
	h ^= h >> 17;
	h *= 0x9e3779b97f4a7c15ull;
	return (size_t)(h >> 40) & (TABLE - 1);
}

static void track(void *p)
{
	size_t i = slot_of(p);
	while (live[i] && live[i] != (void *)1)
		i = (i + 1) & (TABLE - 1);
	live[i] = p;
	nlive++;
}

static size_t find(void *p)
{
	size_t i = slot_of(p);
	while (live[i]) {
		if (live[i] == p)
			return i;
		i = (i + 1) & (TABLE - 1);
	}
	return (size_t)-1;
}

static int untrack(void *p)
{
	size_t i = find(p);
	if (i == (size_t)-1)
		return 0;
	live[i] = (void *)1;         /* tombstone */
	nlive--;
	return 1;
}

static int is_live(const void *p) { return p && find((void *)p) != (size_t)-1; }

/* Inside calls that libevent itself cannot survive a failure in
 * (see below), allocations are neither counted nor failed. */
static int shielded;

static int should_fail(void)
{
	if (shielded)
		return 0;
	calls++;
	if ((mode == FAIL_NTH && calls == fail_at) || (mode == FAIL_FROM && calls >= fail_at)) {
		refused++;
		return 1;
	}
	return 0;
}

static void *t_malloc(size_t n)
{
	void *p;
	if (should_fail())
		return NULL;
	if ((p = malloc(n)))
		track(p);
	return p;
}

static void *t_realloc(void *old, size_t n)
{
	void *p;
	if (old && !is_live(old)) {
		bad_frees++;
		return NULL;
	}
	if (should_fail())
		return NULL;             /* the old block stays as it was */
	if (old)
		untrack(old);
	p = realloc(old, n);
	if (p)
		track(p);
	else if (old)
		track(old);
	return p;
}

static void t_free(void *p)
{
	if (!p)
		return;
	if (!untrack(p)) {
		bad_frees++;
		return;                  /* not ours: leave it alone */
	}
	free(p);
}

static void quiet(int severity, const char *msg) { (void)severity; (void)msg; }

/* ------------------------------------------------------------ call sites */

enum {
	S_CONFIG_NEW, S_AVOID, S_BASE_NEW, S_PRIORITY, S_EVENT_NEW, S_ADD_IO, S_TIMER_NEW, S_ADD_TIMER,
	S_SIGNAL_NEW, S_ADD_SIGNAL, S_ONCE, S_BUFFER_NEW, S_ADD_CB, S_SETCB, S_ADD, S_PRINTF, S_PREPEND,
	S_ADD_BUFFER, S_EXPAND, S_PULLUP, S_READLN, S_BEV_SOCKET, S_BEV_WRITE, S_BEV_ENABLE, S_BEV_PAIR,
	S_LISTENER, S_LOOP, NSITES
};

/* Only sites that cannot succeed without allocating in any implementation
 * (a new object, a copy, a new callback entry, growing an empty buffer)
 * have their result sets printed; the rest are checked (ok or NULL/-1)
 * but may or may not allocate depending on the library's caching. */
static const struct { const char *name; int printed; } site[NSITES] = {
	[S_CONFIG_NEW] = {"event_config_new", 1},
	[S_AVOID] = {"event_config_avoid_method", 1},
	[S_BASE_NEW] = {"event_base_new_with_config", 1},
	[S_PRIORITY] = {"event_base_priority_init", 0},
	[S_EVENT_NEW] = {"event_new", 1},
	[S_ADD_IO] = {"event_add(io)", 0},
	[S_TIMER_NEW] = {"evtimer_new", 1},
	[S_ADD_TIMER] = {"event_add(timer)", 0},
	[S_SIGNAL_NEW] = {"evsignal_new", 1},
	[S_ADD_SIGNAL] = {"event_add(signal)", 0},
	[S_ONCE] = {"event_base_once", 1},
	[S_BUFFER_NEW] = {"evbuffer_new", 1},
	[S_ADD_CB] = {"evbuffer_add_cb", 1},
	[S_SETCB] = {"evbuffer_setcb", 1},
	[S_ADD] = {"evbuffer_add", 0},
	[S_PRINTF] = {"evbuffer_add_printf", 0},
	[S_PREPEND] = {"evbuffer_prepend", 0},
	[S_ADD_BUFFER] = {"evbuffer_add_buffer", 0},
	[S_EXPAND] = {"evbuffer_expand", 0},
	[S_PULLUP] = {"evbuffer_pullup", 0},
	[S_READLN] = {"evbuffer_readln", 1},
	[S_BEV_SOCKET] = {"bufferevent_socket_new", 1},
	[S_BEV_WRITE] = {"bufferevent_write", 0},
	[S_BEV_ENABLE] = {"bufferevent_enable", 0},
	[S_BEV_PAIR] = {"bufferevent_pair_new", 1},
	[S_LISTENER] = {"evconnlistener_new_bind", 1},
	[S_LOOP] = {"event_base_loop", 0},
};

enum { RES_OK = 1, RES_FAIL = 2, RES_ODD = 4 };
static int seen[2][NSITES];
static int cur;                        /* which table: 0 nth, 1 from */
static long odd_results, foreign_objects;

static void note(int s, int r)
{
	seen[cur][s] |= r;
	if (r == RES_ODD)
		odd_results++;
}

/* A pointer result: NULL is the failure; anything else must be a live
 * block of our allocator when `object` says it is one. */
static void *ptr_result(int s, void *p, int object)
{
	if (!p) {
		note(s, RES_FAIL);
		return NULL;
	}
	if (object && !is_live(p))
		foreign_objects++;
	note(s, RES_OK);
	return p;
}

/* An int result: `okval` on success, -1 on failure. */
static int int_result(int s, int r, int okval)
{
	note(s, r == okval ? RES_OK : r == -1 ? RES_FAIL : RES_ODD);
	return r == okval;
}

/* ------------------------------------------------------------ scenario */

struct run {
	struct event_base *base;
	int buffer_cb_calls, old_cb_calls, once_calls, timer_calls, accepted;
	int socket_got, pair_got;
	char socket_data[16], pair_data[16];
};

static void noop_cb(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; }

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	((struct run *)arg)->timer_calls++;
}

static void once_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	((struct run *)arg)->once_calls++;
}

static void buffer_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	(void)b; (void)info;
	((struct run *)arg)->buffer_cb_calls++;
}

static void old_buffer_cb(struct evbuffer *b, size_t was, size_t now, void *arg)
{
	(void)b; (void)was; (void)now;
	((struct run *)arg)->old_cb_calls++;
}

static void socket_read(struct bufferevent *bev, void *arg)
{
	struct run *r = arg;
	size_t n = bufferevent_read(bev, r->socket_data + r->socket_got, sizeof r->socket_data - 1 - r->socket_got);
	r->socket_got += (int)n;
}

static void pair_read(struct bufferevent *bev, void *arg)
{
	struct run *r = arg;
	size_t n = bufferevent_read(bev, r->pair_data + r->pair_got, sizeof r->pair_data - 1 - r->pair_got);
	r->pair_got += (int)n;
}

static void bev_event(struct bufferevent *bev, short what, void *arg) { (void)bev; (void)what; (void)arg; }

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	(void)l; (void)sa; (void)len;
	((struct run *)arg)->accepted++;
	evutil_closesocket(fd);
}

static int open_fds(void)
{
	int n = 0;
	for (int fd = 0; fd < 1024; fd++)
		if (fcntl(fd, F_GETFD) != -1)
			n++;
	return n;
}

static void scenario(struct run *r)
{
	struct event_config *cfg;
	struct event_base *base;
	struct event *io = NULL, *timers[3] = {NULL, NULL, NULL}, *sig = NULL;
	struct evbuffer *a = NULL, *b = NULL;
	struct evbuffer_cb_entry *ent = NULL;
	struct bufferevent *s1 = NULL, *s2 = NULL, *pair[2] = {NULL, NULL};
	struct evconnlistener *lev = NULL;
	evutil_socket_t sv[2] = {-1, -1}, iosv[2] = {-1, -1}, client = -1;
	struct timeval zero = {0, 0}, later = {30, 0};

	cfg = ptr_result(S_CONFIG_NEW, event_config_new(), 1);
	if (!cfg)
		return;
	int_result(S_AVOID, event_config_avoid_method(cfg, "no-such-method"), 0);
	base = ptr_result(S_BASE_NEW, event_base_new_with_config(cfg), 1);
	event_config_free(cfg);
	if (!base)
		return;
	r->base = base;
	if (!int_result(S_PRIORITY, event_base_priority_init(base, 3), 0)) {
		/* libevent's base has no active queues left then (its next
		 * activation asserts): only freeing it is safe. */
		event_base_free(base);
		return;
	}

	/* Events: io on a socketpair, timers, a signal, once. */
	if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, iosv) < 0) {
		perror("socketpair");
		exit(1);
	}
	io = ptr_result(S_EVENT_NEW, event_new(base, iosv[0], EV_READ | EV_PERSIST, noop_cb, NULL), 1);
	if (io)
		int_result(S_ADD_IO, event_add(io, NULL), 0);
	for (int i = 0; i < 3; i++) {
		timers[i] = ptr_result(S_TIMER_NEW, evtimer_new(base, timer_cb, r), 1);
		if (timers[i])
			int_result(S_ADD_TIMER, event_add(timers[i], i == 2 ? &later : &zero), 0);
	}
	sig = ptr_result(S_SIGNAL_NEW, evsignal_new(base, SIGUSR2, noop_cb, NULL), 1);
	if (sig)
		int_result(S_ADD_SIGNAL, event_add(sig, NULL), 0);
	int_result(S_ONCE, event_base_once(base, -1, EV_TIMEOUT, once_cb, r, NULL), 0);

	/* Buffers with data and callbacks. */
	a = ptr_result(S_BUFFER_NEW, evbuffer_new(), 1);
	b = ptr_result(S_BUFFER_NEW, evbuffer_new(), 1);
	if (a) {
		ent = ptr_result(S_ADD_CB, evbuffer_add_cb(a, buffer_cb, r), 1);
		int_result(S_ADD, evbuffer_add(a, "first line\nsecond", 17), 0);
		int_result(S_PRINTF, evbuffer_add_printf(a, " part %d\n", 2), 8);
		int_result(S_PREPEND, evbuffer_prepend(a, "> ", 2), 0);
		int_result(S_EXPAND, evbuffer_expand(a, 5000), 0);
		if (evbuffer_get_length(a) >= 8)
			ptr_result(S_PULLUP, evbuffer_pullup(a, 8), 0);
		if (evbuffer_search(a, "\n", 1, NULL).pos >= 0) {
			size_t n;
			char *line = ptr_result(S_READLN, evbuffer_readln(a, &n, EVBUFFER_EOL_LF), 1);
			if (line && is_live(line))
				t_free(line);
		}
	}
	if (b) {
		int_result(S_SETCB, evbuffer_setcb(b, old_buffer_cb, r), 0);
		int_result(S_ADD, evbuffer_add(b, "0123456789", 10), 0);
		if (a)
			int_result(S_ADD_BUFFER, evbuffer_add_buffer(a, b), 0);
	}

	/* Socket bufferevents over a socketpair, and a pair. */
	if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		exit(1);
	}
	evutil_make_socket_nonblocking(sv[0]);
	evutil_make_socket_nonblocking(sv[1]);
	s1 = ptr_result(S_BEV_SOCKET, bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE), 1);
	if (!s1)
		evutil_closesocket(sv[0]);
	s2 = ptr_result(S_BEV_SOCKET, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE), 1);
	if (!s2)
		evutil_closesocket(sv[1]);
	if (s1 && s2) {
		bufferevent_setcb(s2, socket_read, NULL, bev_event, r);
		int_result(S_BEV_ENABLE, bufferevent_enable(s2, EV_READ), 0);
		int_result(S_BEV_WRITE, bufferevent_write(s1, "socket!", 7), 0);
	}
	/* libevent 2.1.12 ignores a failure to add the pair's output callback
	 * and crashes later in the loop. */
	shielded++;
	int pr = bufferevent_pair_new(base, 0, pair);
	shielded--;
	if (int_result(S_BEV_PAIR, pr, 0)) {
		if (!is_live(pair[0]) || !is_live(pair[1]))
			foreign_objects++;
		bufferevent_setcb(pair[1], pair_read, NULL, bev_event, r);
		int_result(S_BEV_ENABLE, bufferevent_enable(pair[1], EV_READ), 0);
		int_result(S_BEV_WRITE, bufferevent_write(pair[0], "pair!", 5), 0);
	} else {
		pair[0] = pair[1] = NULL;
	}

	/* A listener on 127.0.0.1 and one connection to it. */
	{
		struct sockaddr_in sin;
		socklen_t len = sizeof sin;
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(0x7f000001);
		lev = ptr_result(S_LISTENER, evconnlistener_new_bind(base, accept_cb, r, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
		                                                     16, (struct sockaddr *)&sin, sizeof sin), 1);
		if (lev && getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin, &len) == 0) {
			client = socket(AF_INET, SOCK_STREAM, 0);
			if (client < 0 || connect(client, (struct sockaddr *)&sin, sizeof sin) < 0) {
				perror("connect");
				exit(1);
			}
		}
	}

	for (int i = 0; i < 8; i++) {
		int lr = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		note(S_LOOP, lr == 0 || lr == 1 ? RES_OK : lr == -1 ? RES_FAIL : RES_ODD);
	}

	/* Teardown. */
	if (lev)
		evconnlistener_free(lev);
	if (client >= 0)
		evutil_closesocket(client);
	if (s1)
		bufferevent_free(s1);
	if (s2)
		bufferevent_free(s2);
	if (pair[0])
		bufferevent_free(pair[0]);
	if (pair[1])
		bufferevent_free(pair[1]);
	if (a && ent)
		evbuffer_remove_cb_entry(a, ent);
	if (a)
		evbuffer_free(a);
	if (b)
		evbuffer_free(b);
	for (int i = 0; i < 3; i++)
		if (timers[i])
			event_free(timers[i]);
	if (io)
		event_free(io);
	if (sig)
		event_free(sig);
	evutil_closesocket(iosv[0]);
	evutil_closesocket(iosv[1]);
	event_base_free(base);
}

/* ------------------------------------------------------------ driver */

static long leaks, leaked_fds;

/* One run under the current plan: afterwards no block and no descriptor
 * may remain. */
static void run_once(struct run *r)
{
	int fds = open_fds();
	memset(r, 0, sizeof *r);
	calls = 0;
	scenario(r);
	libevent_global_shutdown();
	if (nlive) {
		leaks += nlive;
		/* Forget them so that the next run starts from nothing. */
		memset(live, 0, sizeof live);
		nlive = 0;
	}
	if (open_fds() != fds)
		leaked_fds++;
}

static void report(const char *what, int table)
{
	printf("%s: every run survived; leaked blocks: %ld; leaked descriptors: %ld; bad frees: %ld; "
	       "results other than success or NULL/-1: %ld; objects not from the allocator: %ld\n",
	       what, leaks, leaked_fds, bad_frees, odd_results, foreign_objects);
	for (int s = 0; s < NSITES; s++) {
		if (!site[s].printed)
			continue;
		printf("  %-28s%s%s%s\n", site[s].name, seen[table][s] & RES_OK ? " ok" : "",
		       seen[table][s] & RES_FAIL ? " failed(NULL/-1)" : "", seen[table][s] & RES_ODD ? " ODD" : "");
	}
	leaks = leaked_fds = bad_frees = odd_results = foreign_objects = 0;
}

int main(void)
{
	struct run r;
	long total;

	event_set_mem_functions(t_malloc, t_realloc, t_free);
	event_set_log_callback(quiet);
	signal(SIGPIPE, SIG_IGN);

	mode = RUN_ALL;
	cur = 0;
	run_once(&r);
	total = calls;
	printf("baseline: allocations made: %s; refused: %ld\n", total > 0 ? "yes" : "no", refused);
	printf("baseline: timers fired %d, once fired %d, buffer callbacks ran: %s, 1.x callback ran: %s\n",
	       r.timer_calls, r.once_calls, r.buffer_cb_calls > 0 ? "yes" : "no", r.old_cb_calls > 0 ? "yes" : "no");
	printf("baseline: socket bufferevent got \"%s\", pair got \"%s\", listener accepted %d\n",
	       r.socket_data, r.pair_data, r.accepted);
	printf("baseline: leaked blocks %ld, leaked descriptors %ld, bad frees %ld, odd results %ld, foreign objects %ld\n",
	       leaks, leaked_fds, bad_frees, odd_results, foreign_objects);
	for (int s = 0; s < NSITES; s++)
		if (seen[0][s] != RES_OK)
			printf("baseline: %s did not simply succeed\n", site[s].name);
	memset(seen, 0, sizeof seen);
	leaks = leaked_fds = bad_frees = odd_results = foreign_objects = 0;

	/* Every allocation fails once, alone. */
	mode = FAIL_NTH;
	cur = 0;
	refused = 0;
	for (fail_at = 1; fail_at <= total; fail_at++)
		run_once(&r);
	printf("each refused allocation was one asked for: %s\n", refused == total ? "yes" : "no");
	report("one allocation fails", 0);

	/* Memory runs out for good at the Nth allocation. */
	mode = FAIL_FROM;
	cur = 1;
	for (fail_at = 1; fail_at <= total + 1; fail_at++)
		run_once(&r);
	report("allocations fail from some point on", 1);

	printf("done\n");
	return 0;
}
