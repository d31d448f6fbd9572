/* Covers: the evrpc functions behind the macros, called directly:
 * evrpc_register_rpc with a struct evrpc the program fills in itself,
 * evrpc_register_generic, evrpc_request_done, evrpc_send_request_generic,
 * evrpc_make_request_ctx + evrpc_make_request; the layout of struct evrpc
 * and struct evrpc_status (rpc_struct.h, TAILQ_ENTRY); rpc_compat.h's
 * variadic EVTAG_ASSIGN / EVTAG_GET / EVTAG_ADD and EVTAG_LEN; freeing a
 * pool with a request in flight and one queued (no callback runs) and an
 * evrpc_base with RPCs still registered.
 * ctest-backends: epoll
 */
#include <sys/queue.h>
#include "rpc_common.h"
#include <event2/rpc_compat.h>
#include <stddef.h>

struct linked { TAILQ_ENTRY(linked) link; int v; };

static struct event_base *base;
static int callbacks, pending;

static void server_cb(struct evrpc_req_generic *req, void *arg)
{
	struct rpc_msg *m = evrpc_get_request(req);
	struct rpc_reply *r = evrpc_get_reply(req);
	char text[80];
	snprintf(text, sizeof text, "%s handled %s (%d values)", (char *)arg, m->from_name_data, EVTAG_LEN(m, values));
	EVTAG_ASSIGN(r, text, text);
	EVTAG_ASSIGN(r, total, msg_sum(m));
	evrpc_request_done(req);
}

static void client_cb(struct evrpc_status *status, void *vmsg, void *vreply, void *arg)
{
	struct rpc_reply *reply = vreply;
	callbacks++;
	printf("%s: status %s, http %d, text %s, total %u\n", (char *)arg, status_name(status->error),
	    status->http_req ? evhttp_request_get_response_code(status->http_req) : -1,
	    reply->text_data ? reply->text_data : "-", reply->total_data);
	rpc_msg_free(vmsg);
	rpc_reply_free(reply);
	if (--pending == 0)
		event_base_loopexit(base, NULL);
}

static void typed_cb(struct evrpc_status *status, struct rpc_msg *msg, struct rpc_reply *reply, void *arg)
{
	client_cb(status, msg, reply, arg);
}

