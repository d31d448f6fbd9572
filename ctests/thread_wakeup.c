/* Covers: calls made from another thread that must wake a loop sleeping in
 * its own thread (its only event a 10 s persistent timer), each checked to
 * take effect within 2 s: event_base_loopexit (NULL and 10 ms),
 * event_base_loopbreak, event_finalize and event_free_finalize on a
 * pending event (the finalizer runs), evconnlistener_enable of a
 * LEV_OPT_THREADSAFE listener with a connection already queued (accepted),
 * bufferevent_enable(EV_READ) of a BEV_OPT_THREADSAFE socket bufferevent
 * with data already waiting (read), event_add of a 10 ms timer and of a
 * read event on a readable pipe (run).
 * event_base_loopcontinue from another thread returns 0 and the loop keeps
 * running; libevent 2.1 does notify the loop, but the wake-up itself has no
 * visible effect (its internal wake-up event does not count for
 * EVLOOP_ONCE, and the flag only cuts short a batch of callbacks), so only
 * that much is checked.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 60
 */
#include "thread_common.h"
#include <event2/bufferevent.h>
#include <event2/buffer.h>
#include <event2/listener.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static struct event_base *base;
static struct looper lp;
static struct flag effect;	/* the callback the action should trigger ran */

static void effect_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	flag_add(&effect, 1);
}

static void fin_cb(struct event *ev, void *arg)
{
	(void)ev; (void)arg;
	flag_add(&effect, 1);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	(void)l; (void)sa; (void)len; (void)arg;
	evutil_closesocket(fd);
	flag_add(&effect, 1);
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	(void)arg;
	evbuffer_drain(bufferevent_get_input(bev), evbuffer_get_length(bufferevent_get_input(bev)));
	flag_add(&effect, 1);
}

static void keeper_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
}

enum kind {
	K_LOOPEXIT_NULL, K_LOOPEXIT_10MS, K_LOOPBREAK, K_LOOPCONTINUE,
	K_FINALIZE, K_FREE_FINALIZE, K_LISTENER_ENABLE, K_BEV_ENABLE,
	K_ADD_TIMER, K_ADD_READ, K_COUNT
};
static const char *names[K_COUNT] = {
	"event_base_loopexit(NULL)", "event_base_loopexit(10 ms)", "event_base_loopbreak",
	"event_base_loopcontinue", "event_finalize", "event_free_finalize",
	"evconnlistener_enable", "bufferevent_enable", "event_add(10 ms timer)",
	"event_add(read, readable pipe)"
};

struct result {
	int attempted, woke, detail_ok;
};

/* One attempt of one kind on a fresh base; returns 1 if it took effect in
 * time.  *detail gets the kind-specific check (loop result and flags...). */
