/* Covers: evdns_cancel_request (DNS_ERR_CANCEL from the loop, twice is
 * harmless, order against other callbacks), evdns_base_free with and
 * without fail_requests (DNS_ERR_SHUTDOWN for queries in flight and
 * waiting), max-inflight queueing, evdns_base_clear_nameservers_and_suspend
 * with queries in flight and evdns_base_resume after a new nameserver,
 * EVDNS_BASE_DISABLE_WHEN_INACTIVE (the loop ends by itself; events counted
 * with event_base_get_num_events), an unknown flag to evdns_base_new.
 * ctest-timeout: 20
 */
#include "dns_common.h"

static struct event_base *base;
static int pending, dispatching;

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	dns_print_result((const char *)arg, result, type, count, ttl, addresses);
	if (--pending <= 0 && dispatching)
		event_base_loopexit(base, NULL);
}

static void run(void)
{
	dispatching = 1;
	if (pending > 0) event_base_dispatch(base);
	dispatching = 0;
}

int main(void)
{
	struct dns_server srv;
	struct evdns_base *dns;
	struct evdns_request *r1, *r2;

	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	base = event_base_new();
	dns = evdns_base_new(base, 0);
	evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv));
	evdns_base_set_option(dns, "timeout:", "0.5");
	evdns_base_set_option(dns, "attempts:", "1");

	printf("cancel:\n");
	pending = 2;
	r1 = evdns_base_resolve_ipv4(dns, "a.test", 0, cb, "a.test");
	r2 = evdns_base_resolve_ipv4(dns, "drop.test", 0, cb, "drop.test (cancelled)");
	evdns_cancel_request(dns, r2);
	printf("cancelled, callback not yet run\n");
	evdns_cancel_request(NULL, r2);
	run();
	(void)r1;

	printf("max-inflight 1:\n");
	evdns_base_set_option(dns, "max-inflight:", "1");
	pending = 3;
	evdns_base_resolve_ipv4(dns, "a1.test", 0, cb, "a1");
	evdns_base_resolve_ipv4(dns, "nx.test", 0, cb, "nx");
	evdns_base_resolve_ipv6(dns, "six.test", 0, cb, "six");
	run();

	printf("suspend/resume:\n");
	evdns_base_set_option(dns, "max-inflight:", "64");
	pending = 2;
	evdns_base_resolve_ipv4(dns, "slow.test", 0, cb, "slow (suspended)");
	printf("clear=%d\n", evdns_base_clear_nameservers_and_suspend(dns));
	evdns_base_resolve_ipv4(dns, "a2.test", 0, cb, "a2 (made while suspended)");
	printf("count=%d\n", evdns_base_count_nameservers(dns));
	printf("clear again=%d\n", evdns_base_clear_nameservers_and_suspend(dns));
	printf("add=%d\n", evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv)));
	printf("resume=%d\n", evdns_base_resume(dns));
	run();

	printf("free with fail_requests:\n");
	/* One in flight (libevent fails those in hash order), two waiting. */
	evdns_base_set_option(dns, "max-inflight:", "1");
	pending = 3;
	evdns_base_resolve_ipv4(dns, "drop1.test", 0, cb, "drop1 (in flight)");
	evdns_base_resolve_ipv4(dns, "drop2.test", 0, cb, "drop2 (waiting)");
	evdns_base_resolve_ipv4(dns, "drop3.test", 0, cb, "drop3 (waiting)");
	evdns_base_free(dns, 1);
	printf("freed\n");
	run();

	printf("free without:\n");
	dns = evdns_base_new(base, 0);
	evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv));
	evdns_base_resolve_ipv4(dns, "drop4.test", 0, cb, "drop4");
	evdns_base_free(dns, 0);
	printf("events after free: %d\n", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED));
	event_base_loop(base, EVLOOP_NONBLOCK);

	printf("disable when inactive:\n");
	dns = evdns_base_new(base, EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv));
	printf("idle events: %d\n", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED));
	pending = 2;
	evdns_base_resolve_ipv4(dns, "a3.test", 0, cb, "a3");
	evdns_base_resolve_ipv4(dns, "a4.test", 0, cb, "a4");
	printf("busy events: %d\n", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED));
	printf("dispatch=%d\n", event_base_dispatch(base));
	printf("idle events: %d\n", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED));
	evdns_base_free(dns, 0);

	dns = evdns_base_new(base, 0);
	evdns_base_nameserver_ip_add(dns, dns_server_addr(&srv));
	printf("plain base events: %d\n", event_base_get_num_events(base, EVENT_BASE_COUNT_ADDED));
	evdns_base_free(dns, 0);
	dns = evdns_base_new(base, 0x4000);
	printf("unknown flag: %s\n", dns ? "base" : "NULL");
	if (dns) evdns_base_free(dns, 0);

	event_base_free(base);
	dns_server_stop(&srv);
	libevent_global_shutdown();
	return 0;
}
