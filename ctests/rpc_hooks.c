/* Covers: evrpc_add_hook / evrpc_remove_hook on a server (evrpc_base) and a
 * client pool (evrpc_pool), input and output side; hooks answering
 * EVRPC_CONTINUE, EVRPC_TERMINATE and EVRPC_PAUSE; evrpc_resume_request
 * with EVRPC_CONTINUE and EVRPC_TERMINATE from a timer, and on a request
 * that is not paused; evrpc_hook_add_meta, evrpc_hook_find_meta (meta data
 * set by the client's output hook and read by its input hook, per
 * request), evrpc_hook_get_connection; a server output hook rewriting the
 * marshalled reply. For each request: which hooks ran in which order, what
 * they saw, the client's status and the reply.
 * ctest-backends: epoll poll
 */
#include "rpc_common.h"

static struct event_base *base;
static struct evrpc_base *rpcb;
static struct evrpc_pool *pool;
static struct evhttp_connection *evcon;
static int step;
static void *hooks[4];
static void next(void);

struct resume { void *owner; void *ctx; int res; };

static void resume_cb(evutil_socket_t fd, short what, void *arg)
{
	struct resume *r = arg;
	(void)fd; (void)what;
	printf("  resume -> %d\n", evrpc_resume_request(r->owner, r->ctx, (enum EVRPC_HOOK_RESULT)r->res));
	printf("  resume again -> %d\n", evrpc_resume_request(r->owner, r->ctx, EVRPC_CONTINUE));
	free(r);
}

static int pause_and_resume(void *owner, void *ctx, int res)
{
	struct resume *r = malloc(sizeof *r);
	struct timeval tv = { 0, 20000 };
	r->owner = owner;
	r->ctx = ctx;
	r->res = res;
	event_base_once(base, -1, EV_TIMEOUT, resume_cb, r, &tv);
	return EVRPC_PAUSE;
}

/* The test's request names travel in the message: the server hooks peek at
 * to_name, the client hooks at from_name. */
static const char *server_to(struct evhttp_request *req)
{
	static char name[64];
	struct evbuffer *copy = evbuffer_new();
	struct rpc_msg *m = rpc_msg_new();
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	evbuffer_add(copy, evbuffer_pullup(in, -1), evbuffer_get_length(in));
	name[0] = '\0';
	if (rpc_msg_unmarshal(m, copy) == 0)
		snprintf(name, sizeof name, "%s", m->to_name_data);
	rpc_msg_free(m);
	evbuffer_free(copy);
	return name;
}

static int server_in(void *ctx, struct evhttp_request *req, struct evbuffer *buf, void *arg)
{
	const char *to = server_to(req);
	printf("  server input hook %s: %zu bytes, connection %s\n", (char *)arg, evbuffer_get_length(buf),
	    evrpc_hook_get_connection(ctx) ? "set" : "NULL");
	evrpc_hook_add_meta(ctx, "server", "in", 3);
	if (!strcmp(to, "kill-in"))
		return EVRPC_TERMINATE;
	if (!strcmp(to, "pause-in"))
		return pause_and_resume(rpcb, ctx, EVRPC_CONTINUE);
	if (!strcmp(to, "pause-in-kill"))
		return pause_and_resume(rpcb, ctx, EVRPC_TERMINATE);
	return EVRPC_CONTINUE;
}

static int server_in2(void *ctx, struct evhttp_request *req, struct evbuffer *buf, void *arg)
{
	(void)ctx; (void)req; (void)buf;
	printf("  server input hook %s\n", (char *)arg);
	return EVRPC_CONTINUE;
}

static int server_out(void *ctx, struct evhttp_request *req, struct evbuffer *buf, void *arg)
{
	void *data = NULL;
	size_t size = 0;
	int r = evrpc_hook_find_meta(ctx, "server", &data, &size);
	struct rpc_reply *reply = rpc_reply_new();
	struct evbuffer *copy = evbuffer_new();
	(void)req;
	evbuffer_add(copy, evbuffer_pullup(buf, -1), evbuffer_get_length(buf));
	rpc_reply_unmarshal(reply, copy);
	printf("  server output hook %s: %zu bytes, meta %d %s %zu, missing %d\n", (char *)arg,
	    evbuffer_get_length(buf), r, r == 0 ? (char *)data : "-", size,
	    evrpc_hook_find_meta(ctx, "nope", &data, &size));
	if (reply->text_data && strstr(reply->text_data, "rewrite")) {
		rpc_reply_clear(reply);
		EVTAG_ASSIGN(reply, text, "rewritten by the hook");
		EVTAG_ASSIGN(reply, total, 4242);
		evbuffer_drain(buf, evbuffer_get_length(buf));
		rpc_reply_marshal(buf, reply);
	}
	if (reply->text_data && strstr(reply->text_data, "kill-out")) {
		rpc_reply_free(reply);
		evbuffer_free(copy);
		return EVRPC_TERMINATE;
	}
	if (reply->text_data && strstr(reply->text_data, "pause-out")) {
		rpc_reply_free(reply);
		evbuffer_free(copy);
		return pause_and_resume(rpcb, ctx, EVRPC_CONTINUE);
	}
	rpc_reply_free(reply);
	evbuffer_free(copy);
	return EVRPC_CONTINUE;
}

static const char *current_from;

