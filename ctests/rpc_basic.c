/* Covers: evrpc_init, EVRPC_REGISTER (evrpc_register_generic),
 * EVRPC_UNREGISTER (evrpc_unregister_rpc), evrpc_get_request,
 * evrpc_get_reply, EVRPC_REQUEST_DONE (evrpc_request_done),
 * EVRPC_REQUEST_HTTP, evrpc_pool_new, evrpc_pool_add_connection,
 * EVRPC_MAKE_REQUEST through EVRPC_GENERATE's evrpc_send_request_generic,
 * evrpc_pool_free, evrpc_free: typed messages (written as event_rpcgen.py
 * writes them) between a server and a client on 127.0.0.1; the reply's
 * status, HTTP code and Content-Type; what the server answers a GET, an
 * empty or undecodable POST, an incomplete reply and an unregistered RPC,
 * and how the client reports each.
 * ctest-backends: epoll poll
 */
#include "rpc_common.h"

static struct event_base *base;
static struct evrpc_base *rpcb;
static struct evrpc_pool *pool;
static struct evhttp_connection *plain;
static ev_uint16_t port;
static int step;
static void next(void);

static void message_cb(EVRPC_STRUCT(Message) *rpc, void *arg)
{
	struct rpc_msg *req = rpc->request;
	struct rpc_reply *reply = rpc->reply;
	char text[128];
	ev_uint32_t count = 0;
	printf("server: from %s to %s, %d values, arg %s, http %s, same request %d reply %d\n",
	    req->from_name_data, req->to_name_data, EVTAG_ARRAY_LEN(req, values), (char *)arg,
	    evhttp_request_get_uri(EVRPC_REQUEST_HTTP(rpc)),
	    evrpc_get_request((struct evrpc_req_generic *)rpc) == (void *)req,
	    evrpc_get_reply((struct evrpc_req_generic *)rpc) == (void *)reply);
	snprintf(text, sizeof text, "%s->%s", req->from_name_data, req->to_name_data);
	EVTAG_ASSIGN(reply, text, text);
	if (strcmp(req->to_name_data, "incomplete") != 0)
		EVTAG_ASSIGN(reply, total, msg_sum(req));
	if (EVTAG_GET(req, count, &count) == 0) {
		struct timeval when = { 1234567, 890 };
		EVTAG_ASSIGN_WITH_LEN(reply, blob, (const ev_uint8_t *)"\x00\x01\x02\xff", count > 4 ? 4 : count);
		EVTAG_ASSIGN(reply, echo, req);
		EVTAG_ASSIGN(reply, when, &when);
	}
	EVRPC_REQUEST_DONE(rpc);
}

static void reply_cb(struct evrpc_status *status, struct rpc_msg *msg, struct rpc_reply *reply, void *arg)
{
	struct evhttp_request *req = status->http_req;
	const char *ct = req ? evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type") : NULL;
	printf("client %s: status %s, http %d, content-type %s", (char *)arg, status_name(status->error),
	    req ? evhttp_request_get_response_code(req) : -1, ct ? ct : "-");
	if (EVTAG_HAS(reply, text))
		printf(", text %s", reply->text_data);
	if (EVTAG_HAS(reply, total))
		printf(", total %u", reply->total_data);
	if (EVTAG_HAS(reply, blob)) {
		ev_uint8_t *b;
		ev_uint32_t n, i;
		EVTAG_GET_WITH_LEN(reply, blob, &b, &n);
		printf(", blob");
		for (i = 0; i < n; i++)
			printf(" %02x", b[i]);
	}
	if (EVTAG_HAS(reply, echo)) {
		struct rpc_msg *e;
		ev_uint64_t big = 0;
		EVTAG_GET(reply, echo, &e);
		EVTAG_GET(e, big, &big);
		printf(", echo %s->%s values %d big %#llx", e->from_name_data, e->to_name_data,
		    EVTAG_ARRAY_LEN(e, values), (unsigned long long)big);
	}
	if (EVTAG_HAS(reply, when)) {
		struct timeval tv;
		EVTAG_GET(reply, when, &tv);
		printf(", when %ld.%06ld", (long)tv.tv_sec, (long)tv.tv_usec);
	}
	printf("\n");
	rpc_msg_free(msg);
	rpc_reply_free(reply);
	next();
}

static void plain_cb(struct evhttp_request *req, void *arg)
{
	printf("plain %s: http %d\n", (char *)arg, req ? evhttp_request_get_response_code(req) : -1);
	next();
}

static void plain_request(enum evhttp_cmd_type type, const char *uri, const char *body, size_t n, char *label)
{
	struct evhttp_request *req = evhttp_request_new(plain_cb, label);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "127.0.0.1");
	if (body)
		evbuffer_add(evhttp_request_get_output_buffer(req), body, n);
	evhttp_make_request(plain, req, type, uri);
}

static void send_msg(const char *to, int nvalues, int count, char *label)
{
	struct rpc_msg *m = make_msg("client", to, nvalues);
	if (count >= 0)
		EVTAG_ASSIGN(m, count, (ev_uint32_t)count);
	if (count == 2)
		EVTAG_ASSIGN(m, big, 0x123456789ULL);
	if (EVRPC_MAKE_REQUEST(Message, pool, m, rpc_reply_new(), reply_cb, label) != 0)
		printf("make request failed\n");
}

static void next(void)
{
	switch (step++) {
	case 0: send_msg("server", 3, -1, "three values"); break;
	case 1: send_msg("server", 0, 2, "count 2, big"); break;
	case 2: send_msg("server", 200, 9, "200 values"); break;
	case 3: send_msg("incomplete", 1, -1, "incomplete reply"); break;
	case 4: plain_request(EVHTTP_REQ_GET, "/.rpc.Message", NULL, 0, "GET"); break;
	case 5: plain_request(EVHTTP_REQ_POST, "/.rpc.Message", NULL, 0, "empty POST"); break;
	case 6: plain_request(EVHTTP_REQ_POST, "/.rpc.Message", "\x01\x05zz", 4, "bad POST"); break;
	case 7: plain_request(EVHTTP_REQ_POST, "/.rpc.Other", "\x01\x00", 2, "unknown RPC"); break;
	case 8:
		printf("unregister Message -> %d\n", EVRPC_UNREGISTER(rpcb, Message));
		printf("unregister again -> %d\n", EVRPC_UNREGISTER(rpcb, Message));
		printf("unregister Nope -> %d\n", evrpc_unregister_rpc(rpcb, "Nope"));
		send_msg("nobody", 1, -1, "after unregister");
		break;
	default:
		event_base_loopexit(base, NULL);
	}
}

int main(void)
{
	struct evhttp *http;
	struct evhttp_connection *evcon;

	base = event_base_new();
	http = http_server(base, &port);
	rpcb = evrpc_init(http);
	printf("register -> %d\n", EVRPC_REGISTER(rpcb, Message, rpc_msg, rpc_reply, message_cb, "cbarg"));

	pool = evrpc_pool_new(NULL);
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evrpc_pool_add_connection(pool, evcon);
	plain = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);

	next();
	event_base_dispatch(base);

	evrpc_pool_free(pool);
	evhttp_connection_free(plain);
	evrpc_free(rpcb);
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
