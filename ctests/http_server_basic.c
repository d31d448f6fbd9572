/* Covers: evhttp server answering raw clients: evhttp_new, bind_socket_with_handle,
 * bound_socket_get_fd, set_gencb, set_cb, send_reply, send_reply_start/chunk/end,
 * send_error, the 404 page, request accessors; keep-alive and close by HTTP version
 * and Connection header, HEAD, 204, POST bodies (length and chunked), pipelining,
 * Expect: 100-continue. Prints the exact bytes on the wire (Date normalized).
 * ctest-timeout: 30
 */
#include "http_common.h"

static void show_request(struct evhttp_request *req)
{
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	size_t n = evbuffer_get_length(in);
	char body[256];
	if (n > sizeof(body) - 1) n = sizeof(body) - 1;
	evbuffer_copyout(in, body, n);
	body[n] = 0;
	printf("  cb: cmd=%d uri=%s host=%s path=%s query=%s v=%d.%d remote=%s kind=%d\n",
	    (int)evhttp_request_get_command(req), evhttp_request_get_uri(req),
	    evhttp_request_get_host(req) ? evhttp_request_get_host(req) : "(null)",
	    u && evhttp_uri_get_path(u) ? evhttp_uri_get_path(u) : "(null)",
	    u && evhttp_uri_get_query(u) ? evhttp_uri_get_query(u) : "(null)",
	    req->major, req->minor, req->remote_host, (int)req->kind);
	print_headers("in", evhttp_request_get_input_headers(req));
	printf("  body=%zu [%s]\n", evbuffer_get_length(in), body);
	printf("  fields: flags=%d headers_size=%zu body_size=%zu ntoread=%lld chunked=%d userdone=%d code=%d line=%s evcon=%d\n",
	    req->flags, req->headers_size, req->body_size, (long long)req->ntoread, req->chunked, req->userdone,
	    req->response_code, req->response_code_line ? req->response_code_line : "(null)", req->evcon != NULL);
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct evbuffer *b = evbuffer_new();
	(void)arg;
	show_request(req);
	if (!strcmp(path, "/hello")) {
		evbuffer_add_printf(b, "hello world\n");
		evhttp_send_reply(req, 200, "OK", b);
	} else if (!strcmp(path, "/empty")) {
		evhttp_send_reply(req, 204, NULL, NULL);
	} else if (!strcmp(path, "/chunks")) {
		evhttp_send_reply_start(req, 200, NULL);
		evbuffer_add(b, "first", 5);
		evhttp_send_reply_chunk(req, b);
		evbuffer_add(b, "second!", 7);
		evhttp_send_reply_chunk(req, b);
		evhttp_send_reply_end(req);
	} else if (!strcmp(path, "/error")) {
		evhttp_send_error(req, 403, "Go <away>");
	} else if (!strcmp(path, "/error2")) {
		evhttp_send_error(req, 503, NULL);
	} else if (!strcmp(path, "/echo")) {
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
		evhttp_add_header(evhttp_request_get_output_headers(req), "X-Test", "1");
		evhttp_send_reply(req, 200, "Echo", evhttp_request_get_input_buffer(req));
	} else if (!strcmp(path, "/code")) {
		evhttp_send_reply(req, 299, NULL, NULL);
	} else {
		evhttp_send_reply(req, 200, "Plain", NULL);
	}
	evbuffer_free(b);
}

