/* Covers: evhttp client against a scripted raw server in a thread:
 * evhttp_connection_base_new, evhttp_request_new, evhttp_make_request, keep-alive
 * reuse, Content-Length / close-delimited / chunked responses, evhttp_request_set_chunked_cb,
 * evhttp_request_set_header_cb, evhttp_request_set_error_cb, HEAD and 204, POST with the
 * Content-Length added, evhttp_connection_set_timeout, evhttp_connection_set_retries,
 * evhttp_connection_set_closecb, evhttp_cancel_request, evhttp_connection_free_on_completion,
 * malformed status lines. The server records the request bytes; they are printed after.
 * ctest-timeout: 40
 */
#include "http_common.h"

struct step { const char *response; int close_after; int no_reply; };
struct script {
	int lfd;
	struct step steps[4];
	int nsteps;
	char got[8192];
	size_t gotlen;
	int conns;
};

static size_t read_request(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	for (;;) {
		char *e;
		ssize_t r;
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 3000) <= 0) return n;
		r = recv(fd, buf + n, cap - 1 - n, 0);
		if (r <= 0) return n;
		n += r;
		buf[n] = 0;
		if ((e = strstr(buf, "\r\n\r\n"))) {
			const char *cl = strstr(buf, "Content-Length: ");
			size_t want = (e - buf) + 4 + (cl ? (size_t)atoi(cl + 16) : 0);
			while (n < want) {
				r = recv(fd, buf + n, cap - 1 - n, 0);
				if (r <= 0) break;
				n += r;
			}
			buf[n] = 0;
			return n;
		}
	}
}

static void *server_thread(void *arg)
{
	struct script *s = arg;
	int i, fd = -1;
	for (i = 0; i < s->nsteps; i++) {
		char req[4096];
		size_t n;
		if (fd < 0) {
			fd = accept(s->lfd, NULL, NULL);
			s->conns++;
			s->gotlen += snprintf(s->got + s->gotlen, sizeof(s->got) - s->gotlen, "<conn %d>\n", s->conns);
		}
		n = read_request(fd, req, sizeof(req));
		if (s->gotlen + n < sizeof(s->got)) { memcpy(s->got + s->gotlen, req, n); s->gotlen += n; }
		if (s->steps[i].no_reply) {
			char c;
			while (recv(fd, &c, 1, 0) > 0) ;
		} else {
			send(fd, s->steps[i].response, strlen(s->steps[i].response), MSG_NOSIGNAL);
		}
		if (s->steps[i].close_after || s->steps[i].no_reply) {
			usleep(20000);
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0) {
		char c;
		struct pollfd p = { fd, POLLIN, 0 };
		if (poll(&p, 1, 2000) > 0) while (recv(fd, &c, 1, 0) > 0) ;
		close(fd);
	}
	return NULL;
}

static struct event_base *base;
static int pending;

static void req_done(struct evhttp_request *req, void *arg)
{
	if (!req) {
		printf("  done(%s): NULL request\n", (const char *)arg);
	} else {
		struct evbuffer *in = evhttp_request_get_input_buffer(req);
		char body[256];
		size_t n = evbuffer_get_length(in);
		if (n > 255) n = 255;
		evbuffer_copyout(in, body, n);
		body[n] = 0;
		printf("  done(%s): code=%d line=%s v=%d.%d kind=%d body=%zu [%s]\n", (const char *)arg,
		    evhttp_request_get_response_code(req),
		    evhttp_request_get_response_code_line(req) ? evhttp_request_get_response_code_line(req) : "(null)",
		    req->major, req->minor, (int)req->kind, evbuffer_get_length(in), body);
		print_headers("in", evhttp_request_get_input_headers(req));
		printf("  fields: flags=%d headers_size=%zu body_size=%zu ntoread=%lld chunked=%d type=%d evcon=%d\n",
		    req->flags, req->headers_size, req->body_size, (long long)req->ntoread, req->chunked,
		    (int)req->type, req->evcon != NULL);
	}
	if (--pending == 0) event_base_loopexit(base, NULL);
}

static void req_error(enum evhttp_request_error e, void *arg)
{
	printf("  error(%s): %d\n", (const char *)arg, (int)e);
}

static void req_chunk(struct evhttp_request *req, void *arg)
{
	struct evbuffer *in = evhttp_request_get_input_buffer(req);
	printf("  chunk(%s): %zu bytes\n", (const char *)arg, evbuffer_get_length(in));
}

static int req_header(struct evhttp_request *req, void *arg)
{
	printf("  headers(%s): code=%d\n", (const char *)arg, evhttp_request_get_response_code(req));
	return 0;
}

static void conn_closed(struct evhttp_connection *evcon, void *arg)
{
	(void)evcon;
	printf("  closecb(%s)\n", (const char *)arg);
}

static int listen_socket(int *port)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM, 0), on = 1;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	listen(fd, 8);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	*port = ntohs(sin.sin_port);
	return fd;
}

static struct evhttp_request *mk(const char *label)
{
	struct evhttp_request *r = evhttp_request_new(req_done, (void *)label);
	evhttp_request_set_error_cb(r, req_error);
	return r;
}

static void finish(struct script *s, pthread_t t, const char *label)
{
	event_base_dispatch(base);
	pthread_join(t, NULL);
	print_bytes(label, s->got, s->gotlen);
	fflush(stdout);
}

