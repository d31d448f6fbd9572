/* Covers: an evhttp client talking to an evhttp server in the same loop:
 * evhttp_send_reply_chunk_with_cb, evhttp_request_own / evhttp_request_is_owned,
 * evhttp_connection_free_on_completion, evhttp_connection_set_local_address,
 * evhttp_connection_set_local_port, evhttp_connection_set_family,
 * evhttp_connection_set_flags, evhttp_connection_get_base, evhttp_connection_get_addr,
 * evhttp_connection_base_bufferevent_new, evhttp_connection_set_timeout_tv, a client
 * request with Expect: 100-continue,
 * evhttp_connection_set_max_headers_size / set_max_body_size (client side limits),
 * evhttp_bind_socket, and the compat API: evhttp_start, evhttp_connection_new,
 * evhttp_connection_set_base.
 * ctest-timeout: 30
 */
#include "http_common.h"
#include <event2/event_compat.h>
#include <event2/http_compat.h>

static struct event_base *base;
static int pending;
static struct evhttp_request *owned;

static void chunk_sent(struct evhttp_connection *evcon, void *arg)
{
	printf("  server: chunk %s written (evcon %s)\n", (const char *)arg, evcon ? "set" : "NULL");
}

static void server_cb(struct evhttp_request *req, void *arg)
{
	const char *uri = evhttp_request_get_uri(req);
	struct evbuffer *b = evbuffer_new();
	(void)arg;
	{
		const struct sockaddr *sa = evhttp_connection_get_addr(evhttp_request_get_connection(req));
		const struct sockaddr_in *in = (const struct sockaddr_in *)sa;
		printf("  server: %s owned=%d body=%zu peer family=%d ip=%s\n", uri, evhttp_request_is_owned(req),
		    evbuffer_get_length(evhttp_request_get_input_buffer(req)),
		    sa ? sa->sa_family : -1, sa ? inet_ntoa(in->sin_addr) : "-");
	}
	if (!strcmp(uri, "/stream")) {
		evhttp_send_reply_start(req, 200, "Streaming");
		evbuffer_add(b, "part one,", 9);
		evhttp_send_reply_chunk_with_cb(req, b, chunk_sent, "1");
		evbuffer_add(b, "part two", 8);
		evhttp_send_reply_chunk_with_cb(req, b, chunk_sent, "2");
		evhttp_send_reply_end(req);
	} else if (!strcmp(uri, "/big")) {
		int i;
		for (i = 0; i < 100; i++) evbuffer_add(b, "0123456789", 10);
		evhttp_send_reply(req, 200, "Big", b);
	} else if (!strcmp(uri, "/headers")) {
		int i;
		char name[32];
		for (i = 0; i < 20; i++) {
			snprintf(name, sizeof(name), "X-Header-%d", i);
			evhttp_add_header(evhttp_request_get_output_headers(req), name, "some value here");
		}
		evhttp_send_reply(req, 200, "Headers", NULL);
	} else {
		evbuffer_add_printf(b, "you asked for %s", uri);
		evhttp_send_reply(req, 200, "OK", b);
	}
	evbuffer_free(b);
}

static void client_cb(struct evhttp_request *req, void *arg)
{
	if (!req) {
		printf("  client(%s): NULL\n", (const char *)arg);
	} else {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		char body[128];
		size_t n = evbuffer_get_length(in);
		if (n > 127) n = 127;
		evbuffer_copyout(in, body, n);
		body[n] = 0;
		printf("  client(%s): %d %s body=%zu [%s] owned=%d\n", (const char *)arg,
		    evhttp_request_get_response_code(req), evhttp_request_get_response_code_line(req),
		    evbuffer_get_length(in), body, evhttp_request_is_owned(req));
		if (!strcmp(arg, "own")) {
			evhttp_request_own(req);
			owned = req;
		}
	}
	if (--pending == 0) event_base_loopexit(base, NULL);
}

static void client_err(enum evhttp_request_error e, void *arg)
{
	printf("  client(%s) error %d\n", (const char *)arg, (int)e);
}

static void go(struct evhttp_connection *evcon, const char *label, const char *uri)
{
	struct evhttp_request *r = evhttp_request_new(client_cb, (void *)label);
	evhttp_request_set_error_cb(r, client_err);
	evhttp_make_request(evcon, r, EVHTTP_REQ_GET, uri);
	pending++;
}

