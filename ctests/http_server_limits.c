/* Covers: evhttp_set_max_headers_size, evhttp_set_max_body_size, evhttp_set_timeout,
 * evhttp_set_timeout_tv, evhttp_set_allowed_methods, evhttp_set_default_content_type,
 * evhttp_add_virtual_host, evhttp_remove_virtual_host, evhttp_add_server_alias,
 * evhttp_remove_server_alias, evhttp_accept_socket, evhttp_accept_socket_with_handle,
 * evhttp_bind_listener, evhttp_bound_socket_get_listener, evhttp_foreach_bound_socket,
 * evhttp_del_accept_socket, evhttp_set_bevcb, evhttp_request_set_on_complete_cb,
 * evhttp_request_get_connection, evhttp_connection_get_server, evhttp_connection_get_peer,
 * evhttp_connection_get_bufferevent, evhttp_set_flags; requests libevent also accepts or
 * refuses (limits, framing, folded and LF-only lines, trailers).
 * ctest-timeout: 40
 */
#include "http_common.h"

static struct evhttp *g_http;

static void on_complete(struct evhttp_request *req, void *arg)
{
	printf("  on_complete(%s) code=%d\n", (const char *)arg, evhttp_request_get_response_code(req));
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	char body[128], *peer = NULL;
	ev_uint16_t port = 0;
	size_t n = evbuffer_get_length(in);
	if (n > 127) n = 127;
	evbuffer_copyout(in, body, n);
	body[n] = 0;
	evhttp_connection_get_peer(evcon, &peer, &port);
	printf("  cb(%s): uri=%s host=%s body=%zu [%s] server=%s peer=%s bev=%d\n", (const char *)arg,
	    evhttp_request_get_uri(req), evhttp_request_get_host(req) ? evhttp_request_get_host(req) : "(null)",
	    evbuffer_get_length(in), body,
	    evhttp_connection_get_server(evcon) == g_http ? "main" : "other", peer,
	    evhttp_connection_get_bufferevent(evcon) != NULL);
	print_headers("in", evhttp_request_get_input_headers(req));
	evhttp_request_set_on_complete_cb(req, on_complete, arg);
	evhttp_send_reply(req, 200, "OK", NULL);
}

static int bevcb_calls;
static struct bufferevent *bevcb(struct event_base *base, void *arg)
{
	(void)arg;
	bevcb_calls++;
	return bufferevent_socket_new(base, -1, 0);
}

static void each_bound(struct evhttp_bound_socket *b, void *arg)
{
	(*(int *)arg)++;
	(void)b;
}

