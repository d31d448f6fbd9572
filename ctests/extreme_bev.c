/* Covers: bufferevents given values at the edges of size_t, ssize_t,
 * time_t and int: read/write watermarks of SIZE_MAX and SSIZE_MAX (size_t
 * compared unsigned: a low mark of SIZE_MAX is never reached, a read high
 * mark above SSIZE_MAX stops a socket from reading, a pair moves
 * everything, a filter sees the room as a negative limit),
 * bufferevent_set_timeouts / bufferevent_settimeout with LONG_MAX, LONG_MIN,
 * INT_MAX and INT_MIN (a deadline past LONG_MAX wraps and times out at
 * once; a tv_usec out of range makes libevent assert on the socket's
 * persistent events, so none is tried there), set_max_single_read / write with 0, SSIZE_MAX and
 * SIZE_MAX, bufferevent_read / write with SIZE_MAX, priorities INT_MIN /
 * INT_MAX, token buckets with SSIZE_MAX rates and decrements of LONG_MIN /
 * LONG_MAX (the buckets wrap), group min share and decrements.
 * Rate-limit ticks are 30 days long so that no refill happens while the
 * test runs.
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_compat.h>
#include <event2/event.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct event_base *base;

static void log_cb(int severity, const char *msg)
{
	(void)severity;
	(void)msg;
}

static size_t inlen(struct bufferevent *b) { return evbuffer_get_length(bufferevent_get_input(b)); }

static void readcb(struct bufferevent *b, void *arg)
{
	printf("  %s: read in=%zu\n", (const char *)arg, inlen(b));
}

static void writecb(struct bufferevent *b, void *arg)
{
	(void)b;
	printf("  %s: write\n", (const char *)arg);
}

static void eventcb(struct bufferevent *b, short what, void *arg)
{
	(void)b;
	printf("  %s: event 0x%02x\n", (const char *)arg, what);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	event_base_loopbreak(base);
}

static void run_for(int ms)
{
	struct timeval t = {0, ms * 1000};
	struct event *stop = evtimer_new(base, stop_cb, NULL);
	event_add(stop, &t);
	event_base_dispatch(base);
	event_free(stop);
}

static void pair_of_sockets(evutil_socket_t sv[2])
{
	if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		sv[0] = sv[1] = -1;
		return;
	}
	evutil_make_socket_nonblocking(sv[0]);
	evutil_make_socket_nonblocking(sv[1]);
}

/* A socket bufferevent on one end, ten bytes waiting from the other. */
static void socket_watermarks(const char *name, short events, size_t low, size_t high)
{
	evutil_socket_t sv[2];
	struct bufferevent *b;
	size_t l = 7, h = 7;
	int r;
	pair_of_sockets(sv);
	b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(b, readcb, writecb, eventcb, (void *)name);
	bufferevent_setwatermark(b, events, low, high);
	r = bufferevent_getwatermark(b, events & EV_WRITE ? EV_WRITE : EV_READ, &l, &h);
	printf("%s: get=%d low=%zu high=%zu\n", name, r, l, h);
	if (write(sv[1], "0123456789", 10) != 10)
		printf("write failed\n");
	bufferevent_enable(b, EV_READ | EV_WRITE);
	bufferevent_write(b, "ab", 2);
	run_for(30);
	printf("%s: in=%zu\n", name, inlen(b));
	/* back to no watermarks: reading resumes */
	bufferevent_setwatermark(b, EV_READ | EV_WRITE, 0, 0);
	run_for(30);
	printf("%s: after reset in=%zu\n", name, inlen(b));
	bufferevent_free(b);
	evutil_closesocket(sv[1]);
}

static void pair_watermarks(size_t low, size_t high)
{
	struct bufferevent *p[2];
	bufferevent_pair_new(base, 0, p);
	bufferevent_setcb(p[1], readcb, NULL, NULL, "pair");
	bufferevent_setwatermark(p[1], EV_READ, low, high);
	bufferevent_enable(p[0], EV_WRITE);
	bufferevent_enable(p[1], EV_READ);
	bufferevent_write(p[0], "0123456789", 10);
	run_for(30);
	printf("pair low=%zu high=%zu: in=%zu\n", low, high, inlen(p[1]));
	bufferevent_free(p[0]);
	bufferevent_free(p[1]);
}

static enum bufferevent_filter_result show_limit(struct evbuffer *src, struct evbuffer *dst,
    ev_ssize_t limit, enum bufferevent_flush_mode mode, void *ctx)
{
	(void)mode;
	(void)ctx;
	printf("  filter limit %ld\n", (long)limit);
	evbuffer_add_buffer(dst, src);
	return BEV_OK;
}

