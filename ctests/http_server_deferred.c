/* Covers: replies the program sends later from a timer (deferred replies):
 * a client that half-closes after its request still gets the reply (reading
 * stops while a request is answered), HTTP/1.0 and 1.1, pipelined requests
 * whose first reply is late are answered in order, a deferred chunked reply
 * (evhttp_send_reply_start/chunk/end from timers), chunks sent from the
 * callback of evhttp_send_reply_chunk_with_cb, and
 * evhttp_request_get_connection while the reply is pending. (Pipelined
 * requests followed by a half-close: libevent drops those after the first,
 * ours answers them: tests/http_strict.sh.)
 * ctest-timeout: 30
 */
#include "http_common.h"

static struct event_base *base;

static void late(evutil_socket_t fd, short w, void *arg)
{
	struct evhttp_request *req = arg;
	(void)fd; (void)w;
	printf("  late reply to %s (connection %s)\n", evhttp_request_get_uri(req),
	    evhttp_request_get_connection(req) ? "set" : "NULL");
	evhttp_send_reply(req, 200, "Late", NULL);
}

static int chunk_step;
static void chunk_late(evutil_socket_t fd, short w, void *arg)
{
	struct evhttp_request *req = arg;
	struct evbuffer *b;
	struct timeval tv = { 0, 50000 };
	(void)fd; (void)w;
	if (chunk_step == 3) {
		printf("  chunked end\n");
		evhttp_send_reply_end(req);
		return;
	}
	b = evbuffer_new();
	evbuffer_add_printf(b, "chunk %d;", chunk_step++);
	evhttp_send_reply_chunk(req, b);
	evbuffer_free(b);
	event_base_once(base, -1, EV_TIMEOUT, chunk_late, req, &tv);
}

/* evhttp_send_reply_chunk_with_cb: the next chunk, then the end, from the
 * callback that says the previous chunk went out. */
static void chunk_written(struct evhttp_connection *evcon, void *arg)
{
	struct evhttp_request *req = arg;
	struct evbuffer *b;
	printf("  chunk %d written (evcon %s)\n", chunk_step, evcon ? "set" : "NULL");
	if (chunk_step == 2) {
		evhttp_send_reply_end(req);
		return;
	}
	b = evbuffer_new();
	evbuffer_add_printf(b, "cb chunk %d;", ++chunk_step);
	evhttp_send_reply_chunk_with_cb(req, b, chunk_written, req);
	evbuffer_free(b);
}

static void cb(struct evhttp_request *req, void *arg)
{
	const char *uri = evhttp_request_get_uri(req);
	struct timeval tv = { 0, 150000 };
	(void)arg;
	printf("  cb %s\n", uri);
	if (!strcmp(uri, "/fast")) {
		evhttp_send_reply(req, 200, "Fast", NULL);
	} else if (!strcmp(uri, "/withcb")) {
		struct evbuffer *b = evbuffer_new();
		chunk_step = 0;
		evhttp_send_reply_start(req, 200, "With cb");
		evbuffer_add(b, "first;", 6);
		evhttp_send_reply_chunk_with_cb(req, b, chunk_written, req);
		evbuffer_free(b);
	} else if (!strcmp(uri, "/chunked")) {
		chunk_step = 0;
		evhttp_send_reply_start(req, 200, "Later");
		event_base_once(base, -1, EV_TIMEOUT, chunk_late, req, &tv);
	} else {
		event_base_once(base, -1, EV_TIMEOUT, late, req, &tv);
	}
}

int main(void)
{
	struct evhttp *http;
	struct evhttp_bound_socket *b;
	struct raw_job *j = calloc(1, sizeof(*j));
	static const struct { const char *label; const char *req; int half; } cases[] = {
		{ "1.1 half-close, late reply", "GET /late HTTP/1.1\r\n\r\n", 1 },
		{ "1.0 half-close, late reply", "GET /late HTTP/1.0\r\n\r\n", 1 },
		{ "pipelined, first late", "GET /slow HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\nGET /slow2 HTTP/1.1\r\nConnection: close\r\n\r\n", 0 },
		{ "deferred chunks", "GET /chunked HTTP/1.1\r\nConnection: close\r\n\r\n", 0 },
		{ "chunks from the written callback", "GET /withcb HTTP/1.1\r\nConnection: close\r\n\r\n", 0 },
		{ "chunks from the written callback, 1.0", "GET /withcb HTTP/1.0\r\n\r\n", 0 },
		{ "POST body, late reply", "POST /late HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc", 1 },
	};
	size_t i;
	base = event_base_new();
	http = evhttp_new(base);
	b = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	evhttp_set_gencb(http, cb, NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(j, 0, sizeof(*j));
		j->port = http_port(b);
		j->parts[0] = cases[i].req;
		j->half_close = cases[i].half;
		j->idle_ms = 1500;
		printf("== %s\n", cases[i].label);
		raw_run(base, j, "response");
		fflush(stdout);
	}
	free(j);
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