int main(void)
{
	struct script *s = calloc(1, sizeof(*s));
	struct evhttp_connection *evcon;
	struct evhttp_request *r;
	pthread_t t;
	int port, lfd;

	base = event_base_new();
	lfd = listen_socket(&port);

	printf("== keep-alive reuse, length and chunked\n");
	memset(s, 0, sizeof(*s)); s->lfd = lfd;
	s->steps[0].response = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\n\r\nhello";
	s->steps[1].response = "HTTP/1.1 201 Made It\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n";
	s->steps[2].response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	s->nsteps = 3;
	pthread_create(&t, NULL, server_thread, s);
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evhttp_connection_set_closecb(evcon, conn_closed, "ka");
	r = mk("first");
	evhttp_add_header(evhttp_request_get_output_headers(r), "Host", "localhost");
	evhttp_make_request(evcon, r, EVHTTP_REQ_GET, "/one?x=1");
	r = mk("second");
	evhttp_request_set_chunked_cb(r, req_chunk);
	evhttp_request_set_header_cb(r, req_header);
	evhttp_make_request(evcon, r, EVHTTP_REQ_GET, "/two");
	r = mk("third");
	evbuffer_add(evhttp_request_get_output_buffer(r), "post body", 9);
	evhttp_make_request(evcon, r, EVHTTP_REQ_POST, "/three");
	pending = 3;
	finish(s, t, "server got");
	evhttp_connection_free(evcon);

	printf("== HEAD, 204, close-delimited\n");
	memset(s, 0, sizeof(*s)); s->lfd = lfd;
	s->steps[0].response = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n";
	s->steps[1].response = "HTTP/1.1 204 No Content\r\n\r\n";
	s->steps[2].response = "HTTP/1.0 200 OK\r\n\r\nuntil close";
	s->steps[2].close_after = 1;
	s->nsteps = 3;
	pthread_create(&t, NULL, server_thread, s);
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evhttp_make_request(evcon, mk("head"), EVHTTP_REQ_HEAD, "/h");
	evhttp_make_request(evcon, mk("204"), EVHTTP_REQ_PUT, "/p");
	evhttp_make_request(evcon, mk("close-delimited"), EVHTTP_REQ_GET, "/c");
	pending = 3;
	finish(s, t, "server got");
	evhttp_connection_free(evcon);

	printf("== no length but keep-alive: empty body\n");
	memset(s, 0, sizeof(*s)); s->lfd = lfd;
	s->steps[0].response = "HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n\r\n";
	s->steps[1].response = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
	s->steps[1].close_after = 1;
	s->nsteps = 2;
	pthread_create(&t, NULL, server_thread, s);
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evhttp_make_request(evcon, mk("keep-alive no length"), EVHTTP_REQ_GET, "/k");
	evhttp_make_request(evcon, mk("after it"), EVHTTP_REQ_GET, "/k2");
	pending = 2;
	finish(s, t, "server got");
	evhttp_connection_free(evcon);

	printf("== EOF before reply, bad status line\n");
	memset(s, 0, sizeof(*s)); s->lfd = lfd;
	s->steps[0].response = "";
	s->steps[0].close_after = 1;
	s->steps[1].response = "HTTP/1.1 abc Nope\r\n\r\n";
	s->steps[1].close_after = 1;
	s->nsteps = 2;
	pthread_create(&t, NULL, server_thread, s);
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evhttp_make_request(evcon, mk("eof"), EVHTTP_REQ_GET, "/eof");
	pending = 1;
	event_base_dispatch(base);
	evhttp_make_request(evcon, mk("badline"), EVHTTP_REQ_GET, "/bad");
	pending = 1;
	finish(s, t, "server got");
	evhttp_connection_free(evcon);

	printf("== timeout and cancel\n");
	memset(s, 0, sizeof(*s)); s->lfd = lfd;
	s->steps[0].no_reply = 1;
	s->nsteps = 1;
	pthread_create(&t, NULL, server_thread, s);
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evhttp_connection_set_timeout(evcon, 1);
	evhttp_make_request(evcon, mk("timeout"), EVHTTP_REQ_GET, "/slow");
	r = mk("cancelled");
	evhttp_make_request(evcon, r, EVHTTP_REQ_GET, "/never");
	evhttp_cancel_request(r);
	pending = 1;
	finish(s, t, "server got");
	evhttp_connection_free(evcon);

	printf("== refused, no retries\n");
	close(lfd);
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evhttp_connection_set_retries(evcon, 0);
	evhttp_make_request(evcon, mk("refused"), EVHTTP_REQ_GET, "/x");
	pending = 1;
	event_base_dispatch(base);
	evhttp_connection_free(evcon);

	printf("== refused, one retry\n");
	evcon = evhttp_connection_base_new(base, NULL, "127.0.0.1", port);
	evhttp_connection_set_retries(evcon, 1);
	{
		struct timeval tv = { 0, 100000 };
		evhttp_connection_set_initial_retry_tv(evcon, &tv);
	}
	evhttp_make_request(evcon, mk("refused-retry"), EVHTTP_REQ_GET, "/x");
	pending = 1;
	event_base_dispatch(base);
	evhttp_connection_free(evcon);

	free(s);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