static void filter_watermarks(size_t high)
{
	struct bufferevent *p[2], *f;
	bufferevent_pair_new(base, 0, p);
	f = bufferevent_filter_new(p[1], show_limit, NULL, 0, NULL, NULL);
	bufferevent_setcb(f, readcb, NULL, NULL, "filter");
	bufferevent_setwatermark(f, EV_READ, 0, high);
	bufferevent_enable(p[0], EV_WRITE);
	bufferevent_enable(f, EV_READ);
	bufferevent_write(p[0], "0123456789", 10);
	run_for(30);
	printf("filter high=%zu: in=%zu\n", high, inlen(f));
	bufferevent_free(f);
	bufferevent_free(p[0]);
	bufferevent_free(p[1]);
}

static void socket_timeouts(const char *name, long sec, long usec)
{
	evutil_socket_t sv[2];
	struct bufferevent *b;
	struct timeval tv = {sec, usec};
	int r;
	pair_of_sockets(sv);
	b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(b, readcb, writecb, eventcb, (void *)name);
	bufferevent_enable(b, EV_READ);
	r = bufferevent_set_timeouts(b, &tv, &tv);
	printf("%s: set_timeouts=%d\n", name, r);
	run_for(30);
	printf("%s: enabled=0x%x\n", name, bufferevent_get_enabled(b));
	bufferevent_free(b);
	evutil_closesocket(sv[1]);
}

static void pair_timeouts(const char *name, long sec, long usec)
{
	struct bufferevent *p[2];
	struct timeval tv = {sec, usec};
	bufferevent_pair_new(base, 0, p);
	bufferevent_setcb(p[0], readcb, writecb, eventcb, (void *)name);
	bufferevent_enable(p[0], EV_READ);
	printf("%s: set_timeouts=%d\n", name, bufferevent_set_timeouts(p[0], &tv, NULL));
	run_for(30);
	printf("%s: enabled=0x%x\n", name, bufferevent_get_enabled(p[0]));
	bufferevent_free(p[0]);
	bufferevent_free(p[1]);
}

static void compat_timeouts(const char *name, int secs)
{
	evutil_socket_t sv[2];
	struct bufferevent *b;
	pair_of_sockets(sv);
	b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(b, readcb, writecb, eventcb, (void *)name);
	bufferevent_enable(b, EV_READ);
	bufferevent_settimeout(b, secs, secs);
	run_for(30);
	printf("%s: enabled=0x%x\n", name, bufferevent_get_enabled(b));
	bufferevent_free(b);
	evutil_closesocket(sv[1]);
}

static void single_limits(void)
{
	evutil_socket_t sv[2];
	struct bufferevent *b;
	size_t sizes[] = {0, 1, SIZE_MAX / 2, SIZE_MAX / 2 + 1, SIZE_MAX};
	unsigned i;
	char out[16];
	int r;
	pair_of_sockets(sv);
	b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		int rr = bufferevent_set_max_single_read(b, sizes[i]);
		int rw = bufferevent_set_max_single_write(b, sizes[i]);
		printf("max_single %zu: set %d %d -> read %ld write %ld to_read %ld to_write %ld\n", sizes[i], rr, rw,
		    (long)bufferevent_get_max_single_read(b), (long)bufferevent_get_max_single_write(b),
		    (long)bufferevent_get_max_to_read(b), (long)bufferevent_get_max_to_write(b));
	}
	printf("write SIZE_MAX -> %d\n", bufferevent_write(b, "x", SIZE_MAX));
	printf("write SSIZE_MAX -> %d\n", bufferevent_write(b, "x", SIZE_MAX / 2));
	evbuffer_add(bufferevent_get_input(b), "abc", 3);
	printf("read SIZE_MAX -> %zu\n", bufferevent_read(b, out, SIZE_MAX));
	{
		int ps[] = {INT_MIN, -1, 1, INT_MAX, 0};
		for (i = 0; i < 5; i++) {
			r = bufferevent_priority_set(b, ps[i]);
			printf("priority_set %d -> %d now %d\n", ps[i], r, bufferevent_get_priority(b));
		}
	}
	bufferevent_free(b);
	evutil_closesocket(sv[1]);
}

