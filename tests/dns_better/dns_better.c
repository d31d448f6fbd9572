/* Where our evdns departs from libevent 2.1.12 on purpose (README, "Known
 * differences"); tests/dns_better.sh runs it on ours (must print the
 * expected text) and on libevent (shown, expected to differ):
 *  1. a lookup on a base with no nameserver fails with DNS_ERR_TIMEOUT after
 *     the timeout (libevent: it waits forever; here the loop just ends);
 *  2. SERVFAIL from the only nameserver reports DNS_ERR_SERVERFAILED
 *     (libevent: handled as a timeout: resent until the attempts are used
 *     up, then DNS_ERR_TIMEOUT, and counted against the nameserver);
 *  3. SERVFAIL from the first of two nameservers asks the second at once
 *     (the same in libevent, which counts it as a timeout);
 *  4. a server query shorter than a DNS header is dropped (libevent's server
 *     dereferences NULL). Last, since libevent dies there. */
#include "../../ctests/dns_common.h"
#include <event2/dns_struct.h>
#include <sys/time.h>

static struct event_base *base;
static int called;
static struct timeval t0;

static double since(void)
{
	struct timeval t;
	gettimeofday(&t, NULL);
	return (t.tv_sec - t0.tv_sec) + (t.tv_usec - t0.tv_usec) / 1e6;
}

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	called = 1;
	printf("%s: result=%d (%s) %s\n", (const char *)arg, result, evdns_err_to_string(result),
	    since() < 0.4 ? "before the 0.5 s timeout" : "after the timeout");
	event_base_loopexit(base, NULL);
}

static void server_cb(struct evdns_server_request *req, void *arg)
{
	unsigned char a[4] = {192, 0, 2, 7};
	printf("server: question %s\n", req->nquestions ? "ok" : "none");
	evdns_server_request_add_a_reply(req, req->questions[0]->name, 1, a, 1);
	evdns_server_request_respond(req, 0);
}

static struct evdns_base *dns_new(void)
{
	struct evdns_base *d = evdns_base_new(base, 0);
	evdns_base_set_option(d, "timeout:", "0.5");
	evdns_base_set_option(d, "attempts:", "2");
	return d;
}

static void lookup(struct evdns_base *d, const char *name, const char *tag)
{
	struct timeval cap = {3, 0};
	called = 0;
	gettimeofday(&t0, NULL);
	evdns_base_resolve_ipv4(d, name, 0, cb, (void *)tag);
	event_base_loopexit(base, &cap);
	event_base_dispatch(base);
	if (!called) printf("%s: no callback, the loop ended\n", tag);
}

int main(void)
{
	struct dns_server srv;
	struct evdns_base *d;
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct evdns_server_port *port;
	int fd, cfd;
	char addr[64];

	setvbuf(stdout, NULL, _IONBF, 0);
	dns_server_start(&srv);
	base = event_base_new();

	d = dns_new();
	lookup(d, "a.test", "1 no nameserver");
	evdns_base_free(d, 0);

	d = dns_new();
	evdns_base_nameserver_ip_add(d, dns_server_addr(&srv));
	lookup(d, "fail.test", "2 servfail, one nameserver");
	evdns_base_free(d, 0);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &len);
	evutil_make_socket_nonblocking(fd);
	port = evdns_add_server_port_with_base(base, fd, 0, server_cb, NULL);
	d = dns_new();
	evdns_base_nameserver_ip_add(d, dns_server_addr(&srv));
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sin.sin_port));
	evdns_base_nameserver_ip_add(d, addr);
	lookup(d, "fail.test", "3 servfail, then a good nameserver");
	evdns_base_free(d, 0);

	cfd = socket(AF_INET, SOCK_DGRAM, 0);
	sendto(cfd, "\x42\x42\x01", 3, 0, (struct sockaddr *)&sin, sizeof(sin));
	{
		struct timeval tv = {0, 200000};
		event_base_loopexit(base, &tv);
		event_base_dispatch(base);
	}
	printf("4 short query: server still running\n");
	close(cfd);
	evdns_close_server_port(port);
	event_base_free(base);
	dns_server_stop(&srv);
	return 0;
}
