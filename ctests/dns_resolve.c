/* Covers: evdns_base_new, evdns_base_nameserver_ip_add, evdns_base_set_option,
 * evdns_base_resolve_ipv4/ipv6/reverse/reverse_ipv6 with DNS_QUERY_NO_SEARCH
 * against a scripted server: answers, TTLs (min of the RRs, SOA minimum for
 * NXDOMAIN), NODATA, REFUSED, truncated replies, malformed replies (a label
 * past the end: CVE-2016-10195, a compression loop, a short packet, a
 * question that does not match), ignored wrong ids, dropped queries timing
 * out, 40 answers capped at 32, callback order; evdns_err_to_string.
 * ctest-timeout: 20
 */
#include "dns_common.h"

static struct event_base *base;
static int pending;

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	dns_print_result((const char *)arg, result, type, count, ttl, addresses);
	if (--pending == 0)
		event_base_loopexit(base, NULL);
}

int main(void)
{
	struct dns_server srv;
	struct evdns_base *dns;
	struct in_addr in4;
	struct in6_addr in6;
	static const char *names[] = {"a.test", "nx.test", "nodata.test", "refused.test", "trunc.test",
	    "overflow.test", "loop.test", "short.test", "wrongname.test", "many.test", "cname.test", NULL};
	int i;

	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	printf("ns_add=%d\n", evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv)));
	printf("ns_add_again=%d count=%d\n", evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv)),
	    evdns_base_count_nameservers(dns));
	printf("timeout=%d attempts=%d bad=%d unknown=%d\n", evdns_base_set_option(dns, "timeout:", "0.5"),
	    evdns_base_set_option(dns, "attempts:", "2"), evdns_base_set_option(dns, "timeout", "x"),
	    evdns_base_set_option(dns, "no-such-option:", "1"));

	/* One at a time, so the callback order is the server's order. */
	for (i = 0; names[i]; ++i) {
		pending = 1;
		printf("req %s: %s\n", names[i], evdns_base_resolve_ipv4(dns, names[i], DNS_QUERY_NO_SEARCH, cb, (void *)names[i]) ? "ok" : "NULL");
		event_base_dispatch(base);
	}
	pending = 1;
	evdns_base_resolve_ipv6(dns, "six.test", DNS_QUERY_NO_SEARCH, cb, "six.test");
	event_base_dispatch(base);
	pending = 1;
	evdns_base_resolve_ipv6(dns, "a.test", DNS_QUERY_NO_SEARCH, cb, "a.test/aaaa");
	event_base_dispatch(base);
	pending = 1;
	evutil_inet_pton(AF_INET, "1.2.3.4", &in4);
	evdns_base_resolve_reverse(dns, &in4, 0, cb, "reverse4");
	event_base_dispatch(base);
	pending = 1;
	evutil_inet_pton(AF_INET6, "2001:db8::1", &in6);
	evdns_base_resolve_reverse_ipv6(dns, &in6, 0, cb, "reverse6");
	event_base_dispatch(base);

	/* Several in flight at once: wrongid is ignored and times out, drop too. */
	pending = 4;
	evdns_base_resolve_ipv4(dns, "wrongid.test", DNS_QUERY_NO_SEARCH, cb, "wrongid.test");
	evdns_base_resolve_ipv4(dns, "drop.test", DNS_QUERY_NO_SEARCH, cb, "drop.test");
	evdns_base_resolve_ipv4(dns, "slow.test", DNS_QUERY_NO_SEARCH, cb, "slow.test");
	evdns_base_resolve_ipv4(dns, "a2.test", DNS_QUERY_NO_SEARCH, cb, "a2.test");
	event_base_dispatch(base);

	printf("long label: %s\n", evdns_base_resolve_ipv4(dns,
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.test", DNS_QUERY_NO_SEARCH, cb, "long") ? "ok" : "NULL");
	for (i = -1; i <= 71; ++i)
		if (i <= 6 || i >= 64)
			printf("err %d: %s\n", i, evdns_err_to_string(i));

	evdns_base_free(dns, 0);
	event_base_free(base);
	dns_server_stop(&srv);
	printf("server saw %d queries\n", srv.queries);
	libevent_global_shutdown();
	return 0;
}
