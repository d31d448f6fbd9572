/* Covers: a LEV_OPT_THREADSAFE evconnlistener disabled and enabled from
 * another thread while its loop runs: after evconnlistener_disable returns
 * a new connection is not accepted (it waits in the backlog: the count
 * stays over 20 ms), after evconnlistener_enable it is accepted promptly,
 * exactly once.
 * Each disable happens while the loop is idle (after a probe round trip):
 * libevent 2.1 deadlocks when evconnlistener_disable runs in another thread
 * during the accept callback (it holds the listener's lock while event_del
 * waits for the callback, which waits for that lock), so toggling while
 * clients are being accepted has no reference behaviour to compare with.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 40
 */
#include "thread_common.h"
#include <event2/listener.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define ROUNDS 5	/* disable/connect/enable rounds per iteration */

static struct evconnlistener *lev;
static struct sockaddr_in sin_;
static struct flag accepted;

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	(void)l; (void)sa; (void)len; (void)arg;
	evutil_closesocket(fd);
	flag_add(&accepted, 1);
}

static int connect_one(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sin_, sizeof(sin_)) != 0)
		die("connect");
	return fd;
}

int main(int argc, char **argv)
{
	int iters = iterations(argc, argv, 10);
	struct event_base *base;
	struct looper lp;
	int it, r;
	int plain = 0, stayed = 0, after_enable = 0, exact = 0, rc_bad = 0, attempts = 0, missed = 0;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(35);
	signal(SIGPIPE, SIG_IGN);	/* a write to a closed peer shows as a count */
	flag_init(&accepted);
	for (it = 0; it < iters && !missed; it++) {
		socklen_t len = sizeof(sin_);
		base = event_base_new();
		if (!base)
			die("event_base_new");
		memset(&sin_, 0, sizeof(sin_));
		sin_.sin_family = AF_INET;
		sin_.sin_addr.s_addr = htonl(0x7f000001);
		lev = evconnlistener_new_bind(base, accept_cb, NULL,
		    LEV_OPT_THREADSAFE | LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 128,
		    (struct sockaddr *)&sin_, sizeof(sin_));
		if (!lev)
			die("evconnlistener_new_bind");
		getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin_, &len);
		flag_set(&accepted, 0);
		looper_init(&lp, base);
		looper_start(&lp, EVLOOP_NO_EXIT_ON_EMPTY);
		looper_sync(&lp);

		phase("disable/connect/enable rounds");
		for (r = 0; r < ROUNDS; r++) {
			int fd, n;
			/* Enabled: accepted promptly. */
			n = flag_get(&accepted);
			fd = connect_one();
			attempts++;
			if (!flag_wait(&accepted, n + 1, PROMPT_MS)) {
				close(fd);
				missed = 1;	/* each miss costs 2 s: stop */
				break;
			}
			plain++;
			close(fd);
			looper_sync(&lp);	/* out of the accept callback */
			/* Disabled from here: stays in the backlog. */
			n = flag_get(&accepted);
			rc_bad += evconnlistener_disable(lev) != 0;
			fd = connect_one();
			ms_sleep(20);
			stayed += flag_get(&accepted) == n;
			rc_bad += evconnlistener_enable(lev) != 0;
			if (!flag_wait(&accepted, n + 1, PROMPT_MS)) {
				close(fd);
				missed = 1;
				break;
			}
			after_enable++;
			looper_sync(&lp);
			exact += flag_get(&accepted) == n + 1;
			close(fd);
		}

		phase("loopbreak and join");
		event_base_loopbreak(base);
		looper_join(&lp, PROMPT_MS);
		phase("freeing");
		evconnlistener_free(lev);
		looper_free(&lp);
		event_base_free(base);
	}
	printf("iterations=%d rounds=%d\n", iters, ROUNDS);
	printf("accepted while enabled=%d not accepted while disabled=%d accepted after enable=%d exactly once=%d (of %d tried)\n",
	    plain, stayed, after_enable, exact, attempts);
	printf("bad return codes=%d\n", rc_bad);
	flag_destroy(&accepted);
	libevent_global_shutdown();
	return 0;
}
