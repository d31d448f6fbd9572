/* Covers: running out of memory under event_set_mem_functions (driver and
 * checks: mem_fault.h). The scenario: event_config_new + avoid_method,
 * event_base_new_with_config, priorities, io / timer / signal events added,
 * event_base_once, evbuffers holding data with evbuffer_add_cb and
 * evbuffer_setcb callbacks, add_printf, prepend, add_buffer, expand,
 * pullup, readln, socket bufferevents over a socketpair and a bufferevent
 * pair passing data through the loop, an evconnlistener accepting a
 * connection, then teardown. It runs with every allocation granted, then
 * with each one refused alone, then with every one refused from some point
 * on: each run must survive and give back every block and descriptor, each
 * call succeed or return libevent's NULL/-1, and each object handed out
 * (config, base, event, evbuffer, callback entry, readln line,
 * bufferevent, listener) be a live block of the program's allocator.
 * Not under select: libevent 2.1.12's select loop fails (-1) while it
 * cannot allocate the sets it hands to select(), and a socket bufferevent
 * freed meanwhile is then never released (leaked).
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
#include "mem_fault.h"

enum {
	S_CONFIG_NEW, S_AVOID, S_BASE_NEW, S_PRIORITY, S_EVENT_NEW, S_ADD_IO, S_TIMER_NEW, S_ADD_TIMER,
	S_SIGNAL_NEW, S_ADD_SIGNAL, S_ONCE, S_BUFFER_NEW, S_ADD_CB, S_SETCB, S_ADD, S_PRINTF, S_PREPEND,
	S_ADD_BUFFER, S_EXPAND, S_PULLUP, S_READLN, S_BEV_SOCKET, S_BEV_WRITE, S_BEV_ENABLE, S_BEV_PAIR,
	S_LISTENER, S_LOOP, NSITES
};

/* Printed: the sites that cannot succeed without allocating (a new
 * object, a copy, a callback entry); the others are checked all the same. */
static const struct mf_site sites[NSITES] = {
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

/* ------------------------------------------------------------ scenario */

struct mf_run {
	struct event_base *base;
	int buffer_cb_calls, old_cb_calls, once_calls, timer_calls, accepted;
	int socket_got, pair_got;
	char socket_data[16], pair_data[16];
};

static void noop_cb(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; }

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	((struct mf_run *)arg)->timer_calls++;
}

static void once_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	((struct mf_run *)arg)->once_calls++;
}

static void buffer_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	(void)b; (void)info;
	((struct mf_run *)arg)->buffer_cb_calls++;
}

static void old_buffer_cb(struct evbuffer *b, size_t was, size_t now, void *arg)
{
	(void)b; (void)was; (void)now;
	((struct mf_run *)arg)->old_cb_calls++;
}

static void socket_read(struct bufferevent *bev, void *arg)
{
	struct mf_run *r = arg;
	size_t n = bufferevent_read(bev, r->socket_data + r->socket_got, sizeof r->socket_data - 1 - r->socket_got);
	r->socket_got += (int)n;
}

static void pair_read(struct bufferevent *bev, void *arg)
{
	struct mf_run *r = arg;
	size_t n = bufferevent_read(bev, r->pair_data + r->pair_got, sizeof r->pair_data - 1 - r->pair_got);
	r->pair_got += (int)n;
}

static void bev_event(struct bufferevent *bev, short what, void *arg) { (void)bev; (void)what; (void)arg; }

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	(void)l; (void)sa; (void)len;
	((struct mf_run *)arg)->accepted++;
	evutil_closesocket(fd);
}

