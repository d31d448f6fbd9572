/* Covers: the getaddrinfo pieces libevent_core exports for evdns:
 * evutil_getaddrinfo_common_ (answers without a resolver for no host or a
 * numeric one, EVUTIL_EAI_NEED_RESOLVE with the port otherwise, its errors,
 * the hints' protocol filled in), evutil_new_addrinfo_ (one entry, or a TCP
 * and a UDP one), evutil_addrinfo_append_, evutil_adjust_hints_for_addrconfig_;
 * the lists are freed with evutil_freeaddrinfo.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <event2/event.h>
#include <event2/util.h>

#define EVUTIL_EAI_NEED_RESOLVE -90002
struct evutil_addrinfo *evutil_new_addrinfo_(struct sockaddr *sa, ev_socklen_t socklen,
    const struct evutil_addrinfo *hints);
struct evutil_addrinfo *evutil_addrinfo_append_(struct evutil_addrinfo *first, struct evutil_addrinfo *append);
void evutil_adjust_hints_for_addrconfig_(struct evutil_addrinfo *hints);
int evutil_getaddrinfo_common_(const char *nodename, const char *servname, struct evutil_addrinfo *hints,
    struct evutil_addrinfo **res, int *portnum);
const char *evutil_format_sockaddr_port_(const struct sockaddr *sa, char *out, size_t outlen);

static void show_list(struct evutil_addrinfo *ai)
{
	char buf[80];
	for (; ai; ai = ai->ai_next)
		printf("    family=%d socktype=%d protocol=%d flags=%#x addrlen=%d addr=%s canon=%s\n", ai->ai_family,
		    ai->ai_socktype, ai->ai_protocol, (unsigned)ai->ai_flags, (int)ai->ai_addrlen,
		    evutil_format_sockaddr_port_(ai->ai_addr, buf, sizeof(buf)), ai->ai_canonname ? ai->ai_canonname : "-");
}

static void common(const char *node, const char *serv, int family, int socktype, int protocol, int flags)
{
	struct evutil_addrinfo hints, *res = NULL;
	int port = -7, r;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = family;
	hints.ai_socktype = socktype;
	hints.ai_protocol = protocol;
	hints.ai_flags = flags;
	r = evutil_getaddrinfo_common_(node, serv, &hints, &res, &port);
	printf("common(%s, %s, fam=%d, type=%d, proto=%d, flags=%#x) = %d port=%d hints.protocol=%d\n",
	    node ? node : "NULL", serv ? serv : "NULL", family, socktype, protocol, flags, r, port, hints.ai_protocol);
	if (r == 0) {
		show_list(res);
		evutil_freeaddrinfo(res);
	}
}

int main(void)
{
	struct evutil_addrinfo hints, *a, *b, *all;
	struct sockaddr_in sin;
	struct sockaddr_in6 sin6;
	int fam;

	common(NULL, NULL, AF_UNSPEC, 0, 0, 0);
	common("1.2.3.4", "80", AF_UNIX, 0, 0, 0);
	common("1.2.3.4", "80", AF_UNSPEC, SOCK_STREAM, 0, 0);
	common("1.2.3.4", "80", AF_INET6, SOCK_STREAM, 0, 0);
	common("::1", "443", AF_UNSPEC, 0, 0, 0);
	common("::1", "443", AF_INET, 0, 0, 0);
	common(NULL, "8080", AF_UNSPEC, SOCK_DGRAM, 0, EVUTIL_AI_PASSIVE);
	common(NULL, "8080", AF_INET, SOCK_STREAM, 0, 0);
	common(NULL, "8080", AF_INET6, SOCK_STREAM, IPPROTO_TCP, 0);
	common("www.example.com", "80", AF_UNSPEC, SOCK_STREAM, 0, 0);
	common("www.example.com", NULL, AF_UNSPEC, 0, 0, 0);
	common("www.example.com", "80", AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST);
	common("10.0.0.1", "not-a-service-name", AF_UNSPEC, SOCK_STREAM, 0, 0);
	common("10.0.0.1", "http", AF_UNSPEC, SOCK_STREAM, 0, 0);
	common("10.0.0.1", "http", AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_NUMERICSERV);
	common("10.0.0.1", "65536", AF_UNSPEC, SOCK_STREAM, 0, 0);
	common("10.0.0.1", "0", AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_CANONNAME);
	common("[::1]", "1", AF_UNSPEC, SOCK_STREAM, 0, 0);
	common("fe80::1%1", "1", AF_UNSPEC, SOCK_STREAM, 0, 0);

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(99);
	sin.sin_addr.s_addr = htonl(0x0a000002);
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_port = htons(98);
	sin6.sin6_addr.s6_addr[15] = 1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = EVUTIL_AI_PASSIVE;
	a = evutil_new_addrinfo_((struct sockaddr *)&sin, sizeof(sin), &hints);
	printf("new_addrinfo_ without socktype:\n");
	show_list(a);
	hints.ai_socktype = SOCK_DGRAM;
	b = evutil_new_addrinfo_((struct sockaddr *)&sin6, sizeof(sin6), &hints);
	printf("new_addrinfo_ datagram:\n");
	show_list(b);
	all = evutil_addrinfo_append_(a, b);
	printf("appended: head kept=%d\n", all == a);
	show_list(all);
	printf("append to NULL gives the second=%d\n", evutil_addrinfo_append_(NULL, NULL) == NULL);
	evutil_freeaddrinfo(all);

	for (fam = 0; fam < 3; fam++) {
		int f = fam == 0 ? AF_UNSPEC : fam == 1 ? AF_INET : AF_INET6;
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = f;
		evutil_adjust_hints_for_addrconfig_(&hints);
		printf("adjust without ADDRCONFIG fam %d -> %d;", f, hints.ai_family);
		hints.ai_flags = EVUTIL_AI_ADDRCONFIG;
		hints.ai_family = f;
		evutil_adjust_hints_for_addrconfig_(&hints);
		printf(" with: -> %d flags=%#x\n", hints.ai_family, (unsigned)hints.ai_flags);
	}
	libevent_global_shutdown();
	return 0;
}
