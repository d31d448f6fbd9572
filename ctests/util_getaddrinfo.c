/* Covers: evutil_getaddrinfo / evutil_freeaddrinfo / evutil_gai_strerror
 * without a network: numeric IPv4 and IPv6 hosts (with and without
 * hints, socket types, protocols, AI_NUMERICHOST / AI_NUMERICSERV /
 * AI_PASSIVE / AI_CANONNAME / AI_ADDRCONFIG / AI_V4MAPPED), scoped IPv6,
 * no host (wildcard and loopback), "localhost" per family, an unknown name
 * (the error code), bad families and socket types, a flag bit only
 * libevent knows, neither host nor service; every result list printed
 * entry by entry and freed; the error strings of every EVUTIL_EAI_* code.
 */
#include <event2/util.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <netdb.h>

static void show(const char *node, const char *serv, const struct evutil_addrinfo *hints, const char *label)
{
	struct evutil_addrinfo *res = NULL, *ai;
	int r = evutil_getaddrinfo(node, serv, hints, &res);
	int n = 0;
	printf("%s: node=%s serv=%s -> %d", label, node ? node : "NULL", serv ? serv : "NULL", r);
	if (r != 0) {
		printf(" (%s)\n", evutil_gai_strerror(r));
		return;
	}
	printf("\n");
	for (ai = res; ai; ai = ai->ai_next, n++) {
		char text[128] = "?";
		unsigned port = 0, scope = 0;
		if (ai->ai_family == AF_INET) {
			struct sockaddr_in *sin = (struct sockaddr_in *)ai->ai_addr;
			evutil_inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
			port = ntohs(sin->sin_port);
		} else if (ai->ai_family == AF_INET6) {
			struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ai->ai_addr;
			evutil_inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
			port = ntohs(sin6->sin6_port);
			scope = sin6->sin6_scope_id;
		}
		printf("  [%d] flags=0x%x family=%d socktype=%d protocol=%d addrlen=%d %s port=%u scope=%u canon=%s\n",
		    n, ai->ai_flags, ai->ai_family, ai->ai_socktype, ai->ai_protocol, (int)ai->ai_addrlen,
		    text, port, scope, ai->ai_canonname ? ai->ai_canonname : "NULL");
	}
	evutil_freeaddrinfo(res);
}

static struct evutil_addrinfo mkhints(int family, int socktype, int protocol, int flags)
{
	struct evutil_addrinfo h;
	memset(&h, 0, sizeof(h));
	h.ai_family = family;
	h.ai_socktype = socktype;
	h.ai_protocol = protocol;
	h.ai_flags = flags;
	return h;
}

