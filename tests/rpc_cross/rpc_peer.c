/*
 * One side of an evrpc exchange, for tests/rpc_cross.sh: `rpc_peer server`
 * serves the RPC "Message" on 127.0.0.1 (port printed on the first line)
 * until it has answered COUNT requests; `rpc_peer client PORT` sends COUNT
 * typed requests and prints the replies. Hooks on both sides print a
 * digest of the exact bytes each request and reply carried, so a run
 * between two libraries shows whether their encodings agree bit for bit.
 */
#include "../../ctests/rpc_common.h"
#include <unistd.h>

#define COUNT 5

static struct event_base *base;
static int answered, received;

static unsigned long long digest(struct evbuffer *b)
{
	unsigned long long h = 1469598103934665603ULL;
	size_t n = evbuffer_get_length(b), i;
	unsigned char *p = evbuffer_pullup(b, -1);
	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

static int show_bytes(void *ctx, struct evhttp_request *req, struct evbuffer *buf, void *arg)
{
	(void)ctx; (void)req;
	printf("%s: %zu bytes, digest %016llx\n", (char *)arg, evbuffer_get_length(buf), digest(buf));
	return EVRPC_CONTINUE;
}

static void stop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)what; (void)arg;
	event_base_loopexit(base, NULL);
}

static void message_cb(EVRPC_STRUCT(Message) *rpc, void *arg)
{
	struct rpc_msg *req = rpc->request;
	ev_uint32_t count = 0;
	ev_uint64_t big = 0;
	char text[96];
	(void)arg;
	EVTAG_GET(req, count, &count);
	EVTAG_GET(req, big, &big);
	printf("server got from %s to %s, %d values, count %u, big %#llx\n", req->from_name_data, req->to_name_data,
	    EVTAG_ARRAY_LEN(req, values), count, (unsigned long long)big);
	snprintf(text, sizeof text, "hello %s", req->from_name_data);
	EVTAG_ASSIGN(rpc->reply, text, text);
	EVTAG_ASSIGN(rpc->reply, total, msg_sum(req) + count);
	if (count) {
		struct timeval when = { 86400 + count, count % 1000000 };
		EVTAG_ASSIGN_WITH_LEN(rpc->reply, blob, (const ev_uint8_t *)"\x00\xff\x10\x7f\x80", count % 6);
		EVTAG_ASSIGN(rpc->reply, echo, req);
		EVTAG_ASSIGN(rpc->reply, when, &when);
	}
	EVRPC_REQUEST_DONE(rpc);
	if (++answered == COUNT) {
		struct timeval tv = { 0, 200000 };
		event_base_once(base, -1, EV_TIMEOUT, stop, NULL, &tv);
	}
}

static void reply_cb(struct evrpc_status *status, struct rpc_msg *msg, struct rpc_reply *reply, void *arg)
{
	printf("client %ld: status %d, http %d, text %s, total %u, blob %u bytes, echo %d values, when %ld.%ld\n",
	    (long)arg, status->error, status->http_req ? evhttp_request_get_response_code(status->http_req) : -1,
	    reply->text_data ? reply->text_data : "-", reply->total_data, reply->blob_length,
	    reply->echo_set ? EVTAG_ARRAY_LEN(reply->echo_data, values) : -1,
	    (long)reply->when_data.tv_sec, (long)reply->when_data.tv_usec);
	rpc_msg_free(msg);
	rpc_reply_free(reply);
	if (++received == COUNT)
		event_base_loopexit(base, NULL);
}

int main(int argc, char **argv)
{
	base = event_base_new();
	if (argc == 2 && !strcmp(argv[1], "server")) {
		ev_uint16_t port;
		struct evhttp *http = http_server(base, &port);
		struct evrpc_base *rpcb = evrpc_init(http);
		EVRPC_REGISTER(rpcb, Message, rpc_msg, rpc_reply, message_cb, NULL);
		evrpc_add_hook(rpcb, EVRPC_INPUT, show_bytes, "server received");
		evrpc_add_hook(rpcb, EVRPC_OUTPUT, show_bytes, "server sends");
		printf("%u\n", port);
		fflush(stdout);
		event_base_dispatch(base);
		evrpc_free(rpcb);
		evhttp_free(http);
	} else if (argc == 3 && !strcmp(argv[1], "client")) {
		struct evrpc_pool *pool = evrpc_pool_new(NULL);
		long i;
		evrpc_pool_add_connection(pool, evhttp_connection_base_new(base, NULL, "127.0.0.1", (ev_uint16_t)atoi(argv[2])));
		evrpc_add_hook(pool, EVRPC_OUTPUT, show_bytes, "client sends");
		evrpc_add_hook(pool, EVRPC_INPUT, show_bytes, "client received");
		for (i = 0; i < COUNT; i++) {
			char from[32];
			struct rpc_msg *m;
			snprintf(from, sizeof from, "peer-%ld", i);
			m = make_msg(from, "server", (int)(i * 40));
			if (i % 2)
				EVTAG_ASSIGN(m, count, (ev_uint32_t)(i * 0x01010101u));
			if (i >= 3)
				EVTAG_ASSIGN(m, big, 0xfedcba9876543210ULL >> i);
			EVRPC_MAKE_REQUEST(Message, pool, m, rpc_reply_new(), reply_cb, (void *)i);
		}
		event_base_dispatch(base);
		evrpc_pool_free(pool);
	} else {
		fprintf(stderr, "usage: rpc_peer server | client PORT\n");
		return 2;
	}
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
