/* Covers: evrpc_pool with several connections: requests queued while every
 * connection is busy, evrpc_pool_add_connection handing a queued request to
 * the new connection, evrpc_pool_remove_connection; evrpc_make_request_ctx
 * (EVRPC_MAKE_CTX) with evrpc_request_get_pool, evrpc_request_set_pool,
 * evrpc_request_set_cb and evrpc_make_request; evrpc_pool_set_timeout
 * (before and after connections are added) with a peer that accepts but
 * never answers: EVRPC_STATUS_ERR_TIMEOUT after the pool's timeout; a
 * refused connection; evrpc_pool_new with a base and connections made with
 * evhttp_connection_new (the pool sets their base).
 * ctest-backends: epoll poll
 * ctest-timeout: 20
 */
#include "rpc_common.h"
#include <event2/listener.h>
#include <sys/time.h>
#include <unistd.h>

#define NREQ 6

static struct event_base *base;
static struct evrpc_pool *pool;
static int in_server, max_in_server, done_count;
static char results[NREQ + 4][160];
static struct timeval started;

struct pending { EVRPC_STRUCT(Message) *rpc; };

static void reply_later(evutil_socket_t fd, short what, void *arg)
{
	EVRPC_STRUCT(Message) *rpc = arg;
	(void)fd; (void)what;
	in_server--;
	EVRPC_REQUEST_DONE(rpc);
}

static void message_cb(EVRPC_STRUCT(Message) *rpc, void *arg)
{
	struct rpc_msg *req = rpc->request;
	struct timeval tv = { 0, 60000 };
	char text[64];
	(void)arg;
	snprintf(text, sizeof text, "done %s", req->from_name_data);
	EVTAG_ASSIGN(rpc->reply, text, text);
	EVTAG_ASSIGN(rpc->reply, total, msg_sum(req));
	if (++in_server > max_in_server)
		max_in_server = in_server;
	event_base_once(base, -1, EV_TIMEOUT, reply_later, rpc, &tv);
}

static void reply_cb(struct evrpc_status *status, struct rpc_msg *msg, struct rpc_reply *reply, void *arg)
{
	int id = (int)(long)arg;
	snprintf(results[id], sizeof results[id], "request %d: status %s, http %d, text %s, total %u", id,
	    status_name(status->error), status->http_req ? evhttp_request_get_response_code(status->http_req) : -1,
	    reply->text_data ? reply->text_data : "-", reply->total_set ? reply->total_data : 0);
	rpc_msg_free(msg);
	rpc_reply_free(reply);
	if (++done_count == NREQ + 1)
		event_base_loopexit(base, NULL);
}

static void never_cb(struct evrpc_status *status, void *msg, void *reply, void *arg)
{
	(void)status; (void)msg; (void)reply; (void)arg;
	printf("the callback replaced by evrpc_request_set_cb ran\n");
}

static void timed_cb(struct evrpc_status *status, struct rpc_msg *msg, struct rpc_reply *reply, void *arg)
{
	struct timeval now, d;
	gettimeofday(&now, NULL);
	evutil_timersub(&now, &started, &d);
	printf("%s: status %s, http_req %s (code %d), reply cleared %d, after about %ld s\n", (char *)arg,
	    status_name(status->error), status->http_req ? "set" : "NULL",
	    status->http_req ? evhttp_request_get_response_code(status->http_req) : -1, !EVTAG_HAS(reply, text),
	    (long)(d.tv_sec + (d.tv_usec >= 500000)));
	rpc_msg_free(msg);
	rpc_reply_free(reply);
	event_base_loopexit(base, NULL);
}

/* Accepts connections and never answers (the socket stays open). */
static void silent_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	(void)l; (void)sa; (void)len;
	*(evutil_socket_t *)arg = fd;
}

