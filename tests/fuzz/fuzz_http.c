/*
 * libFuzzer harness for our evhttp parsers, through the public API only
 * (tests/fuzz_http.sh builds it against build/lib with -fsanitize=fuzzer,address).
 * Byte 0 picks the target, the rest is the data:
 *   0: a request: the bytes go over TCP (127.0.0.1) into an evhttp server,
 *      whose callback echoes the body; the client half-closes and reads
 *      until the server closes.
 *   1: a response: an evhttp_connection sends GET / to a socket of ours,
 *      which answers with the bytes and half-closes.
 *   2: the URI and query parsers and the encoders (byte 1: parse flags).
 * A crash, an ASan report, a leak or a hang (libFuzzer -timeout) fails.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <signal.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct event_base *base;
static struct evhttp *http;
static int http_port, raw_port;
static struct evconnlistener *raw_listener;
static const uint8_t *resp_data;
static size_t resp_len;
static int raw_fd = -1;

static void gen_cb(struct evhttp_request *req, void *arg)
{
	(void)arg;
	evhttp_add_header(evhttp_request_get_output_headers(req), "X-Uri",
	    evhttp_request_get_uri(req) ? "yes" : "no");
	evhttp_request_get_host(req);
	evhttp_send_reply(req, 200, "OK", evhttp_request_get_input_buffer(req));
}

static int port_of(int fd)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	return ntohs(sin.sin_port);
}

static void raw_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	(void)l; (void)sa; (void)len; (void)arg;
	if (raw_fd >= 0) close(raw_fd);
	raw_fd = fd;
	if (resp_len) (void)!send(fd, resp_data, resp_len, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
}

static void setup(void)
{
	struct sockaddr_in sin;
	struct evhttp_bound_socket *b;
	if (base) return;
	signal(SIGPIPE, SIG_IGN);
	base = event_base_new();
	http = evhttp_new(base);
	b = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	http_port = port_of(evhttp_bound_socket_get_fd(b));
	evhttp_set_gencb(http, gen_cb, NULL);
	evhttp_set_max_body_size(http, 4096);
	evhttp_set_max_headers_size(http, 4096);
	evhttp_set_timeout(http, 1);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	raw_listener = evconnlistener_new_bind(base, raw_accept, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE,
	    16, (struct sockaddr *)&sin, sizeof(sin));
	raw_port = port_of(evconnlistener_get_fd(raw_listener));
}

static void client_read(evutil_socket_t fd, short what, void *arg)
{
	char buf[4096];
	ssize_t n;
	(void)what;
	n = recv(fd, buf, sizeof(buf), 0);
	if (n <= 0) event_base_loopbreak(arg);
}

static void fuzz_request(const uint8_t *d, size_t n)
{
	struct sockaddr_in sin;
	struct event *ev;
	struct timeval limit = { 3, 0 };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(http_port);
	sin.sin_addr.s_addr = htonl(0x7f000001);
	struct linger lg = { 1, 0 };
	/* closing with a reset leaves no TIME_WAIT: ports last the whole run */
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) { close(fd); return; }
	if (n) (void)!send(fd, d, n, MSG_NOSIGNAL);
	shutdown(fd, SHUT_WR);
	evutil_make_socket_nonblocking(fd);
	ev = event_new(base, fd, EV_READ | EV_PERSIST, client_read, base);
	event_add(ev, NULL);
	event_base_loopexit(base, &limit);
	event_base_dispatch(base);
	event_free(ev);
	close(fd);
}

static void resp_done(struct evhttp_request *req, void *arg)
{
	(void)arg;
	if (req) {
		evhttp_request_get_response_code_line(req);
		evbuffer_get_length(evhttp_request_get_input_buffer(req));
	}
	event_base_loopbreak(base);
}

static void fuzz_response(const uint8_t *d, size_t n)
{
	struct evhttp_connection *evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", raw_port);
	struct evhttp_request *req = evhttp_request_new(resp_done, NULL);
	struct timeval limit = { 3, 0 };
	resp_data = d;
	resp_len = n;
	evhttp_connection_set_timeout(evcon, 1);
	evhttp_connection_set_max_body_size(evcon, 4096);
	evhttp_connection_set_max_headers_size(evcon, 4096);
	evhttp_make_request(evcon, req, n && (d[0] & 1) ? EVHTTP_REQ_HEAD : EVHTTP_REQ_GET, "/");
	event_base_loopexit(base, &limit);
	event_base_dispatch(base);
	evhttp_connection_free(evcon);
	if (raw_fd >= 0) { close(raw_fd); raw_fd = -1; }
}

static void fuzz_text(const uint8_t *d, size_t n)
{
	char *s = malloc(n + 1), *t, buf[512];
	struct evkeyvalq q;
	struct evhttp_uri *u;
	size_t sz;
	unsigned flags = n ? d[0] & 1 : 0;
	if (n) { memcpy(s, d + 1, n - 1); s[n - 1] = 0; } else s[0] = 0;
	u = evhttp_uri_parse_with_flags(s, flags);
	if (u) {
		evhttp_uri_join(u, buf, sizeof(buf));
		evhttp_uri_set_path(u, s);
		evhttp_uri_set_host(u, s);
		evhttp_uri_set_query(u, s);
		evhttp_uri_join(u, buf, sizeof(buf));
		evhttp_uri_free(u);
	}
	if (evhttp_parse_query(s, &q) == 0) evhttp_clear_headers(&q);
	if (evhttp_parse_query_str(s, &q) == 0) evhttp_clear_headers(&q);
	free(evhttp_decode_uri(s));
	free(evhttp_uridecode(s, 1, &sz));
	free(evhttp_uriencode(s, n ? (ev_ssize_t)n - 1 : 0, 1));
	free(evhttp_htmlescape(s));
	t = evhttp_encode_uri(s);
	free(t);
	free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setup();
	if (size == 0) return 0;
	switch (data[0] % 3) {
	case 0: fuzz_request(data + 1, size - 1); break;
	case 1: fuzz_response(data + 1, size - 1); break;
	default: fuzz_text(data + 1, size - 1); break;
	}
	return 0;
}
