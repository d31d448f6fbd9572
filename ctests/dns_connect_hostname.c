/* Covers: bufferevent_socket_connect_hostname with an evdns base: the name
 * resolved through evdns (A and AAAA asked, the answer connected to a local
 * listener), a lookup error reported as BEV_EVENT_ERROR with
 * bufferevent_socket_get_dns_error, a bufferevent freed while its lookup is
 * in flight (kept until its lookup ends), a numeric host needing no lookup.
 * ctest-timeout: 20
 */
#include "dns_common.h"
#include <event2/bufferevent.h>
#include <event2/listener.h>

static struct event_base *base;
static int accepted;

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa, int len, void *arg)
{
	accepted++;
	close(fd);
}

static void event_cb(struct bufferevent *bev, short what, void *arg)
{
	printf("%s: events=0x%x dns_error=%d\n", (const char *)arg, what, bufferevent_socket_get_dns_error(bev));
	event_base_loopexit(base, NULL);
}

static void try(struct evdns_base *dns, int family, const char *host, int port, const char *tag)
{
	struct bufferevent *bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, NULL, NULL, event_cb, (void *)tag);
	printf("%s: connect_hostname=%d\n", tag, bufferevent_socket_connect_hostname(bev, dns, family, host, port));
	event_base_dispatch(base);
	bufferevent_free(bev);
}

int main(void)
{
	struct dns_server srv;
	struct evdns_base *dns;
	struct evconnlistener *l;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct bufferevent *bev;
	int port;

	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv));
	evdns_base_set_option(dns, "timeout:", "0.5");
	evdns_base_set_option(dns, "attempts:", "1");
	evdns_base_set_option(dns, "getaddrinfo-allow-skew:", "0.2");

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	l = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof(sin));
	getsockname(evconnlistener_get_fd(l), (struct sockaddr *)&sin, &len);
	port = ntohs(sin.sin_port);

	try(dns, AF_INET, "local.test", port, "local inet");
	try(dns, AF_UNSPEC, "local.test", port, "local unspec");
	try(dns, AF_INET, "nx.test", port, "nx");
	try(dns, AF_INET6, "six.test", 9, "six (no route or refused)");
	try(dns, AF_INET, "127.0.0.1", port, "numeric");
	try(dns, AF_INET, "drop.test", port, "drop");

	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(bev, NULL, NULL, event_cb, "freed");
	printf("freed: connect_hostname=%d\n", bufferevent_socket_connect_hostname(bev, dns, AF_INET, "slow.test", port));
	bufferevent_free(bev);
	{
		/* As in libevent, the lookup keeps the bufferevent until it ends. */
		struct timeval tv = {0, 600000};
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}

	(void)accepted;
	evconnlistener_free(l);
	evdns_base_free(dns, 0);
	event_base_free(base);
	dns_server_stop(&srv);
	libevent_global_shutdown();
	return 0;
}
