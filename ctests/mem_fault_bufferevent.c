/* Covers: bufferevents and timers running out of memory (driver and
 * checks: mem_fault.h): event_base_init_common_timeout and a timer on it,
 * event_base_loopexit, ev_token_bucket_cfg_new, bufferevent_set_rate_limit,
 * bufferevent_rate_limit_group_new / add_to / remove_from, a socket
 * bufferevent with deferred callbacks connecting (bufferevent_socket_connect)
 * to an evconnlistener whose callback wraps the accepted socket in another
 * bufferevent, read watermarks, timeouts, a filter bufferevent over the
 * connecting one, data both ways through the loop, teardown. Each
 * allocation is refused alone, then every allocation from some point on:
 * every run must survive and give back every block and descriptor, each
 * call succeed or return libevent's NULL/-1, and each object handed out be
 * a live block of the program's allocator.
 * Not under select, for the reason given in mem_fault_inject.c.
 * ctest-backends: epoll poll
 * ctest-timeout: 60
 */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "mem_fault.h"

enum {
	S_BASE_NEW, S_COMMON_TIMEOUT, S_TIMER_NEW, S_ADD_TIMER, S_LOOPEXIT, S_BUCKET_CFG, S_GROUP_NEW,
	S_LISTENER, S_BEV_SOCKET, S_CONNECT, S_SET_RATE, S_JOIN_GROUP, S_TIMEOUTS, S_FILTER, S_BEV_WRITE,
	S_BEV_ENABLE, S_ACCEPTED_BEV, S_LOOP, NSITES
};

/* Printed: the sites that cannot succeed without allocating; the others
 * are checked all the same. */
static const struct mf_site sites[NSITES] = {
	[S_BASE_NEW] = {"event_base_new", 1},
	[S_COMMON_TIMEOUT] = {"event_base_init_common_timeout", 1},
	[S_TIMER_NEW] = {"evtimer_new", 1},
	[S_ADD_TIMER] = {"event_add(common timeout)", 0},
	[S_LOOPEXIT] = {"event_base_loopexit", 1},
	[S_BUCKET_CFG] = {"ev_token_bucket_cfg_new", 1},
	[S_GROUP_NEW] = {"bufferevent_rate_limit_group_new", 1},
	[S_LISTENER] = {"evconnlistener_new_bind", 1},
	[S_BEV_SOCKET] = {"bufferevent_socket_new", 1},
	[S_CONNECT] = {"bufferevent_socket_connect", 0},
	[S_SET_RATE] = {"bufferevent_set_rate_limit", 1},
	[S_JOIN_GROUP] = {"bufferevent_add_to_rate_limit_group", 0},
	[S_TIMEOUTS] = {"bufferevent_set_timeouts", 0},
	[S_FILTER] = {"bufferevent_filter_new", 0},
	[S_BEV_WRITE] = {"bufferevent_write", 0},
	[S_BEV_ENABLE] = {"bufferevent_enable", 0},
	[S_ACCEPTED_BEV] = {"bufferevent_socket_new(accepted)", 1},
	[S_LOOP] = {"event_base_loop", 0},
};

struct mf_run {
	struct event_base *base;
	struct bufferevent *server;
	int timer_calls, connected, server_got, client_got;
	char server_data[16], client_data[16];
};

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what;
	((struct mf_run *)arg)->timer_calls++;
}

static void server_read(struct bufferevent *bev, void *arg)
{
	struct mf_run *r = arg;
	size_t n = bufferevent_read(bev, r->server_data + r->server_got, sizeof r->server_data - 1 - r->server_got);
	r->server_got += (int)n;
	if (r->server_got == 4)
		mf_int(S_BEV_WRITE, bufferevent_write(bev, "pong", 4), 0);
}

static void client_read(struct bufferevent *bev, void *arg)
{
	struct mf_run *r = arg;
	size_t n = bufferevent_read(bev, r->client_data + r->client_got, sizeof r->client_data - 1 - r->client_got);
	r->client_got += (int)n;
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	(void)bev;
	if (what & BEV_EVENT_CONNECTED)
		((struct mf_run *)arg)->connected++;
}

static void quiet_event(struct bufferevent *bev, short what, void *arg) { (void)bev; (void)what; (void)arg; }

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct mf_run *r = arg;
	(void)l; (void)sa; (void)len;
	if (r->server) {
		evutil_closesocket(fd);
		return;
	}
	r->server = mf_ptr(S_ACCEPTED_BEV, bufferevent_socket_new(r->base, fd, BEV_OPT_CLOSE_ON_FREE), 1);
	if (!r->server) {
		evutil_closesocket(fd);
		return;
	}
	bufferevent_setcb(r->server, server_read, NULL, quiet_event, r);
	mf_int(S_BEV_ENABLE, bufferevent_enable(r->server, EV_READ), 0);
}

