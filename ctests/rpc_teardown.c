/* Covers: evrpc_free while a server input hook holds a request paused, and
 * evrpc_pool_free while a client output hook holds one paused and another
 * has its reply paused by an input hook: nothing is resumed, no callback
 * runs, and the client of the abandoned server request learns of it when
 * the HTTP server goes away.
 * ctest-backends: epoll
 */
#include "rpc_common.h"

static struct event_base *base;
static int callbacks;

static int pause_hook(void *ctx, struct evhttp_request *req, struct evbuffer *buf, void *arg)
{
	(void)ctx; (void)req; (void)buf;
	printf("%s: paused\n", (char *)arg);
	event_base_loopexit(base, NULL);
	return EVRPC_PAUSE;
}

static void message_cb(EVRPC_STRUCT(Message) *rpc, void *arg)
{
	(void)arg;
	EVTAG_ASSIGN(rpc->reply, text, "answer");
	EVTAG_ASSIGN(rpc->reply, total, msg_sum(rpc->request));
	EVRPC_REQUEST_DONE(rpc);
}

static void reply_cb(struct evrpc_status *status, struct rpc_msg *msg, struct rpc_reply *reply, void *arg)
{
	callbacks++;
	printf("%s: status %s, http_req %s\n", (char *)arg, status_name(status->error), status->http_req ? "set" : "NULL");
	rpc_msg_free(msg);
	rpc_reply_free(reply);
	event_base_loopexit(base, NULL);
}

int main(void)
{
	struct evhttp *http, *http2;
	struct evrpc_base *rpcb, *rpcb2;
	struct evrpc_pool *pool;
	ev_uint16_t port, port2;
	struct rpc_msg *m1, *m2;
	struct rpc_reply *r1, *r2;
	void *out_hook, *in_hook;

	base = event_base_new();

	/* Server side: a request paused by an input hook when the RPC base goes. */
	http = http_server(base, &port);
	rpcb = evrpc_init(http);
	EVRPC_REGISTER(rpcb, Message, rpc_msg, rpc_reply, message_cb, NULL);
	evrpc_add_hook(rpcb, EVRPC_INPUT, pause_hook, "server input hook");
	pool = evrpc_pool_new(NULL);
	evrpc_pool_add_connection(pool, evhttp_connection_base_new(base, NULL, "127.0.0.1", port));
	EVRPC_MAKE_REQUEST(Message, pool, make_msg("a", "b", 2), rpc_reply_new(), reply_cb, "abandoned by the server");
	event_base_dispatch(base);
	evrpc_free(rpcb);
	printf("rpc base freed, callbacks %d\n", callbacks);
	evhttp_free(http);
	event_base_dispatch(base);
	printf("http server freed, callbacks %d\n", callbacks);
	evrpc_pool_free(pool);

	/* Client side: one request paused before it is sent, then one whose
	 * reply is paused, when the pool goes. */
	http2 = http_server(base, &port2);
	rpcb2 = evrpc_init(http2);
	EVRPC_REGISTER(rpcb2, Message, rpc_msg, rpc_reply, message_cb, NULL);
	pool = evrpc_pool_new(NULL);
	evrpc_pool_add_connection(pool, evhttp_connection_base_new(base, NULL, "127.0.0.1", port2));
	out_hook = evrpc_add_hook(pool, EVRPC_OUTPUT, pause_hook, "client output hook");
	m1 = make_msg("c", "d", 1);
	r1 = rpc_reply_new();
	EVRPC_MAKE_REQUEST(Message, pool, m1, r1, reply_cb, "paused before sending");
	event_base_dispatch(base);
	evrpc_pool_free(pool);
	printf("pool freed, callbacks %d\n", callbacks);
	rpc_msg_free(m1);
	rpc_reply_free(r1);

	pool = evrpc_pool_new(NULL);
	evrpc_pool_add_connection(pool, evhttp_connection_base_new(base, NULL, "127.0.0.1", port2));
	in_hook = evrpc_add_hook(pool, EVRPC_INPUT, pause_hook, "client input hook");
	m2 = make_msg("e", "f", 1);
	r2 = rpc_reply_new();
	EVRPC_MAKE_REQUEST(Message, pool, m2, r2, reply_cb, "reply paused");
	event_base_dispatch(base);
	evrpc_pool_free(pool);
	printf("pool freed, callbacks %d\n", callbacks);
	rpc_msg_free(m2);
	rpc_reply_free(r2);
	(void)out_hook;
	(void)in_hook;

	evrpc_free(rpcb2);
	evhttp_free(http2);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