static int attempt(enum kind k, int *detail)
{
	struct event *keeper, *ev = NULL;
	struct evconnlistener *lev = NULL;
	struct bufferevent *bev = NULL;
	int pfd[2] = { -1, -1 }, sv[2] = { -1, -1 }, client = -1;
	struct timeval ten_s = { 10, 0 };
	int woke = 0, ended = 0;

	base = event_base_new();
	if (!base)
		die("event_base_new");
	looper_init(&lp, base);
	flag_set(&effect, 0);
	keeper = event_new(base, -1, EV_PERSIST, keeper_cb, NULL);
	event_add(keeper, &ten_s);
	*detail = 1;

	/* Set-up in this thread before the loop starts. */
	switch (k) {
	case K_FINALIZE:
	case K_FREE_FINALIZE:
	case K_ADD_READ:
		if (pipe(pfd) != 0)
			die("pipe");
		if (k == K_FINALIZE) {
			ev = malloc(event_get_struct_event_size());
			event_assign(ev, base, pfd[0], EV_READ | EV_PERSIST, effect_cb, NULL);
		} else {
			/* Not persistent for K_ADD_READ: the pipe stays readable. */
			ev = event_new(base, pfd[0], EV_READ | (k == K_ADD_READ ? 0 : EV_PERSIST), effect_cb, NULL);
		}
		if (k == K_ADD_READ) {
			if (write(pfd[1], "x", 1) != 1)
				die("write");
		} else {
			event_add(ev, NULL);	/* never readable */
		}
		break;
	case K_ADD_TIMER:
		ev = evtimer_new(base, effect_cb, NULL);
		break;
	case K_LISTENER_ENABLE: {
		struct sockaddr_in sin;
		socklen_t len = sizeof(sin);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(0x7f000001);
		lev = evconnlistener_new_bind(base, accept_cb, NULL,
		    LEV_OPT_THREADSAFE | LEV_OPT_DISABLED | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
		    16, (struct sockaddr *)&sin, sizeof(sin));
		if (!lev)
			die("evconnlistener_new_bind");
		getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin, &len);
		client = socket(AF_INET, SOCK_STREAM, 0);
		/* Completes in the kernel's backlog, not accepted yet. */
		if (client < 0 || connect(client, (struct sockaddr *)&sin, sizeof(sin)) != 0)
			die("connect");
		break;
	}
	case K_BEV_ENABLE:
		if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
			die("socketpair");
		evutil_make_socket_nonblocking(sv[0]);
		bev = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE | BEV_OPT_CLOSE_ON_FREE);
		bufferevent_setcb(bev, read_cb, NULL, NULL, NULL);
		bufferevent_disable(bev, EV_READ);
		if (write(sv[1], "hello", 5) != 5)
			die("write");
		break;
	default:
		break;
	}

	looper_start(&lp, 0);
	if (!looper_sync(&lp))
		*detail = 0;
	ms_sleep(20);	/* asleep in the backend by now */

	switch (k) {
	case K_LOOPEXIT_NULL:
	case K_LOOPEXIT_10MS:
	case K_LOOPBREAK: {
		struct timeval ms10 = { 0, 10000 };
		int r = k == K_LOOPBREAK ? event_base_loopbreak(base)
		    : event_base_loopexit(base, k == K_LOOPEXIT_NULL ? NULL : &ms10);
		woke = looper_join(&lp, PROMPT_MS);
		ended = 1;
		if (r != 0 || lp.result != 0)
			*detail = 0;
		if (k == K_LOOPBREAK ? !event_base_got_break(base) || event_base_got_exit(base)
		    : event_base_got_break(base) || !event_base_got_exit(base))
			*detail = 0;
		break;
	}
	case K_LOOPCONTINUE:
		if (event_base_loopcontinue(base) != 0)
			*detail = 0;
		/* Still running: the probe runs and the loop has not returned. */
		woke = looper_sync(&lp) && flag_get(&lp.done) == 0;
		break;
	case K_FINALIZE:
		event_finalize(0, ev, fin_cb);
		woke = flag_wait(&effect, 1, PROMPT_MS);
		break;
	case K_FREE_FINALIZE:
		event_free_finalize(0, ev, fin_cb);
		ev = NULL;	/* libevent frees it */
		woke = flag_wait(&effect, 1, PROMPT_MS);
		break;
	case K_LISTENER_ENABLE:
		evconnlistener_enable(lev);
		woke = flag_wait(&effect, 1, PROMPT_MS);
		break;
	case K_BEV_ENABLE:
		bufferevent_enable(bev, EV_READ);
		woke = flag_wait(&effect, 1, PROMPT_MS);
		break;
	case K_ADD_TIMER: {
		struct timeval ms10 = { 0, 10000 };
		event_add(ev, &ms10);
		woke = flag_wait(&effect, 1, PROMPT_MS);
		break;
	}
	case K_ADD_READ:
		event_add(ev, NULL);
		woke = flag_wait(&effect, 1, PROMPT_MS);
		break;
	default:
		break;
	}

	if (!ended) {
		event_base_loopbreak(base);
		if (!looper_join(&lp, PROMPT_MS))
			*detail = 0;
	}
	/* Exactly one effect, even after the loop went round again. */
	if (k != K_LOOPEXIT_NULL && k != K_LOOPEXIT_10MS && k != K_LOOPBREAK &&
	    k != K_LOOPCONTINUE && flag_get(&effect) != 1)
		*detail = 0;

	if (k == K_FINALIZE)
		free(ev);	/* finalized: ours to free */
	else if (ev)
		event_free(ev);
	if (lev)
		evconnlistener_free(lev);
	if (bev)
		bufferevent_free(bev);
	if (client >= 0)
		close(client);
	if (pfd[0] >= 0) {
		close(pfd[0]);
		close(pfd[1]);
	}
	if (sv[1] >= 0)
		close(sv[1]);
	event_free(keeper);
	looper_free(&lp);
	event_base_free(base);
	return woke;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 10);
	struct result res[K_COUNT];
	int k, i;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(55);
	signal(SIGPIPE, SIG_IGN);	/* a write to a closed peer shows as a count */
	flag_init(&effect);
	memset(res, 0, sizeof(res));
	for (i = 0; i < iters; i++)
		for (k = 0; k < K_COUNT; k++) {
			int detail;
			/* After a miss, stop trying that kind: each miss costs 2 s. */
			if (res[k].attempted != res[k].woke)
				continue;
			res[k].attempted++;
			phase(names[k]);
			res[k].woke += attempt((enum kind)k, &detail);
			res[k].detail_ok += detail;
		}
	for (k = 0; k < K_COUNT; k++)
		printf("%s from another thread: took effect promptly %d of %d, checks ok %d\n",
		    names[k], res[k].woke, res[k].attempted, res[k].detail_ok);
	flag_destroy(&effect);
	libevent_global_shutdown();
	return 0;
}
