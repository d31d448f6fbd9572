/* Covers: evdns_add_server_port_with_base (and its refusal of flags),
 * the server request as the callback sees it (flags, questions, requesting
 * address), evdns_server_request_add_reply / add_a / add_aaaa / add_ptr /
 * add_cname, set_flags, respond (error codes, > 512 bytes truncated, name
 * compression), drop, evdns_close_server_port; the resolver of the same
 * program asking it; the exact reply bytes for raw queries, and malformed
 * queries (an answer, no question, a label past the end, a compression
 * loop) dropped without a reply. (A query shorter than its header is left
 * out: libevent 2.1.12's server dereferences NULL on it; ours drops it,
 * DnsWireTests.testServerQueryParse.)
 * ctest-timeout: 20
 */
#include "dns_common.h"
#include <event2/dns_struct.h>
#include <fcntl.h>

static struct event_base *base;
static int server_fd, raw_fd, raw_step;
static struct event *raw_ev;

static void server_cb(struct evdns_server_request *req, void *arg)
{
	struct sockaddr_storage ss;
	int i, r = -2, len;
	const char *name = req->nquestions ? req->questions[0]->name : "";
	unsigned char a4[8] = {10, 9, 8, 7, 10, 9, 8, 6};
	unsigned char a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x42};
	char lname[300];

	for (i = 0; name[i] && i < 299; ++i) lname[i] = (char)tolower((unsigned char)name[i]);
	lname[i] = 0;
	len = evdns_server_request_get_requesting_addr(req, (struct sockaddr *)&ss, sizeof(ss));
	printf("server: flags=0x%x n=%d addr len=%d family=%d short=%d", req->flags, req->nquestions, len,
	    ss.ss_family, evdns_server_request_get_requesting_addr(req, (struct sockaddr *)&ss, 4));
	for (i = 0; i < req->nquestions; ++i)
		printf(" [%d %d %s]", req->questions[i]->type, req->questions[i]->dns_question_class, i ? req->questions[i]->name : lname);
	printf("\n");

	if (!strcmp(lname, "a.srv")) {
		printf("  add_a=%d\n", evdns_server_request_add_a_reply(req, name, 2, a4, 10));
		printf("  add_a0=%d\n", evdns_server_request_add_a_reply(req, name, 0, a4, 10));
	} else if (!strcmp(lname, "six.srv")) {
		printf("  add_aaaa=%d\n", evdns_server_request_add_aaaa_reply(req, name, 1, a6, 20));
	} else if (!strcmp(lname, "4.3.2.1.in-addr.arpa")) {
		struct in_addr in;
		in.s_addr = htonl(0x01020304);
		printf("  both=%d neither=%d\n", evdns_server_request_add_ptr_reply(req, &in, name, "x", 1),
		    evdns_server_request_add_ptr_reply(req, NULL, NULL, "x", 1));
		printf("  add_ptr=%d\n", evdns_server_request_add_ptr_reply(req, &in, NULL, "host.srv", 30));
	} else if (!strcmp(lname, "cname.srv")) {
		printf("  add_cname=%d\n", evdns_server_request_add_cname_reply(req, name, "real.srv", 5));
		printf("  add_a=%d\n", evdns_server_request_add_a_reply(req, "real.srv", 1, a4, 6));
	} else if (!strcmp(lname, "drop.srv")) {
		printf("  drop=%d\n", evdns_server_request_drop(req));
		return;
	} else if (!strcmp(lname, "err.srv")) {
		printf("  respond(16)=%d\n", evdns_server_request_respond(req, 16));
		r = evdns_server_request_respond(req, DNS_ERR_NOTEXIST);
	} else if (!strcmp(lname, "flags.srv")) {
		evdns_server_request_set_flags(req, EVDNS_FLAGS_AA);
		printf("  flags now 0x%x\n", req->flags);
	} else if (!strcmp(lname, "big.srv")) {
		for (i = 0; i < 40; ++i) {
			a4[3] = (unsigned char)i;
			evdns_server_request_add_a_reply(req, name, 1, a4, 1);
		}
	} else if (!strcmp(lname, "auth.srv")) {
		printf("  bad section=%d\n", evdns_server_request_add_reply(req, 3, name, 1, 1, 1, 4, 0, (char *)a4));
		printf("  authority=%d\n", evdns_server_request_add_reply(req, EVDNS_AUTHORITY_SECTION, "srv", EVDNS_TYPE_NS, EVDNS_CLASS_INET, 7, -1, 1, "ns.srv"));
		printf("  additional=%d\n", evdns_server_request_add_reply(req, EVDNS_ADDITIONAL_SECTION, "ns.srv", EVDNS_TYPE_A, EVDNS_CLASS_INET, 7, 4, 0, (char *)a4));
		printf("  txt=%d\n", evdns_server_request_add_reply(req, EVDNS_ANSWER_SECTION, name, EVDNS_TYPE_TXT, EVDNS_CLASS_INET, 7, 3, 0, "\002hi"));
	}
	if (r == -2)
		r = evdns_server_request_respond(req, 0);
	printf("  respond=%d\n", r);
}

static void resolve_cb(int result, char type, int count, int ttl, void *addresses, void *arg)
{
	dns_print_result((const char *)arg, result, type, count, ttl, addresses);
	event_base_loopexit(base, NULL);
}