int main(void)
{
	struct evhttp *http;
	struct evrpc_base *rpcb;
	struct evrpc_pool *pool;
	struct evrpc *rpc;
	struct evrpc_request_wrapper *ctx;
	struct rpc_msg *m;
	ev_uint32_t v = 0;
	ev_uint16_t port;

	printf("struct evrpc: size %zu, uri %zu, request_new %zu, request_new_arg %zu, request_free %zu, "
	    "request_unmarshal %zu, reply_new %zu, reply_new_arg %zu, reply_free %zu, reply_complete %zu, "
	    "reply_marshal %zu, cb %zu, cb_arg %zu, base %zu\n", sizeof(struct evrpc),
	    offsetof(struct evrpc, uri), offsetof(struct evrpc, request_new), offsetof(struct evrpc, request_new_arg),
	    offsetof(struct evrpc, request_free), offsetof(struct evrpc, request_unmarshal),
	    offsetof(struct evrpc, reply_new), offsetof(struct evrpc, reply_new_arg), offsetof(struct evrpc, reply_free),
	    offsetof(struct evrpc, reply_complete), offsetof(struct evrpc, reply_marshal), offsetof(struct evrpc, cb),
	    offsetof(struct evrpc, cb_arg), offsetof(struct evrpc, base));
	printf("struct evrpc_status: size %zu, error %zu, http_req %zu; status codes %d %d %d %d %d\n",
	    sizeof(struct evrpc_status), offsetof(struct evrpc_status, error), offsetof(struct evrpc_status, http_req),
	    EVRPC_STATUS_ERR_NONE, EVRPC_STATUS_ERR_TIMEOUT, EVRPC_STATUS_ERR_BADPAYLOAD, EVRPC_STATUS_ERR_UNSTARTED,
	    EVRPC_STATUS_ERR_HOOKABORTED);
	printf("EVRPC_STRUCT(Message): size %zu, request %zu, http_req %zu, rpc_data %zu\n", sizeof(EVRPC_STRUCT(Message)),
	    offsetof(EVRPC_STRUCT(Message), request), offsetof(EVRPC_STRUCT(Message), http_req),
	    offsetof(EVRPC_STRUCT(Message), rpc_data));
	printf("hook enums: %d %d %d %d %d, linked %zu\n", EVRPC_INPUT, EVRPC_OUTPUT, EVRPC_TERMINATE, EVRPC_CONTINUE,
	    EVRPC_PAUSE, offsetof(struct linked, v));

	/* rpc_compat.h's accessors. */
	m = rpc_msg_new();
	EVTAG_ASSIGN(m, from_name, "compat");
	EVTAG_ADD(m, values, 11);
	EVTAG_ADD(m, values, 22);
	EVTAG_ASSIGN(m, values, 1, 33);
	printf("compat: from %s, %d values, get count -> %d, get values[1] -> %d", m->from_name_data,
	    EVTAG_LEN(m, values), EVTAG_GET(m, count, &v), EVTAG_GET(m, values, 1, &v));
	printf(" = %u\n", v);
	rpc_msg_free(m);

	base = event_base_new();
	http = http_server(base, &port);
	rpcb = evrpc_init(http);

	rpc = calloc(1, sizeof *rpc);
	rpc->uri = strdup("ByHand");
	rpc->request_new = (void *(*)(void *))rpc_msg_new_with_arg;
	rpc->request_free = (void (*)(void *))rpc_msg_free;
	rpc->request_unmarshal = (int (*)(void *, struct evbuffer *))rpc_msg_unmarshal;
	rpc->reply_new = (void *(*)(void *))rpc_reply_new_with_arg;
	rpc->reply_free = (void (*)(void *))rpc_reply_free;
	rpc->reply_complete = (int (*)(void *))rpc_reply_complete;
	rpc->reply_marshal = (void (*)(struct evbuffer *, void *))rpc_reply_marshal;
	printf("register_rpc -> %d", evrpc_register_rpc(rpcb, rpc, server_cb, "by hand"));
	printf(", base set %d, cb_arg set %d\n", rpc->base == rpcb, rpc->cb_arg != NULL);
	printf("register_generic -> %d\n", evrpc_register_generic(rpcb, "Generic", server_cb, "generic",
	    (void *(*)(void *))rpc_msg_new_with_arg, NULL, (void (*)(void *))rpc_msg_free,
	    (int (*)(void *, struct evbuffer *))rpc_msg_unmarshal, (void *(*)(void *))rpc_reply_new_with_arg, NULL,
	    (void (*)(void *))rpc_reply_free, (int (*)(void *))rpc_reply_complete,
	    (void (*)(struct evbuffer *, void *))rpc_reply_marshal));

	pool = evrpc_pool_new(NULL);
	evrpc_pool_add_connection(pool, evhttp_connection_base_new(base, NULL, "127.0.0.1", port));
	pending = 3;
	printf("send_request_generic -> %d\n", evrpc_send_request_generic(pool, make_msg("one", "x", 3), rpc_reply_new(),
	    client_cb, "generic call", "ByHand", (void (*)(struct evbuffer *, void *))rpc_msg_marshal,
	    (void (*)(void *))rpc_reply_clear, (int (*)(void *, struct evbuffer *))rpc_reply_unmarshal));
	ctx = evrpc_make_request_ctx(pool, make_msg("two", "x", 5), rpc_reply_new(), "Generic",
	    (void (*)(struct evbuffer *, void *))rpc_msg_marshal, (void (*)(void *))rpc_reply_clear,
	    (int (*)(void *, struct evbuffer *))rpc_reply_unmarshal, client_cb, "ctx call");
	printf("make_request -> %d\n", evrpc_make_request(ctx));
	printf("send to unknown name -> %d\n", evrpc_send_request_generic(pool, make_msg("three", "x", 1), rpc_reply_new(),
	    client_cb, "unknown name", "Missing", (void (*)(struct evbuffer *, void *))rpc_msg_marshal,
	    (void (*)(void *))rpc_reply_clear, (int (*)(void *, struct evbuffer *))rpc_reply_unmarshal));
	event_base_dispatch(base);
	printf("callbacks %d\n", callbacks);

	/* Freed with one request in flight and one queued: no callback. */
	{
		struct rpc_msg *a = make_msg("a", "x", 1), *b = make_msg("b", "x", 1);
		struct rpc_reply *ra = rpc_reply_new(), *rb = rpc_reply_new();
		callbacks = 0;
		EVRPC_MAKE_REQUEST(Message, pool, a, ra, typed_cb, "in flight");
		EVRPC_MAKE_REQUEST(Message, pool, b, rb, typed_cb, "queued");
		evrpc_pool_free(pool);
		event_base_loop(base, EVLOOP_NONBLOCK);
		printf("after pool free: callbacks %d\n", callbacks);
		rpc_msg_free(a);
		rpc_msg_free(b);
		rpc_reply_free(ra);
		rpc_reply_free(rb);
	}

	evrpc_free(rpcb); /* frees ByHand and Generic */
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