static int client_out(void *ctx, struct evhttp_request *req, struct evbuffer *buf, void *arg)
{
	(void)req;
	printf("  client output hook %s: %zu bytes, connection is ours %d\n", (char *)arg,
	    evbuffer_get_length(buf), evrpc_hook_get_connection(ctx) == evcon);
	evrpc_hook_add_meta(ctx, "client", current_from, strlen(current_from) + 1);
	evrpc_hook_add_meta(ctx, "client", "second", 7);
	if (!strcmp(current_from, "client-kill"))
		return EVRPC_TERMINATE;
	if (!strcmp(current_from, "client-pause"))
		return pause_and_resume(pool, ctx, EVRPC_CONTINUE);
	if (!strcmp(current_from, "client-pause-kill"))
		return pause_and_resume(pool, ctx, EVRPC_TERMINATE);
	return EVRPC_CONTINUE;
}

static int client_in(void *ctx, struct evhttp_request *req, struct evbuffer *buf, void *arg)
{
	void *data = NULL;
	size_t size = 0;
	int r = evrpc_hook_find_meta(ctx, "client", &data, &size);
	printf("  client input hook %s: http %d, %zu bytes, meta %d %s %zu\n", (char *)arg,
	    evhttp_request_get_response_code(req), evbuffer_get_length(buf), r, r == 0 ? (char *)data : "-", size);
	if (!strcmp(current_from, "client-in-kill"))
		return EVRPC_TERMINATE;
	if (!strcmp(current_from, "client-in-pause"))
		return pause_and_resume(pool, ctx, EVRPC_CONTINUE);
	return EVRPC_CONTINUE;
}

static void message_cb(EVRPC_STRUCT(Message) *rpc, void *arg)
{
	struct rpc_msg *req = rpc->request;
	char text[128];
	(void)arg;
	printf("  server callback: %s\n", req->to_name_data);
	snprintf(text, sizeof text, "reply to %s", req->to_name_data);
	EVTAG_ASSIGN(rpc->reply, text, text);
	EVTAG_ASSIGN(rpc->reply, total, msg_sum(req));
	EVRPC_REQUEST_DONE(rpc);
}

static void reply_cb(struct evrpc_status *status, struct rpc_msg *msg, struct rpc_reply *reply, void *arg)
{
	struct evhttp_request *req = status->http_req;
	printf("  client callback: status %s, http %d", status_name(status->error),
	    req ? evhttp_request_get_response_code(req) : -1);
	if (EVTAG_HAS(reply, text))
		printf(", text \"%s\"", reply->text_data);
	if (EVTAG_HAS(reply, total))
		printf(", total %u", reply->total_data);
	printf(" (%s)\n", (char *)arg);
	rpc_msg_free(msg);
	rpc_reply_free(reply);
	next();
}

static void send_msg(const char *from, const char *to)
{
	struct rpc_msg *m = make_msg(from, to, 2);
	current_from = from;
	printf("request %s -> %s\n", from, to);
	EVRPC_MAKE_REQUEST(Message, pool, m, rpc_reply_new(), reply_cb, "cb");
}

static void next(void)
{
	switch (step++) {
	case 0: send_msg("client", "plain"); break;
	case 1: send_msg("client", "kill-in"); break;
	case 2: send_msg("client", "pause-in"); break;
	case 3: send_msg("client", "pause-in-kill"); break;
	case 4: send_msg("client", "pause-out"); break;
	case 5: send_msg("client", "kill-out"); break;
	case 6: send_msg("client", "rewrite"); break;
	case 7: send_msg("client-kill", "plain"); break;
	case 8: send_msg("client-pause", "plain"); break;
	case 9: send_msg("client-pause-kill", "plain"); break;
	case 10: send_msg("client-in-kill", "plain"); break;
	case 11: send_msg("client-in-pause", "pause-in"); break;
	case 12:
		printf("resume unknown -> %d\n", evrpc_resume_request(pool, &step, EVRPC_CONTINUE));
		printf("remove server input hook 2 -> %d\n", evrpc_remove_hook(rpcb, EVRPC_INPUT, hooks[1]));
		printf("remove it again -> %d\n", evrpc_remove_hook(rpcb, EVRPC_INPUT, hooks[1]));
		printf("remove as output -> %d\n", evrpc_remove_hook(rpcb, EVRPC_OUTPUT, hooks[0]));
		printf("remove client output -> %d\n", evrpc_remove_hook(pool, EVRPC_OUTPUT, hooks[2]));
		printf("remove client input -> %d\n", evrpc_remove_hook(pool, OUTPUT, hooks[3]));
		send_msg("client", "after removals");
		break;
	default:
		event_base_loopexit(base, NULL);
	}
}

int main(void)
{
	struct evhttp *http;
	ev_uint16_t port;

	base = event_base_new();
	http = http_server(base, &port);
	rpcb = evrpc_init(http);
	EVRPC_REGISTER(rpcb, Message, rpc_msg, rpc_reply, message_cb, NULL);
	hooks[0] = evrpc_add_hook(rpcb, EVRPC_INPUT, server_in, "one");
	hooks[1] = evrpc_add_hook(rpcb, INPUT, server_in2, "two");
	evrpc_add_hook(rpcb, EVRPC_OUTPUT, server_out, "out");

	pool = evrpc_pool_new(NULL);
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evrpc_pool_add_connection(pool, evcon);
	hooks[2] = evrpc_add_hook(pool, EVRPC_OUTPUT, client_out, "out");
	hooks[3] = evrpc_add_hook(pool, EVRPC_INPUT, client_in, "in");
	printf("handles distinct: %d\n", hooks[0] != hooks[1] && hooks[2] != hooks[3] && hooks[0] != NULL);

	next();
	event_base_dispatch(base);

	evrpc_pool_free(pool);
	evrpc_free(rpcb);
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