static void run(struct event_base *base, struct raw_job *j, int port, const char *label, const char *req)
{
	memset(j, 0, sizeof(*j));
	j->port = port;
	j->parts[0] = req;
	printf("== %s\n", label);
	raw_run(base, j, "response");
	fflush(stdout);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	struct evhttp *vhost = evhttp_new(base), *vhost2 = evhttp_new(base);
	struct evhttp_bound_socket *b = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0), *b2, *b3;
	struct raw_job *j = calloc(1, sizeof(*j));
	struct evconnlistener *l;
	struct sockaddr_in sin;
	int port = http_port(b), count = 0, fd;
	char big[600];
	g_http = http;
	evhttp_set_gencb(http, gen_cb, "main");
	evhttp_set_gencb(vhost, gen_cb, "vhost");
	evhttp_set_gencb(vhost2, gen_cb, "vhost2");
	evhttp_set_max_body_size(http, 100);
	evhttp_set_max_headers_size(http, 300);
	printf("add vhost=%d again=%d\n", evhttp_add_virtual_host(http, "*.example.com", vhost),
	    evhttp_add_virtual_host(http, "x", vhost));
	printf("add vhost2=%d alias=%d alias2=%d\n", evhttp_add_virtual_host(http, "v2.*", vhost2),
	    evhttp_add_server_alias(vhost2, "alias.test"), evhttp_add_server_alias(http, "main.alias"));
	printf("set_flags bad=%d ok=%d\n", evhttp_set_flags(http, 0x10), evhttp_set_flags(http, 0));

	run(base, j, port, "vhost pattern", "GET / HTTP/1.1\r\nHost: www.EXAMPLE.com:81\r\nConnection: close\r\n\r\n");
	run(base, j, port, "vhost2 pattern", "GET / HTTP/1.1\r\nHost: v2.anything\r\nConnection: close\r\n\r\n");
	run(base, j, port, "alias of vhost2", "GET / HTTP/1.1\r\nHost: ALIAS.test\r\nConnection: close\r\n\r\n");
	run(base, j, port, "main alias", "GET http://main.alias/x HTTP/1.1\r\nConnection: close\r\n\r\n");
	run(base, j, port, "no match", "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
	printf("remove alias=%d missing=%d remove vhost=%d again=%d\n", evhttp_remove_server_alias(vhost2, "alias.test"),
	    evhttp_remove_server_alias(vhost2, "alias.test"), evhttp_remove_virtual_host(http, vhost),
	    evhttp_remove_virtual_host(http, vhost));
	run(base, j, port, "vhost removed", "GET / HTTP/1.1\r\nHost: www.example.com\r\nConnection: close\r\n\r\n");
	run(base, j, port, "alias removed", "GET / HTTP/1.1\r\nHost: alias.test\r\nConnection: close\r\n\r\n");

	run(base, j, port, "body at limit", "POST / HTTP/1.1\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"
	    "0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789");
	run(base, j, port, "body over limit", "POST / HTTP/1.1\r\nContent-Length: 500\r\nConnection: close\r\n\r\nhello");
	run(base, j, port, "chunk over limit", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
	    "65\r\n");
	memset(big, 'a', sizeof(big)); big[sizeof(big) - 1] = 0;
	memcpy(big, "GET /", 5);
	run(base, j, port, "long first line", big);
	memcpy(big, "GET / HTTP/1.1\r\nX: ", 19);
	memcpy(big + 590, "\r\n\r\n", 5);
	run(base, j, port, "long header", big);
	run(base, j, port, "TE and CL", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 5\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
	run(base, j, port, "TE list", "POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
	run(base, j, port, "TE case", "POST / HTTP/1.1\r\nTransfer-Encoding: Chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
	run(base, j, port, "trailer", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n0\r\nX-T: t\r\n\r\n");
	run(base, j, port, "same CL twice", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
	run(base, j, port, "CL trailing space", "POST / HTTP/1.1\r\nContent-Length: 5 \r\nConnection: close\r\n\r\nhello");
	run(base, j, port, "CL letters", "POST / HTTP/1.1\r\nContent-Length: 5x\r\nConnection: close\r\n\r\nhello");
	run(base, j, port, "GET with body", "GET / HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
	run(base, j, port, "HTTP/0.9", "GET / HTTP/0.9\r\n\r\n");
	run(base, j, port, "LF only", "GET / HTTP/1.1\nHost: lf\nConnection: close\n\n");
	run(base, j, port, "control char", "GET / HTTP/1.1\r\nX: a\x01" "b\r\nConnection: close\r\n\r\n");
	run(base, j, port, "CR in value", "GET / HTTP/1.1\r\nX: a\rb\r\nConnection: close\r\n\r\n");

	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_PATCH);
	evhttp_set_default_content_type(http, NULL);
	run(base, j, port, "POST not allowed", "POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
	run(base, j, port, "PATCH allowed, no content type", "PATCH / HTTP/1.1\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi");
	evhttp_set_default_content_type(http, "text/plain");
	run(base, j, port, "custom content type", "GET / HTTP/1.1\r\nConnection: close\r\n\r\n");
	evhttp_set_allowed_methods(http, 0xffff);
	evhttp_set_max_body_size(http, -1);
	evhttp_set_max_headers_size(http, -1);

	/* a listener the program made, and a socket it bound */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	l = evconnlistener_new_bind(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof(sin));
	b2 = evhttp_bind_listener(http, l);
	printf("bind_listener same=%d\n", evhttp_bound_socket_get_listener(b2) == l);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	listen(fd, 16);
	evutil_make_socket_nonblocking(fd);
	b3 = evhttp_accept_socket_with_handle(http, fd);
	printf("accept_socket_with_handle fd same=%d bad fd=%d\n", evhttp_bound_socket_get_fd(b3) == fd,
	    evhttp_accept_socket(http, -1));
	evhttp_foreach_bound_socket(http, each_bound, &count);
	printf("bound sockets=%d\n", count);
	evhttp_set_bevcb(http, bevcb, NULL);
	run(base, j, http_port(b2), "via listener + bevcb", "GET /l HTTP/1.1\r\nConnection: close\r\n\r\n");
	run(base, j, http_port(b3), "via accepted socket", "GET /s HTTP/1.1\r\nConnection: close\r\n\r\n");
	printf("bevcb calls=%d\n", bevcb_calls);
	evhttp_del_accept_socket(http, b2);
	evhttp_del_accept_socket(http, b3);
	count = 0;
	evhttp_foreach_bound_socket(http, each_bound, &count);
	printf("bound sockets after del=%d\n", count);

	/* idle connections end after the server's timeout, without a reply */
	evhttp_set_timeout(http, 1);
	memset(j, 0, sizeof(*j));
	j->port = port;
	j->parts[0] = "GET / HTTP/1.1\r\nHost: slow\r\n";
	j->idle_ms = 3000;
	printf("== timeout (partial request)\n");
	raw_run(base, j, "response");
	{
		struct timeval tv = { 0, 300000 };
		evhttp_set_timeout_tv(http, &tv);
	}
	memset(j, 0, sizeof(*j));
	j->port = port;
	j->parts[0] = "GET / HTTP/1.1\r\n\r\n";
	j->idle_ms = 3000;
	printf("== timeout (keep-alive idle)\n");
	raw_run(base, j, "response");

	free(j);
	evhttp_free(http);
	evhttp_free(vhost);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
