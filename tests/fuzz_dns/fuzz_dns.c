/* libFuzzer harness for evdns, through the public API of the library under
 * test (build/lib): the first byte picks what the rest feeds.
 *   0: a reply to an A/AAAA/PTR query (its id patched in), read by the resolver
 *   1: a query sent to an evdns server port, which answers every question
 *   2: a resolv.conf, then a lookup through the search list it set up
 *   3: a hosts file, then evdns_getaddrinfo of a name in it
 * A crash, a sanitizer report or a Swift trap is a finding. */
#include <event2/event.h>
#include <event2/dns.h>
#include <event2/dns_struct.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

static struct event_base *base;
static int done;

static void cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	int i;
	volatile unsigned char sink = 0;
	/* Touch what the callback got, so a bad count or pointer shows. */
	for (i = 0; addresses && i < count; ++i) {
		if (type == DNS_IPv4_A) sink ^= ((unsigned char *)addresses)[4 * i];
		else if (type == DNS_IPv6_AAAA) sink ^= ((unsigned char *)addresses)[16 * i + 15];
		else if (type == DNS_PTR) sink ^= (unsigned char)strlen(*(char **)addresses);
	}
	(void)sink;
	done = 1;
}

static void gai_cb(int err, struct evutil_addrinfo *ai, void *arg)
{
	if (ai) evutil_freeaddrinfo(ai);
	done = 1;
}

static int udp_socket(struct sockaddr_in *sin)
{
	socklen_t len = sizeof(*sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK, 0);
	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	sin->sin_addr.s_addr = htonl(0x7f000001);
	bind(fd, (struct sockaddr *)sin, sizeof(*sin));
	getsockname(fd, (struct sockaddr *)sin, &len);
	return fd;
}

static void spin(void)
{
	int i;
	for (i = 0; i < 20 && !done; ++i) {
		event_base_loop(base, EVLOOP_NONBLOCK);
		if (!done) usleep(50);
	}
}

static void fuzz_reply(const uint8_t *d, size_t n)
{
	struct sockaddr_in sin, from;
	socklen_t fromlen = sizeof(from);
	int fd = udp_socket(&sin), i;
	unsigned char q[600], r[1500];
	char addr[64];
	struct evdns_base *dns = evdns_base_new(base, 0);
	struct evdns_request *req;
	struct in_addr in4;
	int kind = n ? d[0] % 3 : 0;
	ssize_t qn;

	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sin.sin_port));
	evdns_base_nameserver_ip_add(dns, addr);
	evdns_base_set_option(dns, "randomize-case:", n > 1 && (d[1] & 1) ? "1" : "0");
	if (kind == 0) req = evdns_base_resolve_ipv4(dns, "host.example", DNS_QUERY_NO_SEARCH, cb, NULL);
	else if (kind == 1) req = evdns_base_resolve_ipv6(dns, "host.example", DNS_QUERY_NO_SEARCH, cb, NULL);
	else { in4.s_addr = htonl(0x01020304); req = evdns_base_resolve_reverse(dns, &in4, 0, cb, NULL); }
	(void)req;
	for (i = 0; i < 100; ++i) {
		qn = recvfrom(fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);
		if (qn > 0) break;
		usleep(20);
	}
	if (n > 1 && qn >= 2) {
		size_t len = n - 1 > sizeof(r) ? sizeof(r) : n - 1;
		memcpy(r, d + 1, len);
		/* The id (and, when the input asks, the question) of the query. */
		if (len >= 2) { r[0] = q[0]; r[1] = q[1]; }
		if (len >= 3 && (r[2] & 0x40) && (size_t)qn <= len) memcpy(r + 12, q + 12, qn - 12);
		sendto(fd, r, len, 0, (struct sockaddr *)&from, fromlen);
		spin();
	}
	evdns_base_free(dns, 1);
	event_base_loop(base, EVLOOP_NONBLOCK);
	close(fd);
}

static void server_cb(struct evdns_server_request *req, void *arg)
{
	int i;
	unsigned char a[16] = {10, 0, 0, 1};
	for (i = 0; i < req->nquestions; ++i) {
		const char *name = req->questions[i]->name;
		switch (req->questions[i]->type) {
		case EVDNS_TYPE_A: evdns_server_request_add_a_reply(req, name, 1, a, 5); break;
		case EVDNS_TYPE_AAAA: evdns_server_request_add_aaaa_reply(req, name, 1, a, 5); break;
		case EVDNS_TYPE_PTR: evdns_server_request_add_ptr_reply(req, NULL, name, name, 5); break;
		default: evdns_server_request_add_cname_reply(req, name, name, 5); break;
		}
	}
	if (req->nquestions % 3 == 2) evdns_server_request_drop(req);
	else evdns_server_request_respond(req, req->nquestions % 16);
	done = 1;
}

static void fuzz_query(const uint8_t *d, size_t n)
{
	struct sockaddr_in sin, csin;
	int sfd = udp_socket(&sin), cfd = udp_socket(&csin);
	struct evdns_server_port *port = evdns_add_server_port_with_base(base, sfd, 0, server_cb, NULL);
	unsigned char buf[1500];
	sendto(cfd, d, n > 1500 ? 1500 : n, 0, (struct sockaddr *)&sin, sizeof(sin));
	spin();
	(void)!recv(cfd, buf, sizeof(buf), MSG_DONTWAIT);
	evdns_close_server_port(port);   /* closes sfd */
	close(cfd);
}

static int memfile(const uint8_t *d, size_t n, char *path)
{
	int fd = memfd_create("fuzz", 0);
	if (fd < 0) return -1;
	(void)!write(fd, d, n);
	snprintf(path, 64, "/proc/self/fd/%d", fd);
	return fd;
}

static void fuzz_conf(const uint8_t *d, size_t n, int hosts)
{
	char path[64], name[64];
	int fd = memfile(d, n, path);
	struct evdns_base *dns = evdns_base_new(base, 0);
	size_t k;
	if (fd < 0) return;
	/* a name from the input's last bytes (maybe empty: CVE-2016-10197) */
	k = n > 8 ? 8 : n;
	memcpy(name, d + n - k, k);
	name[k] = 0;
	for (size_t i = 0; i < k; ++i) if (name[i] == 0 || name[i] == '\n') { name[i] = 0; break; }
	if (hosts) {
		struct evutil_addrinfo hints;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		evdns_base_load_hosts(dns, path);
		evdns_base_set_option(dns, "timeout:", "0.001");
		evdns_getaddrinfo_cancel(evdns_getaddrinfo(dns, name, "80", &hints, gai_cb, NULL));
	} else {
		evdns_base_resolv_conf_parse(dns, DNS_OPTION_NAMESERVERS | DNS_OPTION_SEARCH | DNS_OPTION_MISC, path);
		evdns_cancel_request(dns, evdns_base_resolve_ipv4(dns, name, 0, cb, NULL));
	}
	event_base_loop(base, EVLOOP_NONBLOCK);
	evdns_base_free(dns, 0);
	event_base_loop(base, EVLOOP_NONBLOCK);
	close(fd);
}

static void quiet(int is_warn, const char *msg) { (void)is_warn; (void)msg; }

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	if (!base) {
		base = event_base_new();
		evdns_set_log_fn(quiet);
	}
	if (n == 0) return 0;
	done = 0;
	switch (d[0] & 3) {
	case 0: fuzz_reply(d + 1, n - 1); break;
	case 1: fuzz_query(d + 1, n - 1); break;
	case 2: fuzz_conf(d + 1, n - 1, 0); break;
	case 3: fuzz_conf(d + 1, n - 1, 1); break;
	}
	return 0;
}