/* Raw queries: id 0x4242, fixed case, so the reply bytes can be compared. */
static const unsigned char q_a[] = {0x42, 0x42, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 3, 's', 'r', 'v', 0, 0, 1, 0, 1};
static const unsigned char q_two[] = {0x42, 0x43, 1, 0x10, 0, 2, 0, 0, 0, 0, 0, 0, 3, 'b', 'i', 'g', 3, 's', 'r', 'v', 0, 0, 1, 0, 1,
    0xc0, 16, 0, 16, 0, 1};
static const unsigned char q_auth[] = {0x42, 0x44, 0x79, 0x10, 0, 1, 0, 0, 0, 0, 0, 0, 4, 'a', 'u', 't', 'h', 3, 's', 'r', 'v', 0, 0, 1, 0, 1};
static const unsigned char q_flags[] = {0x42, 0x45, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 5, 'f', 'l', 'a', 'g', 's', 3, 's', 'r', 'v', 0, 0, 1, 0, 1};
static const unsigned char q_answer[] = {0x42, 0x46, 0x81, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 'a', 3, 's', 'r', 'v', 0, 0, 1, 0, 1};
static const unsigned char q_none[] = {0x42, 0x47, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0};
static const unsigned char q_past[] = {0x42, 0x48, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 40, 'a', 3, 's', 'r', 'v', 0, 0, 1, 0, 1};
static const unsigned char q_loop[] = {0x42, 0x49, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0, 1, 0, 1};
static const unsigned char q_err[] = {0x42, 0x4b, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 3, 'e', 'r', 'r', 3, 's', 'r', 'v', 0, 0, 1, 0, 1};
static const struct { const unsigned char *p; size_t n; const char *what; } raws[] = {
	{q_a, sizeof(q_a), "a"}, {q_two, sizeof(q_two), "two questions, big"}, {q_auth, sizeof(q_auth), "opcode 15, auth"},
	{q_flags, sizeof(q_flags), "no RD, flags"}, {q_answer, sizeof(q_answer), "an answer"}, {q_none, sizeof(q_none), "no question"},
	{q_past, sizeof(q_past), "label past end"}, {q_loop, sizeof(q_loop), "loop"},
	{q_err, sizeof(q_err), "err"},
};

static void raw_send(void);

static void raw_cb(evutil_socket_t fd, short what, void *arg)
{
	unsigned char buf[1500];
	if (what & EV_READ) {
		int n = (int)recv(fd, buf, sizeof(buf), 0), i;
		printf("raw %s: %d bytes", raws[raw_step].what, n);
		for (i = 0; i < n; ++i) printf("%s%02x", i % 32 ? "" : "\n  ", buf[i]);
		printf("\n");
	} else {
		printf("raw %s: no reply\n", raws[raw_step].what);
	}
	raw_step++;
	raw_send();
}

static void raw_send(void)
{
	struct timeval tv = {0, 300000};
	if (raw_step >= (int)(sizeof(raws) / sizeof(raws[0]))) {
		event_base_loopexit(base, NULL);
		return;
	}
	(void)!send(raw_fd, raws[raw_step].p, raws[raw_step].n, 0);
	event_add(raw_ev, &tv);
}

int main(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	struct evdns_server_port *port;
	struct evdns_base *dns;
	char addr[64];
	struct in_addr in4;
	static const char *names[] = {"a.srv", "cname.srv", "err.srv", "flags.srv", "big.srv", "auth.srv", "nothing.srv", NULL};
	int i;

	base = event_base_new();
	server_fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	bind(server_fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(server_fd, (struct sockaddr *)&sin, &len);
	evutil_make_socket_nonblocking(server_fd);
	printf("flags refused: %s\n", evdns_add_server_port_with_base(base, server_fd, 1, server_cb, NULL) ? "no" : "yes");
	port = evdns_add_server_port_with_base(base, server_fd, 0, server_cb, NULL);
	printf("port: %s\n", port ? "ok" : "NULL");

	dns = evdns_base_new(base, 0);
	snprintf(addr, sizeof(addr), "127.0.0.1:%d", ntohs(sin.sin_port));
	evdns_base_nameserver_ip_add(dns, addr);
	evdns_base_set_option(dns, "timeout", "0.3");
	evdns_base_set_option(dns, "attempts", "1");
	for (i = 0; names[i]; ++i) {
		if (evdns_base_resolve_ipv4(dns, names[i], 0, resolve_cb, (void *)names[i]))
			event_base_dispatch(base);
	}
	evdns_base_resolve_ipv6(dns, "six.srv", 0, resolve_cb, "six.srv");
	event_base_dispatch(base);
	evdns_base_resolve_ipv4(dns, "drop.srv", 0, resolve_cb, "drop.srv");
	event_base_dispatch(base);
	evutil_inet_pton(AF_INET, "1.2.3.4", &in4);
	evdns_base_resolve_reverse(dns, &in4, 0, resolve_cb, "reverse");
	event_base_dispatch(base);
	evdns_base_free(dns, 0);

	raw_fd = socket(AF_INET, SOCK_DGRAM, 0);
	connect(raw_fd, (struct sockaddr *)&sin, sizeof(sin));
	evutil_make_socket_nonblocking(raw_fd);
	raw_ev = event_new(base, raw_fd, EV_READ, raw_cb, NULL);
	raw_send();
	event_base_dispatch(base);
	event_free(raw_ev);
	close(raw_fd);

	evdns_close_server_port(port);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