static void scenario(struct mf_run *r)
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

	cfg = mf_ptr(S_CONFIG_NEW, event_config_new(), 1);
	if (!cfg)
		return;
	mf_int(S_AVOID, event_config_avoid_method(cfg, "no-such-method"), 0);
	base = mf_ptr(S_BASE_NEW, event_base_new_with_config(cfg), 1);
	event_config_free(cfg);
	if (!base)
		return;
	r->base = base;
	if (!mf_int(S_PRIORITY, event_base_priority_init(base, 3), 0)) {
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
	io = mf_ptr(S_EVENT_NEW, event_new(base, iosv[0], EV_READ | EV_PERSIST, noop_cb, NULL), 1);
	if (io)
		mf_int(S_ADD_IO, event_add(io, NULL), 0);
	for (int i = 0; i < 3; i++) {
		timers[i] = mf_ptr(S_TIMER_NEW, evtimer_new(base, timer_cb, r), 1);
		if (timers[i])
			mf_int(S_ADD_TIMER, event_add(timers[i], i == 2 ? &later : &zero), 0);
	}
	sig = mf_ptr(S_SIGNAL_NEW, evsignal_new(base, SIGUSR2, noop_cb, NULL), 1);
	if (sig)
		mf_int(S_ADD_SIGNAL, event_add(sig, NULL), 0);
	mf_int(S_ONCE, event_base_once(base, -1, EV_TIMEOUT, once_cb, r, NULL), 0);

	/* Buffers with data and callbacks. */
	a = mf_ptr(S_BUFFER_NEW, evbuffer_new(), 1);
	b = mf_ptr(S_BUFFER_NEW, evbuffer_new(), 1);
	if (a) {
		ent = mf_ptr(S_ADD_CB, evbuffer_add_cb(a, buffer_cb, r), 1);
		mf_int(S_ADD, evbuffer_add(a, "first line\nsecond", 17), 0);
		mf_int(S_PRINTF, evbuffer_add_printf(a, " part %d\n", 2), 8);
		mf_int(S_PREPEND, evbuffer_prepend(a, "> ", 2), 0);
		mf_int(S_EXPAND, evbuffer_expand(a, 5000), 0);
		if (evbuffer_get_length(a) >= 8)
			mf_ptr(S_PULLUP, evbuffer_pullup(a, 8), 0);
		if (evbuffer_search(a, "\n", 1, NULL).pos >= 0) {
			size_t n;
			char *line = mf_ptr(S_READLN, evbuffer_readln(a, &n, EVBUFFER_EOL_LF), 1);
			if (line && mf_is_live(line))
				mf_free(line);
		}
	}
	if (b) {
		mf_int(S_SETCB, evbuffer_setcb(b, old_buffer_cb, r), 0);
		mf_int(S_ADD, evbuffer_add(b, "0123456789", 10), 0);
		if (a)
			mf_int(S_ADD_BUFFER, evbuffer_add_buffer(a, b), 0);
	}

	/* Socket bufferevents over a socketpair, and a pair. */
	if (evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		exit(1);
	}
	evutil_make_socket_nonblocking(sv[0]);
	evutil_make_socket_nonblocking(sv[1]);
	s1 = mf_ptr(S_BEV_SOCKET, bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE), 1);
	if (!s1)
		evutil_closesocket(sv[0]);
	s2 = mf_ptr(S_BEV_SOCKET, bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE), 1);
	if (!s2)
		evutil_closesocket(sv[1]);
	if (s1 && s2) {
		bufferevent_setcb(s2, socket_read, NULL, bev_event, r);
		mf_int(S_BEV_ENABLE, bufferevent_enable(s2, EV_READ), 0);
		mf_int(S_BEV_WRITE, bufferevent_write(s1, "socket!", 7), 0);
	}
	/* libevent 2.1.12 ignores a failure to add the pair's output callback
	 * and crashes later in the loop. */
	mf_shielded++;
	int pr = bufferevent_pair_new(base, 0, pair);
	mf_shielded--;
	if (mf_int(S_BEV_PAIR, pr, 0)) {
		mf_object(pair[0]);
		mf_object(pair[1]);
		bufferevent_setcb(pair[1], pair_read, NULL, bev_event, r);
		mf_int(S_BEV_ENABLE, bufferevent_enable(pair[1], EV_READ), 0);
		mf_int(S_BEV_WRITE, bufferevent_write(pair[0], "pair!", 5), 0);
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
		lev = mf_ptr(S_LISTENER, evconnlistener_new_bind(base, accept_cb, r, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
		                                                     16, (struct sockaddr *)&sin, sizeof sin), 1);
		if (lev && getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin, &len) == 0) {
			client = socket(AF_INET, SOCK_STREAM, 0);
			if (client < 0 || connect(client, (struct sockaddr *)&sin, sizeof sin) < 0) {
				perror("connect");
				exit(1);
			}
		}
	}

	/* Until everything arrived (a few rounds), or long after it could have. */
	for (int i = 0; i < 50 && !(r->timer_calls == 2 && r->once_calls == 1 && r->socket_got == 7 && r->pair_got == 5 &&
	                             r->accepted == 1); i++) {
		int lr = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		mf_note(S_LOOP, lr == 0 || lr == 1 ? MF_OK : lr == -1 ? MF_FAILED : MF_ODD);
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

static void baseline(const struct mf_run *r)
{
	printf("baseline: timers fired %d, once fired %d, buffer callbacks ran: %s, 1.x callback ran: %s\n",
	       r->timer_calls, r->once_calls, r->buffer_cb_calls > 0 ? "yes" : "no", r->old_cb_calls > 0 ? "yes" : "no");
	printf("baseline: socket bufferevent got \"%s\", pair got \"%s\", listener accepted %d\n",
	       r->socket_data, r->pair_data, r->accepted);
}

int main(void)
{
	struct mf_run r;
	return mf_main(&r, sizeof r, sites, NSITES);
}
