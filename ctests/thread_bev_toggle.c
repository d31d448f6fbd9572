/* Covers: a BEV_OPT_THREADSAFE socket bufferevent used from several threads
 * while its loop runs in another: one thread toggles bufferevent_disable /
 * bufferevent_enable (EV_READ, EV_WRITE, both) thousands of times, another
 * queues output with bufferevent_write, and the peer end of the socketpair
 * is written and read by plain blocking threads.  Every byte arrives in
 * order both ways (length and FNV-1a checksum), EOF is reported once after
 * the last byte, bufferevent_get_enabled is right after the last toggle.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 60
 */
#include "thread_common.h"
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <sys/socket.h>

#define BYTES (256 * 1024)	/* each way, per iteration */
#define TOGGLES 3000

static struct bufferevent *bev;
static evutil_socket_t sv[2];

/* Loop side: what was read, guarded by got.m; got.v = 1 at EOF. */
static struct flag got;
static size_t in_len;
static unsigned in_sum;
static int eofs, errors;

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

static void read_cb(struct bufferevent *b, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(b);
	unsigned char buf[4096];
	int n;
	(void)arg;
	while ((n = evbuffer_remove(in, buf, sizeof(buf))) > 0) {
		pthread_mutex_lock(&got.m);
		in_sum = fnv(in_sum, buf, (size_t)n);
		in_len += (size_t)n;
		pthread_mutex_unlock(&got.m);
	}
}

static void event_cb(struct bufferevent *b, short what, void *arg)
{
	(void)b; (void)arg;
	pthread_mutex_lock(&got.m);
	if (what & BEV_EVENT_EOF)
		eofs++;
	else
		errors++;
	got.v = 1;
	pthread_cond_broadcast(&got.c);
	pthread_mutex_unlock(&got.m);
}

static struct flag toggled;	/* 1 once the toggler is done */

/* Peer: writes BYTES with varying chunk sizes, then half-closes. */
static void *peer_writer(void *arg)
{
	unsigned char buf[8192];
	size_t off = 0;
	int salt = (int)(long)arg;
	while (off < BYTES) {
		size_t n = 1 + (off * 7) % sizeof(buf), i;
		ssize_t w;
		if (n > BYTES - off)
			n = BYTES - off;
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i, salt);
		w = write(sv[1], buf, n);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	/* EOF only after the last toggle: an enable(EV_READ) after EOF would
	 * report it again. */
	flag_wait(&toggled, 1, PROMPT_MS * 5);
	shutdown(sv[1], SHUT_WR);
	return NULL;
}

/* Peer: reads until BYTES arrived (or EOF / 10 s of nothing). */
static size_t out_len;
static unsigned out_sum;

static void *peer_reader(void *arg)
{
	unsigned char buf[8192];
	struct timeval tv = { 10, 0 };
	(void)arg;
	setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	out_len = 0;
	out_sum = 2166136261u;
	while (out_len < BYTES) {
		ssize_t n = read(sv[1], buf, sizeof(buf));
		if (n <= 0)
			break;
		out_sum = fnv(out_sum, buf, (size_t)n);
		out_len += (size_t)n;
	}
	return NULL;
}

/* Queues BYTES of output from outside the loop. */
static void *producer(void *arg)
{
	unsigned char buf[5000];
	size_t off = 0;
	int salt = (int)(long)arg;
	while (off < BYTES) {
		size_t n = 1 + (off * 13) % sizeof(buf), i;
		if (n > BYTES - off)
			n = BYTES - off;
		for (i = 0; i < n; i++)
			buf[i] = pattern(off + i, salt);
		if (bufferevent_write(bev, buf, n) != 0)
			break;
		off += n;
	}
	return NULL;
}

static int final_enabled;

static void *toggler(void *arg)
{
	int k;
	(void)arg;
	for (k = 0; k < TOGGLES; k++) {
		short what = (k % 3 == 0) ? EV_READ : (k % 3 == 1) ? EV_WRITE : (EV_READ | EV_WRITE);
		bufferevent_disable(bev, what);
		if (k % 64 == 0)
			ms_sleep(1);	/* let some data pile up while disabled */
		bufferevent_enable(bev, what);
	}
	final_enabled = bufferevent_get_enabled(bev);
	flag_set(&toggled, 1);
	return NULL;
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

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 20);
	struct event_base *base;
	struct looper lp;
	int it, in_ok = 0, out_ok = 0, eof_ok = 0, enabled_ok = 0;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(55);
	signal(SIGPIPE, SIG_IGN);	/* a write to a closed peer shows as a count */
	flag_init(&got);
	flag_init(&toggled);
	for (it = 0; it < iters; it++) {
		pthread_t pw, pr, pp, tg;
		base = event_base_new();
		if (!base || evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			die("event_base_new/socketpair");
		evutil_make_socket_nonblocking(sv[0]);
		looper_init(&lp, base);
		bev = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE | BEV_OPT_CLOSE_ON_FREE);
		if (!bev)
			die("bufferevent_socket_new");
		bufferevent_setcb(bev, read_cb, NULL, event_cb, NULL);
		bufferevent_enable(bev, EV_READ | EV_WRITE);
		flag_set(&got, 0);
		flag_set(&toggled, 0);
		in_len = 0;
		in_sum = 2166136261u;
		eofs = errors = 0;
		looper_start(&lp, EVLOOP_NO_EXIT_ON_EMPTY);
		looper_sync(&lp);

		phase("transfer while toggling");
		pthread_create(&pr, NULL, peer_reader, NULL);
		pthread_create(&pw, NULL, peer_writer, (void *)(long)it);
		pthread_create(&pp, NULL, producer, (void *)(long)(it + 1));
		pthread_create(&tg, NULL, toggler, NULL);
		pthread_join(tg, NULL);
		pthread_join(pp, NULL);
		pthread_join(pw, NULL);
		pthread_join(pr, NULL);
		phase("waiting for EOF");
		flag_wait(&got, 1, PROMPT_MS * 5);
		looper_sync(&lp);

		pthread_mutex_lock(&got.m);
		in_ok += in_len == BYTES && in_sum == expected_sum(it);
		eof_ok += eofs == 1 && errors == 0;
		pthread_mutex_unlock(&got.m);
		out_ok += out_len == BYTES && out_sum == expected_sum(it + 1);
		enabled_ok += final_enabled == (EV_READ | EV_WRITE);

		phase("loopbreak and join");
		event_base_loopbreak(base);
		looper_join(&lp, PROMPT_MS);
		phase("freeing");
		bufferevent_free(bev);
		close(sv[1]);
		looper_free(&lp);
		event_base_free(base);
	}
	printf("iterations=%d bytes each way=%d toggles=%d\n", iters, BYTES, TOGGLES);
	printf("input complete and in order=%d output complete and in order=%d\n", in_ok, out_ok);
	printf("one EOF and no error=%d enabled READ|WRITE after the toggles=%d\n", eof_ok, enabled_ok);
	flag_destroy(&got);
	flag_destroy(&toggled);
	libevent_global_shutdown();
	return 0;
}
