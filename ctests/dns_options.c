/* Covers: evdns_base_set_option for every option libevent 2.1 knows, with
 * good, bad, empty, clipped and out-of-range values and the option-name
 * forms ("name", "name:", "name:junk", near misses); the effect of some
 * (attempts counted by the server, max-inflight, so-rcvbuf/so-sndbuf and
 * bind-to on a nameserver added afterwards, ndots on the search).
 * ctest-timeout: 20
 */
#include "dns_common.h"

static struct event_base *base;

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	dns_print_result((const char *)arg, result, type, count, ttl, addresses);
	event_base_loopexit(base, NULL);
}

int main(void)
{
	static const char *opts[][2] = {
		{"ndots:", "2"}, {"ndots", "x"}, {"ndots:", ""}, {"ndots:", "-1"}, {"ndots:", " 3"}, {"ndots:9", "4"},
		{"timeout:", "2.5"}, {"timeout:", "0"}, {"timeout:", "0.0005"}, {"timeout:", "0.001"}, {"timeout:", "-1"},
		{"timeout:", "abc"}, {"timeout:", "1e3"}, {"timeout", "1"},
		{"getaddrinfo-allow-skew:", "0.5"}, {"getaddrinfo-allow-skew:", "x"},
		{"max-timeouts:", "0"}, {"max-timeouts:", "999"}, {"max-timeouts:", "z"},
		{"max-inflight:", "0"}, {"max-inflight:", "70000"}, {"max-inflight:", "2"}, {"max-inflight:", "q"},
		{"attempts:", "300"}, {"attempts:", "-1"}, {"attempts:", "1"},
		{"randomize-case:", "0"}, {"randomize-case:", "7"}, {"randomize-case:", "y"},
		{"bind-to:", "127.0.0.1"}, {"bind-to:", "not-an-address"}, {"bind-to:", "[::1]:0"},
		{"initial-probe-timeout:", "99999"}, {"initial-probe-timeout:", "0"},
		{"so-rcvbuf:", "65536"}, {"so-rcvbuf:", "x"}, {"so-sndbuf:", "65536"}, {"so-sndbuf:", "-1"},
		{"no-such-option:", "1"}, {"timeoutx", "1"}, {"", ""}, {"t", "1"},
	};
	struct dns_server srv;
	struct evdns_base *dns;
	size_t i;

	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); ++i)
		printf("%s %s -> %d\n", opts[i][0], opts[i][1], evdns_base_set_option(dns, opts[i][0], opts[i][1]));
	evdns_base_set_option(dns, "timeout:", "0.2");
	evdns_base_set_option(dns, "attempts:", "3");
	evdns_base_set_option(dns, "randomize-case:", "0");
	evdns_base_set_option(dns, "bind-to:", "127.0.0.1");
	printf("add=%d\n", evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv)));
	evdns_base_resolve_ipv4(dns, "drop.test", 0, cb, "drop, 3 attempts");
	event_base_dispatch(base);
	evdns_base_search_add(dns, "s.test");
	evdns_base_resolve_ipv4(dns, "nx.x.y", 0, cb, "nx.x.y, ndots 4");
	event_base_dispatch(base);
	dns_server_log(&srv);
	evdns_base_free(dns, 0);

	dns = evdns_base_new(base, 0);
	printf("rcvbuf bad=%d\n", evdns_base_set_option(dns, "so-rcvbuf:", "-5"));
	printf("add=%d\n", evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv)));
	evdns_base_free(dns, 0);

	event_base_free(base);
	dns_server_stop(&srv);
	libevent_global_shutdown();
	return 0;
}
