/* Covers: one evhttp server per event_base, one base per thread (no lock
 * callbacks needed: nothing is shared), the listeners bound by the program with
 * LEV_OPT_REUSEABLE_PORT on one port and handed over with evhttp_bind_listener.
 * Clients in the main thread send requests over fresh connections; every one
 * is answered by one of the servers. Prints only counts (which server answers
 * is the kernel's choice).
 * ctest-timeout: 40
 */
#include "http_common.h"

#define SERVERS 3
#define REQUESTS 60

struct server {
	struct event_base *base;
	struct evhttp *http;
	int served;
	int pipe[2];
	struct event *stop_ev;
	pthread_t thread;
};

static void cb(struct evhttp_request *req, void *arg)
{
	struct server *s = arg;
	struct evbuffer *b = evbuffer_new();
	s->served++;
	evbuffer_add_printf(b, "ok %s", evhttp_request_get_uri(req));
	evhttp_send_reply(req, 200, "OK", b);
	evbuffer_free(b);
}

static void *run(void *arg)
{
	struct server *s = arg;
	event_base_dispatch(s->base);
	return NULL;
}

/* Each loop watches a pipe of its own: the main thread stops it by writing
 * there (no lock callbacks are set, so nothing else may cross threads). */
static void stop(evutil_socket_t fd, short w, void *arg)
{
	char c;
	(void)w;
	if (read(fd, &c, 1) == 1)
		event_base_loopbreak(arg);
}

int main(void)
{
	struct server srv[SERVERS];
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int i, port = 0, ok = 0, total = 0;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	for (i = 0; i < SERVERS; i++) {
		struct evconnlistener *l;
		srv[i].base = event_base_new();
		srv[i].http = evhttp_new(srv[i].base);
		srv[i].served = 0;
		sin.sin_port = htons(port);
		l = evconnlistener_new_bind(srv[i].base, NULL, NULL,
		    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_REUSEABLE_PORT, 64,
		    (struct sockaddr *)&sin, sizeof(sin));
		if (!l) { printf("listener %d failed\n", i); return 1; }
		if (!port) {
			getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&sin, &len);
			port = ntohs(sin.sin_port);
		}
		evhttp_bind_listener(srv[i].http, l);
		evhttp_set_gencb(srv[i].http, cb, &srv[i]);
		if (pipe(srv[i].pipe) != 0) return 1;
		srv[i].stop_ev = event_new(srv[i].base, srv[i].pipe[0], EV_READ | EV_PERSIST, stop, srv[i].base);
		event_add(srv[i].stop_ev, NULL);
	}
	for (i = 0; i < SERVERS; i++) pthread_create(&srv[i].thread, NULL, run, &srv[i]);
	for (i = 0; i < REQUESTS; i++) {
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		char req[128], resp[1024];
		size_t got = 0;
		ssize_t n;
		sin.sin_port = htons(port);
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) { close(fd); continue; }
		snprintf(req, sizeof(req), "GET /r%d HTTP/1.1\r\nConnection: close\r\n\r\n", i);
		send(fd, req, strlen(req), 0);
		while ((n = recv(fd, resp + got, sizeof(resp) - 1 - got, 0)) > 0) got += n;
		resp[got] = 0;
		snprintf(req, sizeof(req), "ok /r%d", i);
		if (!strncmp(resp, "HTTP/1.1 200 OK\r\n", 17) && strstr(resp, req)) ok++;
		close(fd);
	}
	for (i = 0; i < SERVERS; i++) {
		if (write(srv[i].pipe[1], "x", 1) != 1) return 1;
		pthread_join(srv[i].thread, NULL);
		total += srv[i].served;
		event_free(srv[i].stop_ev);
		close(srv[i].pipe[0]);
		close(srv[i].pipe[1]);
		evhttp_free(srv[i].http);
		event_base_free(srv[i].base);
	}
	printf("answered %d of %d, servers counted %d\n", ok, REQUESTS, total);
	libevent_global_shutdown();
	return 0;
}
