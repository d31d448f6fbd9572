/* Our evhttp server's departures from libevent 2.1.12 (README, "evhttp departures"):
 * request smuggling shapes answered 400, a body over the limit answered 413 and the
 * connection drained (no reset), pipelined requests answered in order even when the
 * first reply is late. Prints one line per case: its name and what the client saw;
 * tests/http_strict.sh compares with the expected lines. Built against our library. */
#include "../ctests/http_common.h"

static struct event_base *base;

static void late_reply(evutil_socket_t fd, short w, void *arg)
{
	(void)fd; (void)w;
	evhttp_send_reply(arg, 200, "Late", NULL);
}

static void gen_cb(struct evhttp_request *req, void *arg)
{
	const char *uri = evhttp_request_get_uri(req);
	(void)arg;
	if (!strcmp(uri, "/slow")) {
		struct timeval tv = { 0, 150000 };
		event_base_once(base, -1, EV_TIMEOUT, late_reply, req, &tv);
		return;
	}
	evhttp_send_reply(req, 200, "OK", NULL);
}

/* The status codes of every response in the bytes, space separated. */
static void summary(const char *name, struct raw_job *j)
{
	const char *p = j->out;
	printf("%s:", name);
	while ((p = strstr(p, "HTTP/1.1 ")) != NULL) {
		printf(" %.3s", p + 9);
		if (!strncmp(p + 9, "200 ", 4)) printf("(%.*s)", (int)strcspn(p + 13, "\r"), p + 13);
		p += 9;
	}
	printf(" closed=%d reset=%d\n", j->closed, j->reset);
}

int main(void)
{
	static const struct { const char *name; const char *req; } cases[] = {
		{ "chunk 0x", "0x5\r\nhello\r\n0\r\n\r\n" },
		{ "chunk +", "+5\r\nhello\r\n0\r\n\r\n" },
		{ "chunk -", "-5\r\nhello\r\n0\r\n\r\n" },
		{ "chunk leading space", " 5\r\nhello\r\n0\r\n\r\n" },
		{ "chunk trailing space", "5 \r\nhello\r\n0\r\n\r\n" },
		{ "chunk overflow", "ffffffffffffffffff\r\nhello\r\n0\r\n\r\n" },
		{ "chunk no CRLF after data", "5\r\nhelloXX0\r\n\r\n" },
		{ "chunk blank line", "5\r\nhello\r\n\r\n0\r\n\r\n" },
		{ "chunk valid", "5\r\nhello\r\n0\r\n\r\n" },
	};
	static const struct { const char *name; const char *req; } raw[] = {
		{ "version overflow", "GET / HTTP/1.99999999999\r\n\r\n" },
		{ "version negative", "GET / HTTP/1.-1\r\n\r\n" },
		{ "version plus", "GET / HTTP/+1.1\r\n\r\n" },
		{ "request line trailing space", "GET / HTTP/1.1 \r\n\r\n" },
		{ "empty header name", "GET / HTTP/1.1\r\n: x\r\n\r\n" },
		{ "space in header name", "GET / HTTP/1.1\r\nContent-Length : 5\r\n\r\n" },
		{ "NUL in header value", "GET / HTTP/1.1\r\nX: a\0b\r\n\r\n" },
		{ "TE chunked not last", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, gzip\r\n\r\n5\r\nhello\r\n0\r\n\r\n" },
		{ "TE twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n" },
		{ "TE chunked twice", "POST / HTTP/1.1\r\nTransfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n" },
		{ "TE identity", "POST / HTTP/1.1\r\nTransfer-Encoding: identity\r\n\r\n" },
		{ "CL conflicting", "POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!" },
		{ "CL plus", "POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nhello" },
		{ "CL list", "POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nhello" },
		{ "pipelined, first late", "GET /slow HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\nConnection: close\r\n\r\n" },
		{ "pipelined, then half-close", "GET /slow HTTP/1.1\r\n\r\nGET /fast HTTP/1.1\r\n\r\n" },
	};
	struct evhttp *http;
	struct evhttp_bound_socket *b;
	struct raw_job *j = calloc(1, sizeof(*j));
	char *big;
	size_t i;
	base = event_base_new();
	http = evhttp_new(base);
	b = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	evhttp_set_gencb(http, gen_cb, NULL);
	evhttp_set_max_body_size(http, 100);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char req[512];
		memset(j, 0, sizeof(*j));
		snprintf(req, sizeof(req), "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n%s", cases[i].req);
		j->port = http_port(b);
		j->parts[0] = req;
		raw_run(base, j, "bytes");
		summary(cases[i].name, j);
	}
	for (i = 0; i < sizeof(raw) / sizeof(raw[0]); i++) {
		memset(j, 0, sizeof(*j));
		j->port = http_port(b);
		j->parts[0] = raw[i].req;
		j->half_close = !strcmp(raw[i].name, "pipelined, then half-close");
		if (!strcmp(raw[i].name, "NUL in header value"))
			j->lens[0] = 24;  /* the NUL and what follows it */
		raw_run(base, j, "bytes");
		summary(raw[i].name, j);
	}
	/* A body far over the limit: the 413 page arrives whole, no reset. */
	big = malloc(1 << 20);
	memset(big, 'x', 1 << 20);
	memcpy(big, "POST / HTTP/1.1\r\nContent-Length: 1048000\r\n\r\n", 44);
	big[(1 << 20) - 1] = 0;
	memset(j, 0, sizeof(*j));
	j->port = http_port(b);
	j->parts[0] = big;
	raw_run(base, j, "bytes");
	summary("body over limit, 1 MiB sent", j);
	/* A refused request whose body is still coming: the 400 page arrives whole. */
	memset(big, 'x', 1 << 20);
	memcpy(big, "POST / HTTP/1.1\r\nContent-Length: 9x\r\n\r\n", 39);
	big[(1 << 20) - 1] = 0;
	memset(j, 0, sizeof(*j));
	j->port = http_port(b);
	j->parts[0] = big;
	raw_run(base, j, "bytes");
	summary("bad request, 1 MiB following", j);
	free(big);
	free(j);
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
