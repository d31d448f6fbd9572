/* Covers: one rate-limit group shared by BEV_OPT_THREADSAFE socket
 * bufferevents of two bases whose loops run in two threads.  Two
 * socketpairs join the bases (one end on each), and every end streams to
 * its peer at once, so the group's read and write buckets are charged from
 * both loop threads and the group's refill timer (on the first base)
 * suspends and resumes members of the other base.  Meanwhile one thread
 * polls bufferevent_rate_limit_group_get_read_limit / get_write_limit /
 * get_totals and bufferevent_get_max_to_read / write of the members, and
 * another takes and gives back tokens (group_decrement_read / write),
 * switches between two configurations (group_set_cfg, set_min_share) and
 * adds and removes an idle fifth bufferevent (add_to / remove_from group).
 * Checked: every byte arrives in order (length and FNV-1a checksum), the
 * group's totals at the end equal the bytes moved and never went down in
 * between, every call returned 0, and the transfer took at least half the
 * time the group's rate allows (the limit really applied).
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 60
 */
#include "thread_common.h"
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <sys/socket.h>

#define BYTES (64 * 1024)	/* each end sends this much to its peer */
#define ENDS 4			/* two socketpairs, both ends streaming */
#define TICK_MS 20
#define RATE1 (32 * 1024)	/* group tokens per tick, configuration 1 */
#define BURST1 (32 * 1024)
#define RATE2 (16 * 1024)	/* configuration 2 */
#define BURST2 (48 * 1024)
#define TAKE 500		/* tokens the meddler takes and gives back */

struct end {
	struct bufferevent *bev;
	int salt;		/* of what the peer sends */
	size_t len;		/* guarded by got.m */
	unsigned sum;
};

static struct end ends[ENDS];
static struct bufferevent *idle_bev;
static struct bufferevent_rate_limit_group *grp;
static struct ev_token_bucket_cfg *cfg1, *cfg2;
static struct flag got;		/* ends that received all BYTES */
static struct flag stop;	/* 1: the poller and meddler stop */