static void rate_limits(void)
{
	evutil_socket_t sv[2];
	struct bufferevent *b;
	struct timeval month = {30 * 86400, 0};
	struct ev_token_bucket_cfg *cfg;
	struct bufferevent_rate_limit_group *g;
	ev_ssize_t decr[] = {LONG_MAX, LONG_MAX, LONG_MIN, 1, LONG_MIN, -1};
	unsigned i;
	ev_uint64_t tr = 0, tw = 0;
	printf("cfg SIZE_MAX rate -> %s\n", ev_token_bucket_cfg_new(SIZE_MAX, SIZE_MAX, 1, 1, &month) ? "cfg" : "NULL");
	printf("cfg SSIZE_MAX+1 burst -> %s\n", ev_token_bucket_cfg_new(1, SIZE_MAX / 2 + 1, 1, 1, &month) ? "cfg" : "NULL");
	cfg = ev_token_bucket_cfg_new(SIZE_MAX / 2, SIZE_MAX / 2, SIZE_MAX / 2, SIZE_MAX / 2, &month);
	printf("cfg SSIZE_MAX -> %s\n", cfg ? "cfg" : "NULL");
	pair_of_sockets(sv);
	b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
	printf("set_rate_limit -> %d read=%ld write=%ld\n", bufferevent_set_rate_limit(b, cfg),
	    (long)bufferevent_get_read_limit(b), (long)bufferevent_get_write_limit(b));
	for (i = 0; i < sizeof(decr) / sizeof(decr[0]); i++) {
		int a = bufferevent_decrement_read_limit(b, decr[i]);
		int c = bufferevent_decrement_write_limit(b, decr[i]);
		printf("decrement %ld -> %d %d read=%ld write=%ld to_read=%ld\n", (long)decr[i], a, c,
		    (long)bufferevent_get_read_limit(b), (long)bufferevent_get_write_limit(b),
		    (long)bufferevent_get_max_to_read(b));
	}
	g = bufferevent_rate_limit_group_new(base, cfg);
	printf("group min_share SIZE_MAX -> %d\n", bufferevent_rate_limit_group_set_min_share(g, SIZE_MAX));
	printf("group min_share SSIZE_MAX -> %d\n", bufferevent_rate_limit_group_set_min_share(g, SIZE_MAX / 2));
	printf("add to group -> %d\n", bufferevent_add_to_rate_limit_group(b, g));
	for (i = 0; i < sizeof(decr) / sizeof(decr[0]); i++) {
		int a = bufferevent_rate_limit_group_decrement_read(g, decr[i]);
		int c = bufferevent_rate_limit_group_decrement_write(g, decr[i]);
		printf("group decrement %ld -> %d %d to_read=%ld to_write=%ld\n", (long)decr[i], a, c,
		    (long)bufferevent_get_max_to_read(b), (long)bufferevent_get_max_to_write(b));
	}
	bufferevent_rate_limit_group_get_totals(g, &tr, &tw);
	printf("group totals %llu %llu\n", (unsigned long long)tr, (unsigned long long)tw);
	bufferevent_remove_from_rate_limit_group(b);
	bufferevent_free(b);
	bufferevent_rate_limit_group_free(g);
	ev_token_bucket_cfg_free(cfg);
	evutil_closesocket(sv[1]);
}

int main(void)
{
	event_set_log_callback(log_cb);
	base = event_base_new();

	socket_watermarks("read low SIZE_MAX", EV_READ, SIZE_MAX, 0);
	socket_watermarks("read high SIZE_MAX", EV_READ, 0, SIZE_MAX);
	socket_watermarks("read high SSIZE_MAX+1", EV_READ, 0, SIZE_MAX / 2 + 1);
	socket_watermarks("read high SSIZE_MAX", EV_READ, 0, SIZE_MAX / 2);
	socket_watermarks("write low SIZE_MAX", EV_WRITE, SIZE_MAX, SIZE_MAX);
	socket_watermarks("both events -1", -1, 3, SIZE_MAX);

	pair_watermarks(0, SIZE_MAX);
	pair_watermarks(0, SIZE_MAX / 2 + 1);
	pair_watermarks(SIZE_MAX, 0);

	filter_watermarks(SIZE_MAX);
	filter_watermarks(SIZE_MAX / 2);

	socket_timeouts("socket LONG_MAX", LONG_MAX, 0);
	socket_timeouts("socket LONG_MAX/4", LONG_MAX / 4, 0);
	socket_timeouts("socket LONG_MIN", LONG_MIN, 0);
	pair_timeouts("pair LONG_MAX", LONG_MAX, 0);
	pair_timeouts("pair LONG_MAX/4", LONG_MAX / 4, 0);
	pair_timeouts("pair -1,0", -1, 0);
	compat_timeouts("compat INT_MAX", INT_MAX);
	compat_timeouts("compat INT_MIN", INT_MIN);
	compat_timeouts("compat -1", -1);

	single_limits();
	rate_limits();

	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
