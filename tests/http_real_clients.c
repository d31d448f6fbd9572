/* An evhttp server for tests/http_real_clients.sh (curl and python's
 * http.client against it, built once on real libevent and once on ours):
 * prints its port, serves until SIGTERM. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

static void cb(struct evhttp_request *req, void *arg)
{
	const char *path = evhttp_uri_get_path(evhttp_request_get_evhttp_uri(req));
	struct evbuffer *b = evbuffer_new();
	(void)arg;
	if (!strcmp(path, "/hello")) {
		evbuffer_add_printf(b, "hello from %s\n", evhttp_request_get_uri(req));
		evhttp_send_reply(req, 200, "OK", b);
	} else if (!strcmp(path, "/chunks")) {
		evhttp_send_reply_start(req, 200, "Streaming");
		evbuffer_add(b, "one ", 4);
		evhttp_send_reply_chunk(req, b);
		evbuffer_add(b, "two\n", 4);
		evhttp_send_reply_chunk(req, b);
		evhttp_send_reply_end(req);
	} else if (!strcmp(path, "/echo")) {
		struct evkeyval *kv;
		for (kv = evhttp_request_get_input_headers(req)->tqh_first; kv; kv = kv->next.tqe_next)
			if (!strcasecmp(kv->key, "Content-Type"))
				evhttp_add_header(evhttp_request_get_output_headers(req), "X-Got-Type", kv->value);
		evhttp_send_reply(req, 200, "Echo", evhttp_request_get_input_buffer(req));
	} else if (!strcmp(path, "/error")) {
		evhttp_send_error(req, 418, "I'm a teapot");
	} else if (!strcmp(path, "/nothing")) {
		evhttp_send_reply(req, 204, NULL, NULL);
	} else {
		evhttp_send_error(req, 404, NULL);
	}
	evbuffer_free(b);
}

static void on_term(evutil_socket_t s, short w, void *base)
{
	(void)s; (void)w;
	event_base_loopbreak(base);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	struct evhttp_bound_socket *b = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	struct event *term = evsignal_new(base, SIGTERM, on_term, base);
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	evhttp_set_gencb(http, cb, NULL);
	evhttp_set_max_body_size(http, 1000);
	event_add(term, NULL);
	getsockname(evhttp_bound_socket_get_fd(b), (struct sockaddr *)&sin, &len);
	printf("%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	event_base_dispatch(base);
	event_free(term);
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