static unsigned fnv(unsigned h, const unsigned char *p, size_t n)
{
	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static unsigned char pattern(size_t i, int salt)
{
	return (unsigned char)((i * 131 + (i >> 9) + (size_t)salt) & 0xff);
}

static unsigned expected_sum(int salt)
{
	unsigned h = 2166136261u;
	size_t i;
	for (i = 0; i < BYTES; i++) {
		unsigned char c = pattern(i, salt);
		h = fnv(h, &c, 1);
	}
	return h;
}

static void read_cb(struct bufferevent *b, void *arg)
{
	struct end *e = arg;
	unsigned char buf[4096];
	int n;
	while ((n = (int)bufferevent_read(b, buf, sizeof(buf))) > 0) {
		pthread_mutex_lock(&got.m);
		e->sum = fnv(e->sum, buf, (size_t)n);
		e->len += (size_t)n;
		if (e->len == BYTES) {
			got.v++;
			pthread_cond_broadcast(&got.c);
		}
		pthread_mutex_unlock(&got.m);
	}
}

static int event_errors;

static void event_cb(struct bufferevent *b, short what, void *arg)
{
	(void)b; (void)arg; (void)what;
	pthread_mutex_lock(&got.m);
	event_errors++;
	pthread_mutex_unlock(&got.m);
}

/* Queues each end's BYTES in varying chunks, from outside the loops. */
static void *producer(void *arg)
{
	unsigned char buf[3000];
	size_t off[ENDS] = { 0 };
	int k, busy = 1, fails = 0;
	(void)arg;
	while (busy) {
		busy = 0;
		for (k = 0; k < ENDS; k++) {
			size_t n = 1 + (off[k] * 7 + (size_t)k) % sizeof(buf), i;
			/* end k sends to end k^1: the peer's salt is k^1's */
			int salt = ends[k ^ 1].salt;
			if (off[k] >= BYTES)
				continue;
			if (n > BYTES - off[k])
				n = BYTES - off[k];
			for (i = 0; i < n; i++)
				buf[i] = pattern(off[k] + i, salt);
			if (bufferevent_write(ends[k].bev, buf, n) != 0)
				fails++;
			off[k] += n;
			busy = 1;
		}
	}
	return (void *)(long)fails;
}

/* Reads the group's and the members' state until told to stop. */
static long polls, totals_down;

static void *poller(void *arg)
{
	ev_uint64_t r = 0, w = 0, lr = 0, lw = 0;
	int k = 0;
	(void)arg;
	while (!flag_get(&stop)) {
		(void)bufferevent_rate_limit_group_get_read_limit(grp);
		(void)bufferevent_rate_limit_group_get_write_limit(grp);
		bufferevent_rate_limit_group_get_totals(grp, &r, &w);
		if (r < lr || w < lw)
			totals_down++;
		lr = r;
		lw = w;
		(void)bufferevent_get_max_to_read(ends[k].bev);
		(void)bufferevent_get_max_to_write(ends[k].bev);
		k = (k + 1) % ENDS;
		polls++;
		if (polls % 16 == 0)
			ms_sleep(1);
	}
	return NULL;
}

/* Changes the group while the loops charge it. */
static long meddles, nonzero;

static void *meddler(void *arg)
{
	int n = 0;
	(void)arg;
	while (!flag_get(&stop)) {
		int rc = 0;
		rc |= bufferevent_rate_limit_group_decrement_read(grp, TAKE);
		rc |= bufferevent_rate_limit_group_decrement_write(grp, TAKE);
		rc |= bufferevent_rate_limit_group_decrement_read(grp, -TAKE);
		rc |= bufferevent_rate_limit_group_decrement_write(grp, -TAKE);
		if (n % 4 == 0)
			rc |= bufferevent_rate_limit_group_set_cfg(grp, n % 8 == 0 ? cfg2 : cfg1);
		if (n % 4 == 2)
			rc |= bufferevent_rate_limit_group_set_min_share(grp, n % 8 == 2 ? 128 : 64);
		if (n % 2 == 0)
			rc |= bufferevent_add_to_rate_limit_group(idle_bev, grp);
		else
			rc |= bufferevent_remove_from_rate_limit_group(idle_bev);
		if (rc != 0)
			nonzero++;
		meddles++;
		n++;
		ms_sleep(1);
	}
	return NULL;
}

static long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 6);
	struct timeval tick = { 0, TICK_MS * 1000 };
	int it, k;
	int data_ok = 0, totals_ok = 0, reset_ok = 0, slow_enough = 0, calls_ok = 0, setup_ok = 0;
	long min_ms;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(55);
	signal(SIGPIPE, SIG_IGN);
	flag_init(&got);
	flag_init(&stop);
	cfg1 = ev_token_bucket_cfg_new(RATE1, BURST1, RATE1, BURST1, &tick);
	cfg2 = ev_token_bucket_cfg_new(RATE2, BURST2, RATE2, BURST2, &tick);
	if (!cfg1 || !cfg2)
		die("ev_token_bucket_cfg_new");
	/* The fastest the group allows: both directions carry ENDS * BYTES;
	 * at most the larger burst at once, then the larger rate per tick. */
	min_ms = (long)(ENDS * BYTES - BURST2) / RATE1 * TICK_MS;

	for (it = 0; it < iters; it++) {
		struct event_base *base[2];
		struct looper lp[2];
		evutil_socket_t sv[3][2];
		pthread_t pt, pl, md;
		void *fails;
		ev_uint64_t tr = 1, tw = 1;
		long t0, elapsed;
		int rc = 0, errors;

		for (k = 0; k < 2; k++) {
			base[k] = event_base_new();
			if (!base[k])
				die("event_base_new");
			looper_init(&lp[k], base[k]);
		}
		grp = bufferevent_rate_limit_group_new(base[0], cfg1);
		if (!grp)
			die("bufferevent_rate_limit_group_new");
		for (k = 0; k < 3; k++) {
			if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv[k]) != 0)
				die("socketpair");
			evutil_make_socket_nonblocking(sv[k][0]);
			evutil_make_socket_nonblocking(sv[k][1]);
		}
		/* ends 2p and 2p+1 are the two ends of socketpair p, on base 0
		 * and base 1. */
		for (k = 0; k < ENDS; k++) {
			struct end *e = &ends[k];
			e->bev = bufferevent_socket_new(base[k & 1], sv[k >> 1][k & 1],
			    BEV_OPT_THREADSAFE | BEV_OPT_CLOSE_ON_FREE);
			if (!e->bev)
				die("bufferevent_socket_new");
			e->salt = it * ENDS + k;
			e->len = 0;
			e->sum = 2166136261u;
			bufferevent_setcb(e->bev, read_cb, NULL, event_cb, e);
			rc |= bufferevent_add_to_rate_limit_group(e->bev, grp);
			rc |= bufferevent_enable(e->bev, EV_READ | EV_WRITE);
		}
		idle_bev = bufferevent_socket_new(base[1], sv[2][0], BEV_OPT_THREADSAFE | BEV_OPT_CLOSE_ON_FREE);
		if (!idle_bev)
			die("bufferevent_socket_new(idle)");
		rc |= bufferevent_enable(idle_bev, EV_READ);
		setup_ok += rc == 0;
		flag_set(&got, 0);
		flag_set(&stop, 0);
		pthread_mutex_lock(&got.m);
		event_errors = 0;
		pthread_mutex_unlock(&got.m);
		polls = meddles = nonzero = totals_down = 0;
		for (k = 0; k < 2; k++) {
			looper_start(&lp[k], EVLOOP_NO_EXIT_ON_EMPTY);
			looper_sync(&lp[k]);
		}

		phase("transfer");
		t0 = now_ms();
		pthread_create(&pl, NULL, poller, NULL);
		pthread_create(&md, NULL, meddler, NULL);
		pthread_create(&pt, NULL, producer, NULL);
		pthread_join(pt, &fails);
		flag_wait(&got, ENDS, 20000);
		elapsed = now_ms() - t0;
		flag_set(&stop, 1);
		pthread_join(pl, NULL);
		pthread_join(md, NULL);
		phase("settling");
		for (k = 0; k < 2; k++)
			looper_sync(&lp[k]);

		pthread_mutex_lock(&got.m);
		for (k = 0; k < ENDS; k++)
			data_ok += ends[k].len == BYTES && ends[k].sum == expected_sum(ends[k].salt);
		errors = event_errors;
		pthread_mutex_unlock(&got.m);
		bufferevent_rate_limit_group_get_totals(grp, &tr, &tw);
		totals_ok += tr == (ev_uint64_t)ENDS * BYTES && tw == (ev_uint64_t)ENDS * BYTES && totals_down == 0;
		if (tr != (ev_uint64_t)ENDS * BYTES || tw != (ev_uint64_t)ENDS * BYTES)
			fprintf(stderr, "iteration %d: totals read=%llu written=%llu\n", it,
			    (unsigned long long)tr, (unsigned long long)tw);
		bufferevent_rate_limit_group_reset_totals(grp);
		bufferevent_rate_limit_group_get_totals(grp, &tr, &tw);
		reset_ok += tr == 0 && tw == 0;
		slow_enough += elapsed * 2 >= min_ms;
		calls_ok += fails == NULL && nonzero == 0 && errors == 0 && polls > 0 && meddles > 0;
		fprintf(stderr, "iteration %d: %ld ms (at least %ld), %ld polls, %ld meddles\n", it, elapsed,
		    min_ms, polls, meddles);

		phase("loopbreak and join");
		for (k = 0; k < 2; k++) {
			event_base_loopbreak(base[k]);
			looper_join(&lp[k], PROMPT_MS);
		}
		phase("freeing");
		for (k = 0; k < ENDS; k++) {
			bufferevent_remove_from_rate_limit_group(ends[k].bev);
			bufferevent_free(ends[k].bev);
		}
		bufferevent_remove_from_rate_limit_group(idle_bev);
		bufferevent_free(idle_bev);
		close(sv[2][1]);
		bufferevent_rate_limit_group_free(grp);
		for (k = 0; k < 2; k++) {
			looper_free(&lp[k]);
			event_base_free(base[k]);
		}
	}
	printf("iterations=%d ends=%d bytes each=%d\n", iters, ENDS, BYTES);
	printf("setup calls returned 0=%d\n", setup_ok);
	printf("ends with every byte in order=%d\n", data_ok);
	printf("totals equal to the bytes moved (never decreasing)=%d\n", totals_ok);
	printf("totals zero after reset=%d\n", reset_ok);
	printf("transfer held to the group's rate=%d\n", slow_enough);
	printf("concurrent calls all returned 0, no error events=%d\n", calls_ok);
	ev_token_bucket_cfg_free(cfg1);
	ev_token_bucket_cfg_free(cfg2);
	flag_destroy(&got);
	flag_destroy(&stop);
	libevent_global_shutdown();
	return 0;
}