static void each(struct evhttp_bound_socket *b, void *arg)
{
	*(int *)arg = http_port(b);
}

int main(void)
{
	struct evhttp *http, *compat;
	struct evhttp_connection *evcon;
	int port = 0, cport = 0;

	base = event_init();
	http = evhttp_new(base);
	printf("bind_socket=%d\n", evhttp_bind_socket(http, "127.0.0.1", 0));
	evhttp_foreach_bound_socket(http, each, &port);
	evhttp_set_gencb(http, server_cb, NULL);

	printf("== chunks, own, big body, client limits\n");
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	printf("get_base same=%d flags bad=%d ok=%d\n", evhttp_connection_get_base(evcon) == base,
	    evhttp_connection_set_flags(evcon, 0x4), evhttp_connection_set_flags(evcon, EVHTTP_CON_REUSE_CONNECTED_ADDR));
	evhttp_connection_set_family(evcon, AF_INET);
	evhttp_connection_set_local_address(evcon, "127.0.0.1");
	evhttp_connection_set_local_port(evcon, 0);
	go(evcon, "stream", "/stream");
	go(evcon, "own", "/own");
	go(evcon, "plain", "/plain");
	event_base_dispatch(base);
	{
		const struct sockaddr_in *in = (const struct sockaddr_in *)evhttp_connection_get_addr(evcon);
		printf("client get_addr: family=%d ip=%s port ok=%d\n", in ? in->sin_family : -1,
		    in ? inet_ntoa(in->sin_addr) : "-", in ? ntohs(in->sin_port) == port : 0);
	}
	printf("owned request kept: code=%d\n", evhttp_request_get_response_code(owned));
	evhttp_request_free(owned);
	evhttp_connection_set_max_body_size(evcon, 500);
	go(evcon, "big over client limit", "/big");
	event_base_dispatch(base);
	evhttp_connection_set_max_body_size(evcon, -1);
	evhttp_connection_set_max_headers_size(evcon, 200);
	go(evcon, "headers over client limit", "/headers");
	event_base_dispatch(base);
	evhttp_connection_set_max_headers_size(evcon, -1);
	go(evcon, "after limits", "/again");
	event_base_dispatch(base);
	evhttp_connection_free(evcon);

	printf("== own bufferevent, timeout_tv, Expect: 100-continue\n");
	{
		struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
		struct timeval tv = { 5, 0 };
		struct evhttp_request *r;
		evcon = evhttp_connection_base_bufferevent_new(base, NULL, bev, "127.0.0.1", port);
		printf("bufferevent same=%d\n", evhttp_connection_get_bufferevent(evcon) == bev);
		evhttp_connection_set_timeout_tv(evcon, &tv);
		r = evhttp_request_new(client_cb, "expect");
		evhttp_add_header(evhttp_request_get_output_headers(r), "Expect", "100-continue");
		evbuffer_add(evhttp_request_get_output_buffer(r), "payload", 7);
		evhttp_make_request(evcon, r, EVHTTP_REQ_POST, "/expect");
		pending++;
		event_base_dispatch(base);
		evhttp_connection_free(evcon);
	}

	printf("== free on completion\n");
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evhttp_connection_free_on_completion(evcon);
	go(evcon, "auto-free", "/x");
	{
		struct evhttp_request *r = evhttp_request_new(client_cb, "auto-free close");
		evhttp_add_header(evhttp_request_get_output_headers(r), "Connection", "close");
		evhttp_make_request(evcon, r, EVHTTP_REQ_GET, "/y");
		pending++;
	}
	event_base_dispatch(base);

	printf("== compat API\n");
	compat = evhttp_start("127.0.0.1", 0);
	printf("evhttp_start %s\n", compat ? "ok" : "NULL");
	evhttp_foreach_bound_socket(compat, each, &cport);
	evhttp_set_gencb(compat, server_cb, NULL);
	evcon = evhttp_connection_new("127.0.0.1", cport);
	evhttp_connection_set_base(evcon, base);
	go(evcon, "compat", "/compat");
	event_base_dispatch(base);
	evhttp_connection_free(evcon);
	evhttp_free(compat);

	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
