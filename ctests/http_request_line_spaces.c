/* Covers: an evhttp server reading request lines whose target holds spaces
 * ("GET /test nonconformant HTTP/1.1"): the method ends at the first space,
 * the version starts after the last one, the target between is the URI
 * (libevent's regress http/simple_nonconformant); an empty target is a 400.
 */
#include <event2/event.h>
#include <event2/http.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

static struct event_base *base;

static void gen(struct evhttp_request *req, void *arg)
{
	(void)arg;
	printf("  server: uri \"%s\" method %d\n", evhttp_request_get_uri(req),
	    (int)evhttp_request_get_command(req));
	evhttp_send_reply(req, 200, "OK", NULL);
}

static void readcb(struct bufferevent *bev, void *arg)
{
	(void)bev; (void)arg;
}

static void eventcb(struct bufferevent *bev, short what, void *arg)
{
	struct evbuffer *in = bufferevent_get_input(bev);
	char *line = evbuffer_readln(in, NULL, EVBUFFER_EOL_CRLF);
	(void)arg;
	if (what & BEV_EVENT_CONNECTED) {
		free(line);
		return;
	}
	printf("  client: %s (eof %d)\n", line ? line : "(nothing)", !!(what & BEV_EVENT_EOF));
	free(line);
	event_base_loopexit(base, NULL);
}

int main(void)
{
	static const char *lines[] = {
		"GET /test nonconformant HTTP/1.1",
		"GET /a b c HTTP/1.0",
		"GET  HTTP/1.1",
		"GET /x  HTTP/1.1",
	};
	struct evhttp *http;
	struct evhttp_bound_socket *bs;
	struct sockaddr_in sin;
	ev_socklen_t len = sizeof(sin);
	size_t i;

	base = event_base_new();
	http = evhttp_new(base);
	evhttp_set_gencb(http, gen, NULL);
	bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin, &len);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); ++i) {
		struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
		printf("request line \"%s\"\n", lines[i]);
		bufferevent_setcb(bev, readcb, NULL, eventcb, NULL);
		bufferevent_enable(bev, EV_READ);
		bufferevent_socket_connect(bev, (struct sockaddr *)&sin, sizeof(sin));
		evbuffer_add_printf(bufferevent_get_output(bev),
		    "%s\r\nHost: somehost\r\nConnection: close\r\n\r\n", lines[i]);
		event_base_dispatch(base);
		bufferevent_free(bev);
	}
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