static void scenario(struct mf_run *r)
{
	struct event_base *base;
	const struct timeval *common = NULL;
	struct event *timer = NULL;
	struct ev_token_bucket_cfg *cfg = NULL;
	struct bufferevent_rate_limit_group *grp = NULL;
	struct evconnlistener *lev = NULL;
	struct bufferevent *client = NULL, *filter = NULL, *top;
	struct sockaddr_in sin;
	socklen_t len = sizeof sin;
	struct timeval five = {5, 0}, ten = {10, 0}, soon = {0, 1};

	base = mf_ptr(S_BASE_NEW, event_base_new(), 1);
	if (!base)
		return;
	r->base = base;

	common = mf_ptr(S_COMMON_TIMEOUT, (void *)event_base_init_common_timeout(base, &five), 0);
	timer = mf_ptr(S_TIMER_NEW, evtimer_new(base, timer_cb, r), 1);
	if (timer)
		mf_int(S_ADD_TIMER, event_add(timer, common ? common : &five), 0);

	cfg = mf_ptr(S_BUCKET_CFG, ev_token_bucket_cfg_new(100000, 200000, 100000, 200000, NULL), 1);
	if (cfg)
		grp = mf_ptr(S_GROUP_NEW, bufferevent_rate_limit_group_new(base, cfg), 1);

	memset(&sin, 0, sizeof sin);
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	lev = mf_ptr(S_LISTENER, evconnlistener_new_bind(base, accept_cb, r, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, 16,
	                                                 (struct sockaddr *)&sin, sizeof sin), 1);
	if (!lev || getsockname(evconnlistener_get_fd(lev), (struct sockaddr *)&sin, &len) != 0)
		goto out;

	client = mf_ptr(S_BEV_SOCKET, bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS), 1);
	if (!client)
		goto out;
	if (!mf_int(S_CONNECT, bufferevent_socket_connect(client, (struct sockaddr *)&sin, sizeof sin), 0))
		goto out;
	if (cfg) {
		mf_int(S_SET_RATE, bufferevent_set_rate_limit(client, cfg), 0);
		if (grp)
			mf_int(S_JOIN_GROUP, bufferevent_add_to_rate_limit_group(client, grp), 0);
	}
	mf_int(S_TIMEOUTS, bufferevent_set_timeouts(client, &ten, &ten), 0);

	/* libevent 2.1.12 ignores failing to add its filter's buffer callbacks
	 * (and then dereferences the missing entry), and failing to add a read
	 * watermark's: never refused here. */
	mf_shielded++;
	filter = bufferevent_filter_new(client, NULL, NULL, BEV_OPT_CLOSE_ON_FREE, NULL, NULL);
	mf_shielded--;
	mf_ptr(S_FILTER, filter, 1);
	top = filter ? filter : client;
	mf_shielded++;
	bufferevent_setwatermark(top, EV_READ, 0, 1000);
	mf_shielded--;
	bufferevent_setcb(top, client_read, NULL, client_event, r);
	mf_int(S_BEV_ENABLE, bufferevent_enable(top, EV_READ), 0);
	mf_int(S_BEV_WRITE, bufferevent_write(top, "ping", 4), 0);

	/* Until the answer arrived (a few rounds), or long after it could have. */
	for (int i = 0; i < 50 && r->client_got < 4; i++) {
		int lr = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		mf_note(S_LOOP, lr == 0 || lr == 1 ? MF_OK : lr == -1 ? MF_FAILED : MF_ODD);
	}
	mf_int(S_LOOPEXIT, event_base_loopexit(base, &soon), 0);

	if (grp)
		bufferevent_remove_from_rate_limit_group(client);
out:
	if (filter)
		bufferevent_free(filter);     /* and the client under it */
	else if (client)
		bufferevent_free(client);
	if (r->server)
		bufferevent_free(r->server);
	if (lev)
		evconnlistener_free(lev);
	if (grp)
		bufferevent_rate_limit_group_free(grp);
	if (cfg)
		ev_token_bucket_cfg_free(cfg);
	if (timer)
		event_free(timer);
	event_base_free(base);
}

static void baseline(const struct mf_run *r)
{
	printf("baseline: connected %d, server got \"%s\", client got \"%s\", timer fired %d\n", r->connected,
	       r->server_data, r->client_data, r->timer_calls);
}

int main(void)
{
	struct mf_run r;
	return mf_main(&r, sizeof r, sites, NSITES);
}
