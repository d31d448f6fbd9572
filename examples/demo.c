/*
 * make demo: a first look at the library, in one process that ends by itself.
 *
 *  1. An echo server (evconnlistener + bufferevents) on 127.0.0.1, port
 *     chosen by the kernel, and a client (a socket bufferevent) that sends
 *     three lines and prints what comes back.
 *  2. A timer firing three times, 100 ms apart.
 *  3. A signal event catching SIGUSR1, which the program raises itself.
 *  4. An HTTP server (evhttp) answering GET /hello, asked by an evhttp
 *     client in the same loop; the answer ends the program.
 *
 * Build it against any libevent 2.1: cc demo.c -levent
 */
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/listener.h>
#include <event2/util.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static const char *lines[] = { "hello", "from", "swift-libevent" };
#define NLINES 3

struct demo {
	struct event_base *base;
	struct bufferevent *client;
	int echoed;
	int ticks;
	int accepted;
	struct event *timer;
	struct event *sig;
	struct evhttp *http;
	struct evhttp_connection *conn;
	int http_port;
};

/* Server side: whatever arrives goes straight back. */
static void server_read(struct bufferevent *bev, void *arg)
{
	(void)arg;
	bufferevent_write_buffer(bev, bufferevent_get_input(bev));
}

static void server_event(struct bufferevent *bev, short what, void *arg)
{
	(void)arg;
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		bufferevent_free(bev);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	struct bufferevent *bev = bufferevent_socket_new(evconnlistener_get_base(l), fd, BEV_OPT_CLOSE_ON_FREE);
	struct demo *d = arg;
	(void)sa;
	(void)len;
	d->accepted++;	/* counted, not printed: it races the client's "connected" */
	bufferevent_setcb(bev, server_read, NULL, server_event, NULL);
	bufferevent_enable(bev, EV_READ | EV_WRITE);
}

static void tick(evutil_socket_t fd, short what, void *arg)
{
	struct demo *d = arg;
	(void)fd;
	(void)what;
	printf("timer: tick %d\n", ++d->ticks);
	if (d->ticks == 3) {
		event_del(d->timer);
		printf("signal: raising SIGUSR1\n");
		raise(SIGUSR1);
	}
}

/* HTTP server side: /hello gets a short text. */
static void hello_cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *body = evbuffer_new();
	(void)arg;
	printf("http: server answering %s\n", evhttp_request_get_uri(req));
	evbuffer_add_printf(body, "Hello from evhttp\n");
	evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/plain");
	evhttp_send_reply(req, HTTP_OK, "OK", body);
	evbuffer_free(body);
}

/* HTTP client side: print the answer, then stop. */
static void http_done(struct evhttp_request *req, void *arg)
{
	struct demo *d = arg;
	char text[64];
	int n;
	if (!req || !evhttp_request_get_response_code(req)) {
		printf("http: request failed\n");
		exit(1);
	}
	n = evbuffer_remove(evhttp_request_get_input_buffer(req), text, sizeof(text) - 1);
	text[n > 0 ? n : 0] = '\0';
	printf("http: client got %d %s, Content-Type %s: %s", evhttp_request_get_response_code(req),
	    evhttp_request_get_response_code_line(req),
	    evhttp_find_header(evhttp_request_get_input_headers(req), "Content-Type"), text);
	event_base_loopexit(d->base, NULL);
}

static void on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct demo *d = arg;
	struct evhttp_request *req;
	(void)what;
	printf("signal: caught signal %d (SIGUSR1)\n", (int)sig);
	printf("http: client asking GET /hello\n");
	d->conn = evhttp_connection_base_new(d->base, NULL, "127.0.0.1", (unsigned short)d->http_port);
	req = evhttp_request_new(http_done, d);
	evhttp_add_header(evhttp_request_get_output_headers(req), "Host", "127.0.0.1");
	evhttp_make_request(d->conn, req, EVHTTP_REQ_GET, "/hello");
}

/* Client side: one line back per line sent; then on to the timer. */
static void client_read(struct bufferevent *bev, void *arg)
{
	struct demo *d = arg;
	char *line;
	size_t n;
	while ((line = evbuffer_readln(bufferevent_get_input(bev), &n, EVBUFFER_EOL_LF)) != NULL) {
		printf("client: echoed back \"%s\"\n", line);
		free(line);
		if (++d->echoed == NLINES) {
			struct timeval tv = { 0, 100000 };
			printf("client: all %d lines came back; closing\n", NLINES);
			bufferevent_free(bev);
			d->client = NULL;
			event_add(d->timer, &tv);
			return;
		}
	}
}

static void client_event(struct bufferevent *bev, short what, void *arg)
{
	int i;
	(void)arg;
	if (what & BEV_EVENT_CONNECTED) {
		printf("client: connected\n");
		for (i = 0; i < NLINES; i++) {
			printf("client: sending \"%s\"\n", lines[i]);
			bufferevent_write(bev, lines[i], strlen(lines[i]));
			bufferevent_write(bev, "\n", 1);
		}
	} else if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		printf("client: connection failed\n");
		exit(1);
	}
}

int main(void)
{
	struct demo d;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct evconnlistener *listener;

	memset(&d, 0, sizeof(d));
	d.base = event_base_new();
	if (!d.base) {
		fprintf(stderr, "event_base_new failed\n");
		return 1;
	}
	printf("libevent %s, backend %s\n", event_get_version(), event_base_get_method(d.base));

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	listener = evconnlistener_new_bind(d.base, accept_cb, &d, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof(sin));
	if (!listener) {
		perror("evconnlistener_new_bind");
		return 1;
	}
	getsockname(evconnlistener_get_fd(listener), (struct sockaddr *)&sin, &len);
	printf("server: listening on 127.0.0.1 (a port the kernel chose)\n");

	d.http = evhttp_new(d.base);
	{
		struct evhttp_bound_socket *h = evhttp_bind_socket_with_handle(d.http, "127.0.0.1", 0);
		struct sockaddr_in hs;
		socklen_t hl = sizeof(hs);
		if (!h) {
			printf("http: bind failed\n");
			return 1;
		}
		getsockname(evhttp_bound_socket_get_fd(h), (struct sockaddr *)&hs, &hl);
		d.http_port = ntohs(hs.sin_port);
	}
	evhttp_set_cb(d.http, "/hello", hello_cb, &d);
	printf("http: server listening on 127.0.0.1 (another port the kernel chose)\n");

	d.timer = event_new(d.base, -1, EV_PERSIST, tick, &d);
	d.sig = evsignal_new(d.base, SIGUSR1, on_signal, &d);
	event_add(d.sig, NULL);

	d.client = bufferevent_socket_new(d.base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(d.client, client_read, NULL, client_event, &d);
	bufferevent_enable(d.client, EV_READ | EV_WRITE);
	if (bufferevent_socket_connect(d.client, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		printf("client: connect failed\n");
		return 1;
	}

	event_base_dispatch(d.base);
	printf("loop: done; the server accepted %d connection(s); freeing everything\n", d.accepted);

	if (d.client)
		bufferevent_free(d.client);
	event_free(d.timer);
	event_free(d.sig);
	if (d.conn)
		evhttp_connection_free(d.conn);
	evhttp_free(d.http);
	evconnlistener_free(listener);
	event_base_free(d.base);
	libevent_global_shutdown();
	return 0;
}
