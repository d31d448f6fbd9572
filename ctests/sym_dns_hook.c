/* Covers: evutil_set_evdns_getaddrinfo_fn_ / evutil_set_evdns_getaddrinfo_cancel_fn_
 * (how libevent_extra's evdns plugs into libevent_core; the first
 * registration wins), evutil_getaddrinfo_async_ / evutil_getaddrinfo_cancel_async_,
 * and bufferevent_socket_connect_hostname through a registered resolver: with
 * a dns base the lookup is the resolver's and its later callback finishes the
 * connect (CONNECTED), reports a failure (ERROR, get_dns_error) or a cancel
 * (nothing); a bufferevent freed during the lookup lives until the callback;
 * without a dns base the lookup is the blocking one, resolver unused.
 */
#include <stdio.h>
#include <string.h>
#include <event2/event.h>
#include <event2/bufferevent.h>
#include <event2/listener.h>
#include <event2/util.h>

struct evdns_base;
struct evdns_getaddrinfo_request;
typedef struct evdns_getaddrinfo_request *(*lookup_fn)(struct evdns_base *, const char *, const char *,
    const struct evutil_addrinfo *, void (*)(int, struct evutil_addrinfo *, void *), void *);
typedef void (*cancel_fn)(struct evdns_getaddrinfo_request *);
void evutil_set_evdns_getaddrinfo_fn_(lookup_fn fn);
void evutil_set_evdns_getaddrinfo_cancel_fn_(cancel_fn fn);
struct evdns_getaddrinfo_request *evutil_getaddrinfo_async_(struct evdns_base *dns_base,
    const char *nodename, const char *servname, const struct evutil_addrinfo *hints_in,
    void (*cb)(int, struct evutil_addrinfo *, void *), void *arg);
void evutil_getaddrinfo_cancel_async_(struct evdns_getaddrinfo_request *req);

static struct event_base *base;
static char fake_dns, fake_req; /* stand-ins: only their addresses matter */
static void (*pending_cb)(int, struct evutil_addrinfo *, void *);
static void *pending_arg;
static char port_text[16];
static int cancels, accepts;

static struct evdns_getaddrinfo_request *fake_lookup(struct evdns_base *dns, const char *node, const char *serv,
    const struct evutil_addrinfo *h, void (*cb)(int, struct evutil_addrinfo *, void *), void *arg)
{
	printf("  resolver: dns=%s node=%s serv=%s family=%d socktype=%d protocol=%d flags=%d\n",
	    dns == (void *)&fake_dns ? "fake" : "other", node, strcmp(serv, port_text) ? serv : "<port>", h->ai_family, h->ai_socktype, h->ai_protocol,
	    h->ai_flags);
	pending_cb = cb;
	pending_arg = arg;
	return (struct evdns_getaddrinfo_request *)&fake_req;
}

static struct evdns_getaddrinfo_request *other_lookup(struct evdns_base *dns, const char *node, const char *serv,
    const struct evutil_addrinfo *h, void (*cb)(int, struct evutil_addrinfo *, void *), void *arg)
{
	(void)dns; (void)node; (void)serv; (void)h; (void)cb; (void)arg;
	printf("  second resolver used\n");
	return NULL;
}

static void fake_cancel(struct evdns_getaddrinfo_request *req)
{
	printf("  cancel: req=%s\n", req == (void *)&fake_req ? "fake" : "other");
	cancels++;
}

static void eventcb(struct bufferevent *b, short what, void *arg)
{
	printf("  %s: event %#x dns=%d\n", (const char *)arg, what, bufferevent_socket_get_dns_error(b));
}

static void direct_cb(int err, struct evutil_addrinfo *ai, void *arg)
{
	printf("  direct callback: err=%d ai=%d arg=%s\n", err, ai != NULL, (const char *)arg);
	if (ai)
		evutil_freeaddrinfo(ai);
}

