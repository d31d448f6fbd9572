/* Covers: evdns_base_resolv_conf_parse (nameserver with a port, search,
 * domain, options ndots/timeout/attempts, return codes for a missing file,
 * a file without nameserver, DNS_OPTION_NAMESERVERS_NO_DEFAULT, option
 * classes left out by the flags), the search list (ndots, raw name first or
 * last, evdns_base_search_add order, search_clear, search_ndots_set,
 * DNS_QUERY_NO_SEARCH, PTR never searched, an empty name: CVE-2016-10197),
 * evdns_base_count_nameservers, evdns_base_get_nameserver_addr.
 * ctest-timeout: 20
 */
#include "dns_common.h"
#include <limits.h>

static struct event_base *base;
static struct evdns_base *dns;

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	dns_print_result((const char *)arg, result, type, count, ttl, addresses);
	event_base_loopexit(base, NULL);
}

static void lookup(const char *name, int flags)
{
	if (evdns_base_resolve_ipv4(dns, name, flags, cb, (void *)name))
		event_base_dispatch(base);
	else
		printf("%s: NULL\n", name);
}

static void show_nameservers(struct evdns_base *d)
{
	int i, n = evdns_base_count_nameservers(d);
	printf("nameservers=%d\n", n);
	for (i = 0; i <= n; ++i) {
		struct sockaddr_storage ss;
		char buf[64];
		int len = evdns_base_get_nameserver_addr(d, i, (struct sockaddr *)&ss, sizeof(ss));
		if (len < 0) { printf("  [%d] -> %d\n", i, len); continue; }
		printf("  [%d] len=%d family=%d %s small=%d\n", i, len, ss.ss_family,
		    evutil_inet_ntop(ss.ss_family, ss.ss_family == AF_INET ? (void *)&((struct sockaddr_in *)&ss)->sin_addr
			: (void *)&((struct sockaddr_in6 *)&ss)->sin6_addr, buf, sizeof(buf)),
		    evdns_base_get_nameserver_addr(d, i, (struct sockaddr *)&ss, 4));
	}
}

int main(void)
{
	struct dns_server srv;
	char path[PATH_MAX], conf[512];
	struct evdns_base *d2;
	struct in_addr in4;

	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	snprintf(conf, sizeof(conf),
	    "# comment\n\nnameserver %s\nnameserver\n"
	    "domain ignored.test\nsearch one.test two.test\n"
	    "options ndots:2 timeout:0.5 attempts:1 bogus junk:3\n", dns_server_addr(&srv));
	dns_temp_file(path, conf);
	printf("parse=%d\n", evdns_base_resolv_conf_parse(dns, DNS_OPTIONS_ALL, path));
	unlink(path);
	show_nameservers(dns);

	lookup("a", 0);            /* a.one.test answers */
	lookup("nx", 0);           /* nx.one.test, nx.two.test, then nx */
	lookup("x.y.z", 0);        /* enough dots: x.y.z first, then the list */
	lookup("nodata", 0);
	lookup("nx", DNS_QUERY_NO_SEARCH);
	lookup("nx.", 0);
	lookup("", 0);
	dns_server_log(&srv);

	evdns_base_search_clear(dns);
	lookup("nx", 0);
	evdns_base_search_add(dns, "c.test");
	evdns_base_search_add(dns, "..d.test");
	lookup("nx", 0);
	evdns_base_search_ndots_set(dns, 0);
	lookup("nx", 0);
	evdns_base_search_ndots_set(dns, 1);
	printf("ndots opt=%d\n", evdns_base_set_option(dns, "ndots:", "3"));
	lookup("nx.a.b", 0);
	evutil_inet_pton(AF_INET, "9.8.7.6", &in4);
	if (evdns_base_resolve_reverse(dns, &in4, 0, cb, "reverse"))
		event_base_dispatch(base);
	dns_server_log(&srv);

	/* Return codes and defaults, on bases that never send anything. */
	d2 = evdns_base_new(base, 0);
	printf("missing, no default=%d\n", evdns_base_resolv_conf_parse(d2,
	    DNS_OPTION_NAMESERVERS | DNS_OPTION_NAMESERVERS_NO_DEFAULT, "/nonexistent/resolv.conf"));
	show_nameservers(d2);
	printf("missing=%d\n", evdns_base_resolv_conf_parse(d2, DNS_OPTION_NAMESERVERS, "/nonexistent/resolv.conf"));
	show_nameservers(d2);
	evdns_base_free(d2, 0);
	d2 = evdns_base_new(base, 0);
	dns_temp_file(path, "search only.test\noptions attempts:x\n");
	printf("no nameserver=%d\n", evdns_base_resolv_conf_parse(d2, DNS_OPTIONS_ALL, path));
	show_nameservers(d2);
	printf("search only=%d\n", evdns_base_resolv_conf_parse(d2, DNS_OPTION_SEARCH, path));
	unlink(path);
	dns_temp_file(path, "nameserver [::1]:5353\nnameserver 127.0.0.2\nnameserver nonsense\n");
	printf("ipv6=%d\n", evdns_base_resolv_conf_parse(d2, DNS_OPTION_NAMESERVERS, path));
	unlink(path);
	show_nameservers(d2);
	evdns_base_free(d2, 0);

	evdns_base_free(dns, 0);
	event_base_free(base);
	dns_server_stop(&srv);
	libevent_global_shutdown();
	return 0;
}
