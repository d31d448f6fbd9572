/* Covers: dns_compat.h, the global evdns base on event_init's base:
 * evdns_get_global_base, evdns_nameserver_ip_add, evdns_nameserver_add,
 * evdns_count_nameservers, evdns_set_option, evdns_search_add/clear,
 * evdns_search_ndots_set, evdns_resolve_ipv4/ipv6/reverse/reverse_ipv6,
 * evdns_clear_nameservers_and_suspend, evdns_resume, evdns_resolv_conf_parse,
 * evdns_add_server_port, evdns_shutdown (with fail_requests), evdns_init;
 * evdns_set_transaction_id_fn / evdns_set_random_bytes_fn (no-ops in 2.1:
 * lookups go on with the library's own ids).
 * ctest-timeout: 20
 */
#include "dns_common.h"
#include <event2/event_compat.h>
#include <event2/dns_compat.h>
#include <event2/dns_struct.h>
#include <limits.h>

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	dns_print_result((const char *)arg, result, type, count, ttl, addresses);
	event_loopexit(NULL);
}

static ev_uint16_t fixed_id(void) { return 7; }
static void fixed_bytes(char *buf, size_t n) { memset(buf, 0, n); }

static void server_cb(struct evdns_server_request *req, void *arg)
{
	unsigned char a[4] = {192, 0, 2, 1};
	printf("compat server: %s\n", req->questions[0]->name[0] == 'l' || req->questions[0]->name[0] == 'L' ? "local.srv" : "?");
	evdns_server_request_add_a_reply(req, req->questions[0]->name, 1, a, 3);
	evdns_server_request_respond(req, 0);
}

int main(void)
{
	struct dns_server srv;
	struct event_base *base;
	struct in_addr in4;
	struct in6_addr in6;
	struct evdns_server_port *port;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	char path[PATH_MAX], conf[256], addr[64];
	int fd;

	if (dns_server_start(&srv) < 0) { printf("no server\n"); return 1; }
	base = event_init();
	printf("global before: %s\n", evdns_get_global_base() ? "set" : "NULL");
	printf("ip_add=%d\n", evdns_nameserver_ip_add(dns_server_addr(&srv)));
	printf("global after: %s count=%d\n", evdns_get_global_base() ? "set" : "NULL", evdns_count_nameservers());
	evdns_set_transaction_id_fn(fixed_id);
	evdns_set_random_bytes_fn(fixed_bytes);
	printf("opt=%d\n", evdns_set_option("timeout:", "0.5", DNS_OPTIONS_ALL));
	printf("opt=%d\n", evdns_set_option("attempts", "1", DNS_OPTION_MISC));
	evdns_search_add("one.test");
	evdns_search_ndots_set(2);

	printf("r=%d\n", evdns_resolve_ipv4("a.b", 0, cb, "a.b"));
	event_dispatch();
	printf("r=%d\n", evdns_resolve_ipv6("six", 0, cb, "six"));
	event_dispatch();
	evutil_inet_pton(AF_INET, "10.20.30.40", &in4);
	printf("r=%d\n", evdns_resolve_reverse(&in4, 0, cb, "reverse"));
	event_dispatch();
	evutil_inet_pton(AF_INET6, "::1", &in6);
	printf("r=%d\n", evdns_resolve_reverse_ipv6(&in6, 0, cb, "reverse6"));
	event_dispatch();
	evdns_search_clear();
	printf("r=%d\n", evdns_resolve_ipv4("nx", 0, cb, "nx"));
	event_dispatch();
	printf("long=%d\n", evdns_resolve_ipv4("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", 0, cb, "long"));

	printf("clear=%d\n", evdns_clear_nameservers_and_suspend());
	printf("count=%d\n", evdns_count_nameservers());
	printf("r=%d\n", evdns_resolve_ipv4("a2.test", 0, cb, "a2 while suspended"));
	printf("add=%d\n", evdns_nameserver_ip_add(dns_server_addr(&srv)));
	printf("resume=%d\n", evdns_resume());
	event_dispatch();

	/* Our own server port on the global base, asked by the global resolver. */
	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &len);
	evutil_make_socket_nonblocking(fd);
	port = evdns_add_server_port(fd, 0, server_cb, NULL);
	printf("port: %s\n", port ? "ok" : "NULL");
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sin.sin_port));
	snprintf(conf, sizeof(conf), "nameserver %s\noptions timeout:0.5 attempts:1\n", addr);
	dns_temp_file(path, conf);
	printf("clear=%d\n", evdns_clear_nameservers_and_suspend());
	printf("parse=%d\n", evdns_resolv_conf_parse(DNS_OPTION_NAMESERVERS | DNS_OPTION_MISC, path));
	unlink(path);
	printf("resume=%d count=%d\n", evdns_resume(), evdns_count_nameservers());
	printf("r=%d\n", evdns_resolve_ipv4("local.srv", DNS_QUERY_NO_SEARCH, cb, "local.srv"));
	event_dispatch();
	evdns_close_server_port(port);

	printf("r=%d\n", evdns_resolve_ipv4("drop.test", 0, cb, "drop at shutdown"));
	evdns_shutdown(1);
	printf("global after shutdown: %s\n", evdns_get_global_base() ? "set" : "NULL");
	event_dispatch();

	printf("nameserver_add=%d\n", evdns_nameserver_add(htonl(0x7f000001)));
	printf("again=%d\n", evdns_nameserver_add(htonl(0x7f000001)));
	printf("count=%d\n", evdns_count_nameservers());
	evdns_shutdown(0);
	evdns_set_transaction_id_fn(NULL);
	evdns_set_random_bytes_fn(NULL);
	printf("init=%d\n", evdns_init());
	printf("global after init: %s\n", evdns_get_global_base() ? "set" : "NULL");
	evdns_shutdown(0);

	event_base_free(base);
	dns_server_stop(&srv);
	libevent_global_shutdown();
	return 0;
}