int main(void)
{
	struct evhttp *http;
	struct evrpc_base *rpcb;
	struct evhttp_connection *c1, *c2, *c3;
	struct evrpc_request_wrapper *ctx;
	struct evrpc_pool *other;
	ev_uint16_t port;
	int i;

	base = event_init();
	http = http_server(base, &port);
	rpcb = evrpc_init(http);
	EVRPC_REGISTER(rpcb, Message, rpc_msg, rpc_reply, message_cb, NULL);

	/* Queueing over two, then three connections. */
	pool = evrpc_pool_new(base);
	c1 = evhttp_connection_new("127.0.0.1", port);
	evrpc_pool_add_connection(pool, c1);
	c2 = evhttp_connection_new("127.0.0.1", port);
	evrpc_pool_add_connection(pool, c2);
	for (i = 0; i < NREQ; i++) {
		char from[16];
		snprintf(from, sizeof from, "r%d", i);
		EVRPC_MAKE_REQUEST(Message, pool, make_msg(from, "server", i), rpc_reply_new(), reply_cb, (void *)(long)i);
	}
	c3 = evhttp_connection_new("127.0.0.1", port);
	evrpc_pool_add_connection(pool, c3);

	ctx = EVRPC_MAKE_CTX(Message, rpc_msg, rpc_reply, NULL, make_msg("ctx", "server", 4), rpc_reply_new(),
	    never_cb, NULL);
	printf("ctx pool before set_pool: %s\n", evrpc_request_get_pool(ctx) == NULL ? "NULL" : "set");
	evrpc_request_set_pool(ctx, pool);
	printf("ctx pool: %s\n", evrpc_request_get_pool(ctx) == pool ? "ours" : "other");
	evrpc_request_set_cb(ctx, (void (*)(struct evrpc_status *, void *, void *, void *))reply_cb, (void *)(long)NREQ);
	printf("make_request -> %d\n", evrpc_make_request(ctx));

	event_base_dispatch(base);
	for (i = 0; i <= NREQ; i++)
		printf("%s\n", results[i]);
	printf("at most %d requests in the server at once\n", max_in_server);
	evrpc_pool_remove_connection(pool, c2);
	evhttp_connection_free(c2);
	evrpc_pool_free(pool);

	/* A peer that never answers: the pool's timeout. */
	{
		struct sockaddr_in sin;
		socklen_t len = sizeof sin;
		evutil_socket_t accepted = -1;
		struct evconnlistener *l;
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(0x7f000001);
		l = evconnlistener_new_bind(base, silent_accept, &accepted, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
		    (struct sockaddr *)&sin, sizeof sin);
		getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&sin, &len);

		other = evrpc_pool_new(base);
		evrpc_pool_set_timeout(other, 1);
		evrpc_pool_add_connection(other, evhttp_connection_new("127.0.0.1", ntohs(sin.sin_port)));
		gettimeofday(&started, NULL);
		EVRPC_MAKE_REQUEST(Message, other, make_msg("t", "silent", 1), rpc_reply_new(), timed_cb, "timeout set before");
		event_base_dispatch(base);
		evrpc_pool_free(other);

		other = evrpc_pool_new(base);
		evrpc_pool_add_connection(other, evhttp_connection_new("127.0.0.1", ntohs(sin.sin_port)));
		evrpc_pool_set_timeout(other, 1);
		gettimeofday(&started, NULL);
		EVRPC_MAKE_REQUEST(Message, other, make_msg("t", "silent", 1), rpc_reply_new(), timed_cb, "timeout set after");
		event_base_dispatch(base);
		evrpc_pool_free(other);
		evconnlistener_free(l);
		if (accepted >= 0)
			evutil_closesocket(accepted);
	}

	/* Nobody listening. */
	{
		struct sockaddr_in sin;
		socklen_t len = sizeof sin;
		evutil_socket_t s = socket(AF_INET, SOCK_STREAM, 0);
		memset(&sin, 0, sizeof sin);
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(0x7f000001);
		bind(s, (struct sockaddr *)&sin, sizeof sin);
		getsockname(s, (struct sockaddr *)&sin, &len);
		evutil_closesocket(s);
		other = evrpc_pool_new(base);
		evrpc_pool_add_connection(other, evhttp_connection_new("127.0.0.1", ntohs(sin.sin_port)));
		gettimeofday(&started, NULL);
		EVRPC_MAKE_REQUEST(Message, other, make_msg("t", "refused", 1), rpc_reply_new(), timed_cb, "refused");
		event_base_dispatch(base);
		evrpc_pool_free(other);
	}

	evrpc_free(rpcb);
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