/* The resolver's answer, delivered from the loop as evdns would. */
static void answer(int err, int with_address)
{
	struct evutil_addrinfo hints, *ai = NULL;
	void (*cb)(int, struct evutil_addrinfo *, void *) = pending_cb;

	pending_cb = NULL;
	if (with_address) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_INET;
		hints.ai_socktype = SOCK_STREAM;
		evutil_getaddrinfo("127.0.0.1", port_text, &hints, &ai);
	}
	cb(err, ai, pending_arg);
}

static void run_ms(int ms)
{
	struct timeval tv = { 0, ms * 1000 };
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
	printf("  (ran %d ms: accepted %d)\n", ms, accepts);
	accepts = 0;
}

static void accepted(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	(void)l; (void)sa; (void)len; (void)arg;
	accepts++;
	evutil_closesocket(fd);
}

static struct bufferevent *start(const char *tag, struct evdns_base *dns, const char *host)
{
	struct bufferevent *b = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	int rc;
	bufferevent_setcb(b, NULL, NULL, eventcb, (void *)tag);
	rc = bufferevent_socket_connect_hostname(b, dns, AF_INET, host, atoi(port_text));
	printf("  %s: connect_hostname=%d pending=%d\n", tag, rc, pending_cb != NULL);
	return b;
}

int main(void)
{
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	struct evconnlistener *lis;
	struct bufferevent *b;
	void *r;

	base = event_base_new();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	lis = evconnlistener_new_bind(base, accepted, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof(sin));
	getsockname(evconnlistener_get_fd(lis), (struct sockaddr *)&sin, &slen);
	snprintf(port_text, sizeof(port_text), "%d", ntohs(sin.sin_port));

	printf("before registration:\n");
	r = evutil_getaddrinfo_async_((struct evdns_base *)&fake_dns, "127.0.0.1", "80", NULL, direct_cb, "a");
	printf("  returned null=%d\n", r == NULL);
	evutil_getaddrinfo_cancel_async_((struct evdns_getaddrinfo_request *)&fake_req);

	evutil_set_evdns_getaddrinfo_fn_(fake_lookup);
	evutil_set_evdns_getaddrinfo_cancel_fn_(fake_cancel);
	evutil_set_evdns_getaddrinfo_fn_(other_lookup); /* ignored: the first stays */
	printf("direct calls:\n");
	r = evutil_getaddrinfo_async_(NULL, "127.0.0.1", "80", NULL, direct_cb, "b");
	printf("  no dns base: returned null=%d\n", r == NULL);
	r = evutil_getaddrinfo_async_((struct evdns_base *)&fake_dns, "h", "1", &(struct evutil_addrinfo){ .ai_flags = 4 },
	    direct_cb, "c");
	printf("  dns base: returned the request=%d\n", r == (void *)&fake_req);
	pending_cb = NULL;
	evutil_getaddrinfo_cancel_async_(NULL);
	evutil_getaddrinfo_cancel_async_((struct evdns_getaddrinfo_request *)&fake_req);

	printf("lookup answered:\n");
	b = start("ok", (struct evdns_base *)&fake_dns, "fake.example");
	run_ms(20);
	printf("  after 20 ms, still pending=%d\n", pending_cb != NULL);
	answer(0, 1);
	run_ms(50);
	bufferevent_free(b);

	printf("lookup failed:\n");
	b = start("fail", (struct evdns_base *)&fake_dns, "nowhere.example");
	answer(EVUTIL_EAI_NONAME, 0);
	run_ms(20);
	bufferevent_free(b);

	printf("lookup cancelled by the resolver:\n");
	b = start("cancel", (struct evdns_base *)&fake_dns, "slow.example");
	answer(EVUTIL_EAI_CANCEL, 0);
	printf("  dns error=%d\n", bufferevent_socket_get_dns_error(b));
	run_ms(20);
	bufferevent_free(b);

	printf("freed during the lookup:\n");
	b = start("freed", (struct evdns_base *)&fake_dns, "late.example");
	bufferevent_free(b);
	printf("  cancels so far=%d\n", cancels);
	answer(0, 1);
	run_ms(50);
	printf("  cancels=%d\n", cancels);

	printf("no dns base:\n");
	b = start("blocking", NULL, "127.0.0.1");
	run_ms(50);
	bufferevent_free(b);

	evconnlistener_free(lis);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