int main(void)
{
	struct evutil_addrinfo h;
	int codes[] = {
		0, EVUTIL_EAI_ADDRFAMILY, EVUTIL_EAI_AGAIN, EVUTIL_EAI_BADFLAGS, EVUTIL_EAI_FAIL,
		EVUTIL_EAI_FAMILY, EVUTIL_EAI_MEMORY, EVUTIL_EAI_NODATA, EVUTIL_EAI_NONAME,
		EVUTIL_EAI_SERVICE, EVUTIL_EAI_SOCKTYPE, EVUTIL_EAI_SYSTEM, EVUTIL_EAI_CANCEL,
		-12, -100, -101, 1, 12345,
	};
	size_t i;
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("[numeric hosts]\n");
	show("127.0.0.1", "80", NULL, "no hints");
	h = mkhints(AF_UNSPEC, SOCK_STREAM, 0, 0);
	show("127.0.0.1", "80", &h, "stream");
	h = mkhints(AF_UNSPEC, SOCK_DGRAM, 0, 0);
	show("127.0.0.1", "53", &h, "dgram");
	h = mkhints(AF_UNSPEC, 0, IPPROTO_TCP, 0);
	show("127.0.0.1", "80", &h, "tcp only");
	h = mkhints(AF_INET, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST);
	show("10.1.2.3", NULL, &h, "numerichost v4");
	h = mkhints(AF_INET6, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST);
	show("10.1.2.3", NULL, &h, "v4 text as v6");
	h = mkhints(AF_INET6, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST | EVUTIL_AI_V4MAPPED);
	show("10.1.2.3", NULL, &h, "v4 text as v6, v4mapped");
	h = mkhints(AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST);
	show("::1", "443", &h, "numerichost v6");
	show("fe80::1%lo", "443", &h, "scoped v6");
	show("2001:db8::1", "0", &h, "doc v6 port 0");
	show("::ffff:1.2.3.4", "7", &h, "mapped v6");
	h = mkhints(AF_INET, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST);
	show("::1", "443", &h, "v6 text as v4");
	h = mkhints(AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST | EVUTIL_AI_CANONNAME);
	show("127.0.0.1", "80", &h, "canonname numeric");
	h = mkhints(AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_ADDRCONFIG);
	show("127.0.0.1", "80", &h, "addrconfig v4");
	show("::1", "80", &h, "addrconfig v6");

	printf("[services]\n");
	h = mkhints(AF_INET, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST);
	show("127.0.0.1", "65535", &h, "max port");
	show("127.0.0.1", "65536", &h, "port too big");
	show("127.0.0.1", "-1", &h, "negative port");
	show("127.0.0.1", "", &h, "empty service");
	h = mkhints(AF_INET, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST | EVUTIL_AI_NUMERICSERV);
	show("127.0.0.1", "http", &h, "named service, numericserv");
	show("127.0.0.1", "8080", &h, "numeric service, numericserv");
	h = mkhints(AF_INET, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST);
	show("127.0.0.1", "nosuchservice-xyz", &h, "unknown service");

	printf("[no host]\n");
	h = mkhints(AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_PASSIVE);
	show(NULL, "8080", &h, "passive");
	h = mkhints(AF_UNSPEC, SOCK_STREAM, 0, 0);
	show(NULL, "8080", &h, "active");
	h = mkhints(AF_INET, SOCK_STREAM, 0, EVUTIL_AI_PASSIVE);
	show(NULL, "8080", &h, "passive v4");
	h = mkhints(AF_INET6, SOCK_DGRAM, 0, 0);
	show(NULL, "8080", &h, "active v6 dgram");
	show(NULL, NULL, &h, "neither");
	show(NULL, NULL, NULL, "neither, no hints");

	printf("[names]\n");
	h = mkhints(AF_INET, SOCK_STREAM, 0, 0);
	show("localhost", "80", &h, "localhost v4");
	h = mkhints(AF_UNSPEC, SOCK_STREAM, 0, 0);
	show("localhost", "80", &h, "localhost any");
	h = mkhints(AF_UNSPEC, SOCK_STREAM, 0, EVUTIL_AI_CANONNAME);
	show("localhost", "80", &h, "localhost canon");
	h = mkhints(AF_INET, SOCK_STREAM, 0, EVUTIL_AI_NUMERICHOST);
	show("localhost", "80", &h, "localhost numerichost");
	h = mkhints(AF_INET, SOCK_STREAM, 0, 0);
	show("nosuchhost.invalid", "80", &h, "unknown name");

	printf("[bad input]\n");
	h = mkhints(AF_UNIX, SOCK_STREAM, 0, 0);
	show("127.0.0.1", "80", &h, "AF_UNIX");
	h = mkhints(12345, SOCK_STREAM, 0, 0);
	show("127.0.0.1", "80", &h, "family 12345");
	h = mkhints(AF_INET, 12345, 0, 0);
	show("127.0.0.1", "80", &h, "socktype 12345");
	h = mkhints(AF_INET, SOCK_STREAM, IPPROTO_UDP, 0);
	show("127.0.0.1", "80", &h, "stream over udp");
	h = mkhints(AF_INET, SOCK_STREAM, 0, (int)0x80000000u);
	show("127.0.0.1", "80", &h, "libevent-only flag");
	h = mkhints(AF_INET, SOCK_STREAM, 0, 0x40000000);
	show("127.0.0.1", "80", &h, "unknown flag");

	printf("[gai_strerror]\n");
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		printf("%d: %s\n", codes[i], evutil_gai_strerror(codes[i]));

	libevent_global_shutdown();
	return 0;
}
