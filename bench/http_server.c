/* A small evhttp server for bench/http_run.sh: GET /small answers 13 bytes,
 * GET /64k answers 64 KiB. Prints its port, serves until SIGTERM, then prints
 * the requests it served and its user/system CPU seconds; SIGUSR1 prints the
 * heap in use. */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <malloc.h>

static long served;
static char big[65536];

static void cb(struct evhttp_request *req, void *arg)
{
	struct evbuffer *out = evhttp_request_get_output_buffer(req);
	(void)arg;
	if (!strcmp(evhttp_request_get_uri(req), "/64k"))
		evbuffer_add(out, big, sizeof(big));
	else
		evbuffer_add(out, "hello world!\n", 13);
	evhttp_send_reply(req, 200, "OK", NULL);
	served++;
}

/* SIGUSR1: print the heap in use (glibc mallinfo2), for memory per idle connection. */
static void on_usr1(evutil_socket_t s, short w, void *arg)
{
	struct mallinfo2 mi = mallinfo2();
	(void)s; (void)w; (void)arg;
	printf("heap=%zu\n", mi.uordblks + mi.hblkhd);
	fflush(stdout);
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
	struct event *usr1 = evsignal_new(base, SIGUSR1, on_usr1, NULL);
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct rusage ru;
	memset(big, 'x', sizeof(big));
	evhttp_set_gencb(http, cb, NULL);
	event_add(term, NULL);
	event_add(usr1, NULL);
	getsockname(evhttp_bound_socket_get_fd(b), (struct sockaddr *)&sin, &len);
	printf("port=%d\n", ntohs(sin.sin_port));
	fflush(stdout);
	event_base_dispatch(base);
	getrusage(RUSAGE_SELF, &ru);
	printf("served=%ld user=%.3f sys=%.3f\n", served, ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6);
	event_free(term);
	event_free(usr1);
	evhttp_free(http);
	event_base_free(base);
	return 0;
}
