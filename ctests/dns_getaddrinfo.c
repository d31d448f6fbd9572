/* Covers: evdns_getaddrinfo answering at once (numeric hosts, no host,
 * AI_NUMERICHOST, services by name and number, a bad service, a bad family),
 * from the hosts file (evdns_base_load_hosts, case-insensitive names, the
 * family filter, an empty answer), and through queries: A only, AAAA only,
 * AF_UNSPEC asking both, NXDOMAIN, AI_CANONNAME, the allow-skew timeout when
 * one family never answers, evdns_getaddrinfo_cancel (EVUTIL_EAI_CANCEL once)
 * and cancel after the answer; evdns_base_clear_host_addresses.
 * ctest-timeout: 20
 */
#include "dns_common.h"
#include <limits.h>

static struct event_base *base;
static int pending, dispatching;

/* Run the loop until the callbacks expected have run (a callback made
 * before dispatch must not leave a loopexit behind for the next one). */
static void run(void)
{
	dispatching = 1;
	if (pending > 0) event_base_dispatch(base);
	dispatching = 0;
}

static void gai_cb(int err, struct evutil_addrinfo *ai, void *arg)
{
	dns_print_ai((const char *)arg, err, ai);
	if (ai) evutil_freeaddrinfo(ai);
	if (--pending <= 0 && dispatching) event_base_loopexit(base, NULL);
}

static void gai(struct evdns_base *dns, const char *node, const char *serv, int family, int socktype, int flags, const char *tag)
{
	struct evutil_addrinfo hints;
	struct evdns_getaddrinfo_request *r;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_flags = flags;
	pending = 1;
	r = evdns_getaddrinfo(dns, node, serv, &hints, gai_cb, (void *)tag);
	printf("  -> %s\n", r ? "pending" : "NULL");
	if (r) run();
}

int main(void)
{
	struct dns_server srv;
	struct evdns_base *dns;
	struct evdns_getaddrinfo_request *r;
	char path[PATH_MAX];

	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv));
	evdns_base_set_option(dns, "timeout:", "0.5");
	evdns_base_set_option(dns, "attempts:", "1");
	evdns_base_set_option(dns, "getaddrinfo-allow-skew:", "0.2");

	gai(dns, "127.0.0.1", "80", AF_UNSPEC, 0, 0, "numeric4");
	gai(dns, "::1", "http", AF_UNSPEC, SOCK_STREAM, 0, "numeric6");
	gai(dns, "::1", "80", AF_INET, 0, 0, "numeric6 as inet");
	gai(dns, NULL, "8080", AF_UNSPEC, SOCK_DGRAM, 0, "no host");
	gai(dns, NULL, "8080", AF_INET, 0, EVUTIL_AI_PASSIVE, "no host passive");
	gai(dns, NULL, NULL, AF_UNSPEC, 0, 0, "nothing");
	gai(dns, "10.0.0.1", "no-such-service-x", AF_UNSPEC, 0, 0, "bad service");
	gai(dns, "10.0.0.1", "80", AF_UNIX, 0, 0, "bad family");
	gai(dns, "a.test", "80", AF_INET, 0, EVUTIL_AI_NUMERICHOST, "numerichost");

	dns_temp_file(path, "10.1.1.1 hosta alias-a # comment\n::2 HostA\n10.1.1.3 only4\n# 10.9.9.9 hosta\n10.1.1.4:80 ported\n");
	printf("load_hosts=%d\n", evdns_base_load_hosts(dns, path));
	unlink(path);
	printf("load missing=%d\n", evdns_base_load_hosts(dns, "/nonexistent/hosts"));
	gai(dns, "hostA", "22", AF_UNSPEC, SOCK_STREAM, 0, "hosts unspec");
	gai(dns, "HOSTA", "22", AF_INET6, 0, 0, "hosts inet6");
	gai(dns, "only4", NULL, AF_INET6, 0, 0, "hosts wrong family");
	gai(dns, "alias-a", NULL, AF_INET, SOCK_DGRAM, 0, "hosts alias");
	gai(dns, "localhost", "1", AF_INET, SOCK_STREAM, 0, "hosts localhost");
	gai(dns, "ported", NULL, AF_INET, 0, 0, "hosts ported");
	evdns_base_clear_host_addresses(dns);
	gai(dns, "only4", NULL, AF_INET, SOCK_STREAM, 0, "cleared only4");

	gai(dns, "a.test", "80", AF_INET, SOCK_STREAM, 0, "a inet");
	gai(dns, "six.test", "443", AF_INET6, 0, 0, "six inet6");
	gai(dns, "a.test", "80", AF_UNSPEC, SOCK_STREAM, 0, "a unspec");
	gai(dns, "six.test", NULL, AF_UNSPEC, SOCK_STREAM, 0, "six unspec");
	gai(dns, "nx.test", NULL, AF_UNSPEC, SOCK_STREAM, 0, "nx unspec");
	gai(dns, "nx.test", NULL, AF_INET, SOCK_STREAM, 0, "nx inet");
	gai(dns, "nodata.test", NULL, AF_INET, SOCK_STREAM, 0, "nodata inet");
	gai(dns, "cname.test", NULL, AF_INET, SOCK_STREAM, EVUTIL_AI_CANONNAME, "cname canon");
	gai(dns, "half.test", "7", AF_UNSPEC, SOCK_STREAM, 0, "half unspec (skew)");
	gai(dns, "drop.test", NULL, AF_INET, SOCK_STREAM, 0, "drop inet");

	pending = 1;
	r = evdns_getaddrinfo(dns, "drop.test", NULL, NULL, gai_cb, "cancelled");
	printf("cancel: %s\n", r ? "pending" : "NULL");
	evdns_getaddrinfo_cancel(r);
	run();

	pending = 1;
	r = evdns_getaddrinfo(dns, "drop.test", NULL, NULL, gai_cb, "cancelled in loop");
	evdns_getaddrinfo_cancel(r);
	evdns_getaddrinfo_cancel(r);
	run();

	evdns_base_free(dns, 0);
	event_base_free(base);
	dns_server_stop(&srv);
	libevent_global_shutdown();
	return 0;
}
