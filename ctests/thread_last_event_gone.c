/* Covers: event_base_dispatch running in its own thread returns (1: no
 * events) promptly when another thread takes away the last event that kept
 * it waiting, for each way a program does that:
 *   - evconnlistener_free of a listener (plain and LEV_OPT_THREADSAFE),
 *   - evhttp_del_accept_socket of the only bound socket (how Bitcoin Core's
 *     and Litecoin's RPC server ends its HTTP thread),
 *   - bufferevent_free of a socket bufferevent reading,
 *   - event_del of a plain EV_READ event (the reference case).
 * Each case: the loop is proved to run (a probe round trip) and left to
 * block, then the event goes from the main thread; the loop must return within PROMPT_MS.
 * ctest-libs: -levent_pthreads
 * ctest-backends: epoll poll select
 * ctest-timeout: 30
 */
#include "thread_common.h"
#include <event2/listener.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	(void)l; (void)sa; (void)len; (void)arg;
	evutil_closesocket(fd);
}

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
}

enum { PLAIN_EVENT, LISTENER, LISTENER_THREADSAFE, HTTP_SOCKET, BUFFEREVENT, NCASES };
static const char *names[NCASES] = {
	"event_del", "evconnlistener_free", "evconnlistener_free(THREADSAFE)",
	"evhttp_del_accept_socket", "bufferevent_free",
};

static void run_case(int which)
{
	struct event_base *base = event_base_new();
	struct looper lp;
	struct sockaddr_in sin;
	struct evconnlistener *lev = NULL;
	struct evhttp *http = NULL;
	struct evhttp_bound_socket *bound = NULL;
	struct bufferevent *bev = NULL;
	struct event *ev = NULL;
	evutil_socket_t pair[2] = { -1, -1 };
	int returned;

	if (!base)
		die("event_base_new");
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	switch (which) {
	case LISTENER:
	case LISTENER_THREADSAFE:
		lev = evconnlistener_new_bind(base, accept_cb, NULL,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | (which == LISTENER_THREADSAFE ? LEV_OPT_THREADSAFE : 0),
		    -1, (struct sockaddr *)&sin, sizeof(sin));
		if (!lev)
			die("evconnlistener_new_bind");
		break;
	case HTTP_SOCKET:
		http = evhttp_new(base);
		if (!http || !(bound = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0)))
			die("evhttp_bind_socket_with_handle");
		break;
	case BUFFEREVENT:
	case PLAIN_EVENT:
		if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) != 0)
			die("socketpair");
		if (which == BUFFEREVENT) {
			bev = bufferevent_socket_new(base, pair[0], BEV_OPT_CLOSE_ON_FREE | BEV_OPT_THREADSAFE);
			if (!bev || bufferevent_enable(bev, EV_READ) != 0)
				die("bufferevent_socket_new");
			pair[0] = -1;
		} else {
			ev = event_new(base, pair[0], EV_READ | EV_PERSIST, read_cb, NULL);
			if (!ev || event_add(ev, NULL) != 0)
				die("event_add");
		}
		break;
	}
	looper_init(&lp, base);
	looper_start(&lp, 0);
	phase(names[which]);
	if (!looper_sync(&lp))
		die("probe");
	/* The probe's callback has run; let the loop finish that pass and block
	 * in the backend, so only a wake-up can make it see the change. */
	ms_sleep(50);
	switch (which) {
	case LISTENER:
	case LISTENER_THREADSAFE: evconnlistener_free(lev); break;
	case HTTP_SOCKET: evhttp_del_accept_socket(http, bound); break;
	case BUFFEREVENT: bufferevent_free(bev); break;
	case PLAIN_EVENT: event_del(ev); break;
	}
	returned = looper_join(&lp, PROMPT_MS);
	printf("%-32s loop returned promptly=%d result=%d\n", names[which], returned, lp.result);
	if (http)
		evhttp_free(http);
	if (ev)
		event_free(ev);
	if (pair[0] >= 0)
		evutil_closesocket(pair[0]);
	if (pair[1] >= 0)
		evutil_closesocket(pair[1]);
	looper_free(&lp);
	event_base_free(base);
}

int main(void)
{
	int i;
	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	watchdog(25);
	for (i = 0; i < NCASES; i++)
		run_case(i);
	libevent_global_shutdown();
	return 0;
}