static void path_cb(struct evhttp_request *req, void *arg)
{
	printf("  path_cb(%s)\n", (const char *)arg);
	show_request(req);
	evhttp_send_reply(req, 200, "From path cb", NULL);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	struct evhttp *bare = evhttp_new(base);
	struct evhttp_bound_socket *b = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	struct evhttp_bound_socket *b2 = evhttp_bind_socket_with_handle(bare, "127.0.0.1", 0);
	struct raw_job *j = calloc(1, sizeof(*j));
	int port = http_port(b), port2 = http_port(b2);
	static const struct { const char *label; const char *p[4]; int half; int bare; } cases[] = {
		{ "1.1 close", { "GET /hello?x=1 HTTP/1.1\r\nHost: example.com:8080\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "1.0 plain", { "GET /hello HTTP/1.0\r\n\r\n" }, 0, 0 },
		{ "1.0 keep-alive then close", { "GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n",
		    "GET /hello HTTP/1.0\r\n\r\n" }, 0, 0 },
		{ "1.1 keep-alive two", { "GET /hello HTTP/1.1\r\nHost: a\r\n\r\n",
		    "GET /x HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "HEAD", { "HEAD /hello HTTP/1.1\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "204", { "GET /empty HTTP/1.1\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "299", { "GET /code HTTP/1.1\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "chunked reply 1.1", { "GET /chunks HTTP/1.1\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "chunked reply 1.0", { "GET /chunks HTTP/1.0\r\n\r\n" }, 0, 0 },
		{ "send_error reason", { "GET /error HTTP/1.1\r\n\r\n" }, 0, 0 },
		{ "send_error default", { "GET /error2 HTTP/1.0\r\n\r\n" }, 0, 0 },
		{ "POST length", { "POST /echo HTTP/1.1\r\nContent-Length: 11\r\nConnection: close\r\n\r\nhello ", "world" }, 0, 0 },
		{ "POST chunked", { "POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n",
		    "6\r\n world\r\n0\r\n\r\n" }, 0, 0 },
		{ "PUT folded header", { "PUT /echo HTTP/1.1\r\nX-Long: one\r\n  two\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok" }, 0, 0 },
		{ "expect 100", { "POST /echo HTTP/1.1\r\nExpect: 100-continue\r\nContent-Length: 4\r\nConnection: close\r\n\r\n", "body" }, 0, 0 },
		{ "expect other", { "POST /echo HTTP/1.1\r\nExpect: something\r\nContent-Length: 4\r\n\r\nbody" }, 0, 0 },
		{ "pipelined", { "GET /hello HTTP/1.1\r\n\r\nGET /empty HTTP/1.1\r\n\r\nGET /x HTTP/1.1\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "path cb", { "GET /p%61th?q HTTP/1.1\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "absolute uri", { "GET http://other.example/hello HTTP/1.1\r\nConnection: close\r\n\r\n" }, 0, 0 },
		{ "404 page", { "GET /no<where>&\"x' HTTP/1.1\r\n\r\n" }, 0, 1 },
		{ "bad request line", { "GARBAGE\r\n\r\n" }, 0, 0 },
		{ "bad version", { "GET / HTTP/2.0\r\n\r\n" }, 0, 0 },
		{ "unknown method", { "FOO / HTTP/1.1\r\n\r\n" }, 0, 0 },
		{ "not allowed method", { "OPTIONS / HTTP/1.1\r\n\r\n" }, 0, 0 },
		{ "header without colon", { "GET / HTTP/1.1\r\nNoColon\r\n\r\n" }, 0, 0 },
		{ "half close", { "GET /hello HTTP/1.1\r\n\r\n" }, 1, 0 },
		{ "client drops", { "GET /hello HTTP/1.1\r\nHost: x\r\n" }, 1, 0 },
	};
	size_t i;
	evhttp_set_gencb(http, gen_cb, NULL);
	evhttp_set_cb(http, "/path", path_cb, "path");
	printf("set_cb dup=%d del missing=%d\n", evhttp_set_cb(http, "/path", path_cb, NULL),
	    evhttp_del_cb(http, "/none"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int k;
		memset(j, 0, sizeof(*j));
		j->port = cases[i].bare ? port2 : port;
		for (k = 0; k < 4; k++) j->parts[k] = cases[i].p[k];
		j->half_close = cases[i].half;
		printf("== %s\n", cases[i].label);
		fflush(stdout);
		raw_run(base, j, "response");
		fflush(stdout);
	}
	free(j);
	evhttp_free(http);
	evhttp_free(bare);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
