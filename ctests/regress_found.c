/* Covers: behaviours libevent's own regress program checks that our library
 * got wrong (tests/libevent_regress.sh found them):
 * - event_mm_calloc_ with a count * size past SIZE_MAX: NULL and errno ENOMEM
 *   (util/mm_calloc);
 * - evutil_getaddrinfo with ai_socktype 0 and ai_protocol TCP/UDP: the
 *   socket type is inferred from the protocol (dns/getaddrinfo_async);
 * - lock debugging without lock callbacks, then event_set_mem_functions:
 *   after the base is freed and libevent_global_shutdown no block of the
 *   program's allocator is left (dns/leak_*);
 * - evhttp_connection_get_addr on a server's connection: the peer's address
 *   (http/basic and most http tests).
 */
#include <event2/event.h>
#include <event2/thread.h>
#include <event2/util.h>
#include <event2/http.h>
#include <event2/bufferevent.h>
#include <event2/buffer.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void *event_mm_calloc_(size_t count, size_t size);
void event_mm_free_(void *p);

static int blocks;
static void *cnt_malloc(size_t n) { ++blocks; return malloc(n); }
static void *cnt_realloc(void *p, size_t n) { if (!p) ++blocks; if (!n) --blocks; return realloc(p, n); }
static void cnt_free(void *p) { if (p) --blocks; free(p); }

static void gai(const char *host, int socktype, int protocol)
{
	struct evutil_addrinfo hints, *ai = NULL, *a;
	int r;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_flags = EVUTIL_AI_NUMERICHOST;
	hints.ai_socktype = socktype;
	hints.ai_protocol = protocol;
	r = evutil_getaddrinfo(host, "80", &hints, &ai);
	printf("getaddrinfo(%s, socktype %d, protocol %d) = %d:", host, socktype, protocol, r);
	for (a = ai; a; a = a->ai_next)
		printf(" [socktype %d protocol %d]", a->ai_socktype, a->ai_protocol);
	printf("\n");
	if (ai) evutil_freeaddrinfo(ai);
}

static struct event_base *hbase;
static void http_cb(struct evhttp_request *req, void *arg)
{
	struct evhttp_connection *evcon = evhttp_request_get_connection(req);
	const struct sockaddr *sa = evhttp_connection_get_addr(evcon);
	char buf[64] = "-";
	(void)arg;
	if (sa && sa->sa_family == AF_INET)
		evutil_inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, sizeof(buf));
	printf("server side: get_addr %s, family %d, address %s\n", sa ? "set" : "NULL",
	    sa ? sa->sa_family : -1, buf);
	evhttp_send_reply(req, 200, "OK", NULL);
}
static void client_done(struct evhttp_request *req, void *arg)
{
	(void)arg;
	printf("client: response %d\n", req ? evhttp_request_get_response_code(req) : -1);
	event_base_loopexit(hbase, NULL);
}

int main(void)
{
	void *p;

	errno = 0;
	p = event_mm_calloc_(SIZE_MAX / 2, SIZE_MAX / 2 + 8);
	printf("mm_calloc overflow: %s, errno ENOMEM %d\n", p ? "block" : "NULL", errno == ENOMEM);
	errno = 0;
	p = event_mm_calloc_(8, 8);
	printf("mm_calloc 8x8: %s, errno %d\n", p ? "block" : "NULL", errno);
	event_mm_free_(p);

	gai("127.0.0.1", 0, IPPROTO_TCP);
	gai("127.0.0.1", 0, IPPROTO_UDP);
	gai("127.0.0.1", SOCK_STREAM, 0);
	gai("127.0.0.1", SOCK_DGRAM, 0);

	{
		/* The peer address of a server's connection. */
		struct evhttp *http;
		struct evhttp_bound_socket *bs;
		struct evhttp_connection *c;
		struct evhttp_request *req;
		struct sockaddr_in sin;
		ev_socklen_t len = sizeof(sin);
		hbase = event_base_new();
		http = evhttp_new(hbase);
		evhttp_set_gencb(http, http_cb, NULL);
		bs = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
		getsockname(evhttp_bound_socket_get_fd(bs), (struct sockaddr *)&sin, &len);
		c = evhttp_connection_base_new(hbase, NULL, "127.0.0.1", ntohs(sin.sin_port));
		req = evhttp_request_new(client_done, NULL);
		evhttp_make_request(c, req, EVHTTP_REQ_GET, "/");
		event_base_dispatch(hbase);
		evhttp_connection_free(c);
		evhttp_free(http);
		event_base_free(hbase);
	}

	/* Lock debugging on, no lock callbacks, then counting allocator. */
	evthread_enable_lock_debugging();
	libevent_global_shutdown();
	event_set_mem_functions(cnt_malloc, cnt_realloc, cnt_free);
	{
		struct event_base *base = event_base_new();
		printf("base with debug locks: %s\n", base ? "made" : "NULL");
		event_base_free(base);
	}
	libevent_global_shutdown();
	printf("blocks left after shutdown: %d\n", blocks);
	return 0;
}
