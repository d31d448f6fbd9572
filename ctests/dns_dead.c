/* Covers: a resolver pointed at a dead port (DNS_ERR_TIMEOUT after the
 * attempts), a dead and a live nameserver (retransmits move to the next
 * server, the dead one marked failed after max-timeouts, later queries
 * avoid it), evdns_set_log_fn (the nameserver state messages, addresses
 * shown as DEAD/LIVE), evdns_base_nameserver_add and
 * evdns_base_nameserver_sockaddr_add, the error codes of a bad address.
 * ctest-timeout: 20
 */
#include "dns_common.h"

static struct event_base *base;
static int dead_port, live_port;

static void logfn(int is_warn, const char *msg)
{
	char out[512], num[16];
	const char *p;
	size_t o = 0;
	/* Only the nameserver-state messages: libevent's debug lines name pointers. */
	if (strncmp(msg, "Nameserver ", 11) && strncmp(msg, "All nameservers", 15) && strncmp(msg, "Unable", 6))
		return;
	for (p = msg; *p && o < sizeof(out) - 8; ) {
		if (*p == ':' && p[1] >= '0' && p[1] <= '9') {
			int port = atoi(p + 1);
			snprintf(num, sizeof(num), ":%s", port == dead_port ? "DEAD" : port == live_port ? "LIVE" : "?");
			memcpy(out + o, num, strlen(num)); o += strlen(num);
			++p;
			while (*p >= '0' && *p <= '9') ++p;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = 0;
	printf("log(%d): %s\n", is_warn, out);
}

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	dns_print_result((const char *)arg, result, type, count, ttl, addresses);
	event_base_loopexit(base, NULL);
}

int main(void)
{
	struct dns_server srv;
	struct evdns_base *dns;
	struct sockaddr_in sin;
	char addr[64];
	int i;

	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	live_port = srv.port;
	dead_port = dns_dead_port();
	evdns_set_log_fn(logfn);
	base = event_base_new();

	printf("dead only:\n");
	dns = evdns_base_new(base, 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", dead_port);
	printf("add=%d\n", evdns_base_nameserver_ip_add(dns, addr));
	evdns_base_set_option(dns, "timeout:", "0.2");
	evdns_base_set_option(dns, "attempts:", "2");
	evdns_base_resolve_ipv4(dns, "a.test", 0, cb, "a.test via dead");
	event_base_dispatch(base);
	evdns_base_free(dns, 0);

	printf("dead then live:\n");
	dns = evdns_base_new(base, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	sin.sin_port = htons(dead_port);
	printf("add dead=%d\n", evdns_base_nameserver_sockaddr_add(dns, (struct sockaddr *)&sin, sizeof(sin), 0));
	printf("add live=%d\n", evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv)));
	printf("count=%d\n", evdns_base_count_nameservers(dns));
	evdns_base_set_option(dns, "timeout:", "0.2");
	evdns_base_set_option(dns, "attempts:", "3");
	evdns_base_set_option(dns, "max-timeouts:", "0");
	for (i = 0; i < 4; ++i) {
		char tag[32];
		snprintf(tag, sizeof(tag), "a%d.test", i);
		evdns_base_resolve_ipv4(dns, tag, 0, cb, tag);
		event_base_dispatch(base);
	}
	evdns_base_free(dns, 0);

	printf("bad addresses:\n");
	dns = evdns_base_new(base, 0);
	printf("text=%d\n", evdns_base_nameserver_ip_add(dns, "not an address"));
	printf("in_addr=%d\n", evdns_base_nameserver_add(dns, htonl(0x7f000001)));
	printf("again=%d\n", evdns_base_nameserver_add(dns, htonl(0x7f000001)));
	printf("v6=%d\n", evdns_base_nameserver_ip_add(dns, "[::1]:53"));
	sin.sin_family = 12345;
	printf("family=%d\n", evdns_base_nameserver_sockaddr_add(dns, (struct sockaddr *)&sin, sizeof(sin), 0));
	printf("count=%d\n", evdns_base_count_nameservers(dns));
	evdns_base_free(dns, 0);

	event_base_free(base);
	dns_server_stop(&srv);
	libevent_global_shutdown();
	return 0;
}
