/* Covers: keep-alive server connections between requests (ours makes the
 * request object only when the next request's bytes arrive, and reuses
 * finished requests across connections): a request arriving in pieces,
 * several on one connection with a close callback, pipelined requests, an
 * idle connection timing out, one closed without a request, and a request
 * on a new connection after others finished (nothing of theirs left in it).
 * evhttp_connection_set_closecb, evhttp_set_timeout, evhttp_request_get_host,
 * evhttp_request_get_connection.
 * ctest-timeout: 40
 */
#include "http_common.h"

static int ncb;

static void on_close(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	printf("  closecb(%s)\n", (const char *)arg);
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	const char *host = evhttp_request_get_host(req);
	(void)arg;
	ncb++;
	printf("  cb %d: %s uri=%s host=%s body=%zu out=%zu\n", ncb,
	    evhttp_request_get_command(req) == EVHTTP_REQ_POST ? "POST" : "GET",
	    evhttp_request_get_uri(req), host ? host : "(null)", evbuffer_get_length(in), evbuffer_get_length(out));
	print_headers("in", evhttp_request_get_input_headers(req));
	print_headers("out", evhttp_request_get_output_headers(req));
	if (!strcmp(evhttp_request_get_uri(req), "/closecb"))
		evhttp_connection_set_closecb(evhttp_request_get_connection(req), on_close, "keepalive");
	evbuffer_add_printf(out, "reply %d\n", ncb);
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void run(struct event_base *base, int port, const char *label, const char **parts, int idle_ms, int half_close)
{
	struct raw_job *j = calloc(1, sizeof(*j));
	int i;
	j->port = port;
	for (i = 0; parts[i] && i < 8; i++)
		j->parts[i] = parts[i];
	j->idle_ms = idle_ms;
	j->half_close = half_close;
	printf("%s\n", label);
	raw_run(base, j, "reply");
	free(j);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	struct evhttp_bound_socket *b = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	int port = http_port(b);
	evhttp_set_gencb(http, gen_cb, NULL);

	{
		const char *p[] = { "G", "ET /split HTTP/1.1\r\nHo", "st: a.example\r\nX-One: 1\r\n\r\n", NULL };
		run(base, port, "request in three pieces", p, 0, 0);
	}
	{
		const char *p[] = { "GET /closecb HTTP/1.1\r\nHost: b\r\n\r\n",
			"POST /second HTTP/1.1\r\nHost: c\r\nContent-Length: 3\r\n\r\nabc",
			"GET /third HTTP/1.1\r\nHost: d\r\n\r\n", NULL };
		run(base, port, "three requests on one connection, then the client closes", p, 0, 1);
	}
	{
		const char *p[] = { "GET /p1 HTTP/1.1\r\nHost: e\r\n\r\nGET /p2 HTTP/1.1\r\nHost: f\r\nX-Two: 2\r\n\r\n", NULL };
		run(base, port, "two pipelined requests", p, 0, 0);
	}
	{
		const char *p[] = { "GET /fresh HTTP/1.1\r\n\r\n", NULL };
		run(base, port, "a new connection: nothing of the earlier requests", p, 0, 0);
	}
	{
		const char *p[] = { NULL };
		run(base, port, "a connection that sends nothing and closes", p, 100, 1);
	}
	evhttp_set_timeout(http, 1);
	{
		const char *p[] = { "GET /closecb HTTP/1.1\r\nHost: g\r\n\r\n", NULL };
		run(base, port, "one request, then idle until the server's timeout", p, 2500, 0);
	}
	{
		const char *p[] = { NULL };
		run(base, port, "no request, idle until the server's timeout", p, 2500, 0);
	}
	printf("callbacks: %d\n", ncb);
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
