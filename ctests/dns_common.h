/* Helpers shared by the dns_*.c parity tests: a scripted DNS server on
 * 127.0.0.1 (port 0) running in its own thread with plain sockets, so it
 * does not depend on the library under test. What it answers is decided by
 * the first label of the question (case-insensitive):
 *
 *   a*        A 10.0.0.1 and 10.0.0.2 (ttl 300, 200)   six*   AAAA ::1, 2001:db8::5
 *   nx*       NXDOMAIN with an SOA (ttl 60, minimum 30) nodata* NOERROR, no answer
 *   refused*  REFUSED                                  fail*  SERVFAIL
 *   trunc*    truncated (TC), no answer                 drop*  no reply at all
 *   slow*     A 10.0.0.9 after 100 ms                   cname* CNAME real.test + A 10.0.0.7
 *   overflow* A record whose name has a label running past the packet's end
 *   loop*     A record whose name is a compression loop
 *   wrongid*  the reply carries another id (ignored), then nothing
 *   wrongname* the reply's question is another name
 *   short*    a reply of 5 bytes
 *   many*     40 A records in one answer
 *   half*     A 10.0.0.8; other types get no reply
 *   local*    A 127.0.0.1 (AAAA: no data)
 *   anything in *.in-addr.arpa / *.ip6.arpa: PTR host.test
 *   anything else: NXDOMAIN without SOA
 *
 * It also logs the questions it saw (lowercased "type name"), read back with
 * dns_server_log() once the loop is done. */
#ifndef DNS_COMMON_H
#define DNS_COMMON_H

#include <event2/event.h>
#include <event2/dns.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

struct dns_server {
	int fd;
	int port;
	int stop_pipe[2];
	pthread_t thread;
	pthread_mutex_t mu;
	char log[8192];
	size_t loglen;
	int queries;
};

static void dns_put16(unsigned char *p, int v) { p[0] = (unsigned char)(v >> 8); p[1] = (unsigned char)v; }

/* The question's name as text (no compression in queries we get). */
static int dns_qname(const unsigned char *q, int n, char *out, int outlen, int *end)
{
	int j = 12, o = 0;
	while (j < n && q[j]) {
		int l = q[j++];
		if (l > 63 || j + l > n || o + l + 2 > outlen) return -1;
		if (o) out[o++] = '.';
		memcpy(out + o, q + j, l);
		o += l; j += l;
	}
	if (j >= n) return -1;
	out[o] = 0;
	*end = j + 1 + 4;
	return *end <= n ? 0 : -1;
}

static int dns_prefix(const char *name, const char *p)
{
	return strncasecmp(name, p, strlen(p)) == 0;
}

static int dns_suffix(const char *name, const char *s)
{
	size_t a = strlen(name), b = strlen(s);
	return a >= b && strcasecmp(name + a - b, s) == 0;
}

/* Append an RR named by a pointer to the question (offset 12). */
static int dns_rr(unsigned char *r, int j, int type, unsigned ttl, const void *data, int len)
{
	r[j++] = 0xc0; r[j++] = 12;
	dns_put16(r + j, type); j += 2;
	dns_put16(r + j, 1); j += 2;
	r[j++] = (unsigned char)(ttl >> 24); r[j++] = (unsigned char)(ttl >> 16);
	r[j++] = (unsigned char)(ttl >> 8); r[j++] = (unsigned char)ttl;
	dns_put16(r + j, len); j += 2;
	memcpy(r + j, data, len);
	return j + len;
}

static void dns_answer(struct dns_server *s, const unsigned char *q, int n,
    struct sockaddr_storage *from, socklen_t fromlen)
{
	unsigned char r[2048];
	char name[300];
	int qend, j, i, qtype;
	if (n < 12 || dns_qname(q, n, name, sizeof(name), &qend) < 0) return;
	qtype = (q[qend - 4] << 8) | q[qend - 3];
	pthread_mutex_lock(&s->mu);
	{
		char lower[300];
		for (i = 0; name[i]; ++i) lower[i] = (char)tolower((unsigned char)name[i]);
		lower[i] = 0;
		s->loglen += snprintf(s->log + s->loglen, sizeof(s->log) - s->loglen > 1 ? sizeof(s->log) - s->loglen : 1,
		    "%d %s\n", qtype, lower);
		if (s->loglen >= sizeof(s->log)) s->loglen = sizeof(s->log) - 1;
		s->queries++;
	}
	pthread_mutex_unlock(&s->mu);

	memcpy(r, q, qend);
	r[2] = 0x81; r[3] = 0x80;          /* QR, RD, RA, NOERROR */
	dns_put16(r + 6, 0); dns_put16(r + 8, 0); dns_put16(r + 10, 0);
	j = qend;
	if (dns_suffix(name, ".in-addr.arpa") || dns_suffix(name, ".ip6.arpa")) {
		static const unsigned char host[] = {4, 'h', 'o', 's', 't', 4, 't', 'e', 's', 't', 0};
		j = dns_rr(r, j, 12, 77, host, sizeof(host));
		dns_put16(r + 6, 1);
	} else if (dns_prefix(name, "drop")) {
		return;
	} else if (dns_prefix(name, "overflow")) {
		/* an A record whose owner name claims 60 bytes the packet lacks */
		dns_put16(r + 6, 1);
		r[j++] = 60; r[j++] = 'x'; r[j++] = 'y';
	} else if (dns_prefix(name, "loop")) {
		unsigned char a[4] = {10, 0, 0, 3};
		dns_put16(r + 6, 1);
		r[j] = 0xc0; r[j + 1] = (unsigned char)j; j += 2;
		dns_put16(r + j, 1); dns_put16(r + j + 2, 1); j += 4;
		memset(r + j, 0, 4); r[j + 3] = 5; j += 4;
		dns_put16(r + j, 4); j += 2;
		memcpy(r + j, a, 4); j += 4;
	} else if (dns_prefix(name, "wrongid")) {
		r[0] ^= 0x55;
	} else if (dns_prefix(name, "wrongname")) {
		r[13] ^= 1;   /* another first letter */
		{
			unsigned char a[4] = {10, 0, 0, 4};
			j = dns_rr(r, j, 1, 10, a, 4);
			dns_put16(r + 6, 1);
		}
	} else if (dns_prefix(name, "short")) {
		j = 5;
	} else if (dns_prefix(name, "nx")) {
		unsigned char soa[] = {2, 'n', 's', 0, 2, 'h', 'm', 0, 0, 0, 0, 1, 0, 0, 0, 2,
		    0, 0, 0, 3, 0, 0, 0, 4, 0, 0, 0, 30};
		r[3] = 0x83;
		j = dns_rr(r, j, 6, 60, soa, sizeof(soa));
		dns_put16(r + 8, 1);
	} else if (dns_prefix(name, "nodata")) {
		/* nothing */
	} else if (dns_prefix(name, "refused")) {
		r[3] = 0x85;
	} else if (dns_prefix(name, "fail")) {
		r[3] = 0x82;
	} else if (dns_prefix(name, "trunc")) {
		r[2] |= 0x02;
	} else if (dns_prefix(name, "cname")) {
		static const unsigned char real[] = {4, 'r', 'e', 'a', 'l', 4, 't', 'e', 's', 't', 0};
		unsigned char a[4] = {10, 0, 0, 7};
		j = dns_rr(r, j, 5, 50, real, sizeof(real));
		if (qtype == 1) { j = dns_rr(r, j, 1, 40, a, 4); dns_put16(r + 6, 2); }
		else dns_put16(r + 6, 1);
	} else if (dns_prefix(name, "local")) {
		unsigned char a[4] = {127, 0, 0, 1};
		if (qtype == 1) { j = dns_rr(r, j, 1, 11, a, 4); dns_put16(r + 6, 1); }
	} else if (dns_prefix(name, "half")) {
		unsigned char a[4] = {10, 0, 0, 8};
		if (qtype != 1) return;
		j = dns_rr(r, j, 1, 8, a, 4);
		dns_put16(r + 6, 1);
	} else if (dns_prefix(name, "many")) {
		unsigned char a[4] = {10, 1, 0, 0};
		if (qtype == 1) {
			for (i = 0; i < 40; ++i) { a[3] = (unsigned char)i; j = dns_rr(r, j, 1, 9, a, 4); }
			dns_put16(r + 6, 40);
		}
	} else if (dns_prefix(name, "slow")) {
		unsigned char a[4] = {10, 0, 0, 9};
		usleep(100 * 1000);
		if (qtype == 1) { j = dns_rr(r, j, 1, 5, a, 4); dns_put16(r + 6, 1); }
	} else if (dns_prefix(name, "six")) {
		unsigned char a6[16] = {0};
		if (qtype == 28) {
			a6[15] = 1;
			j = dns_rr(r, j, 28, 100, a6, 16);
			memset(a6, 0, 16); a6[0] = 0x20; a6[1] = 0x01; a6[2] = 0x0d; a6[3] = 0xb8; a6[15] = 5;
			j = dns_rr(r, j, 28, 100, a6, 16);
			dns_put16(r + 6, 2);
		}
	} else if (dns_prefix(name, "a")) {
		unsigned char a[4] = {10, 0, 0, 1};
		if (qtype == 1) {
			j = dns_rr(r, j, 1, 300, a, 4);
			a[3] = 2;
			j = dns_rr(r, j, 1, 200, a, 4);
			dns_put16(r + 6, 2);
		}
	} else {
		r[3] = 0x83;
	}
	sendto(s->fd, r, j, 0, (struct sockaddr *)from, fromlen);
}

static void *dns_server_main(void *arg)
{
	struct dns_server *s = arg;
	for (;;) {
		struct pollfd p[2] = {{s->fd, POLLIN, 0}, {s->stop_pipe[0], POLLIN, 0}};
		unsigned char q[1500];
		struct sockaddr_storage from;
		socklen_t fromlen = sizeof(from);
		int n;
		if (poll(p, 2, -1) < 0) continue;
		if (p[1].revents) break;
		n = (int)recvfrom(s->fd, q, sizeof(q), 0, (struct sockaddr *)&from, &fromlen);
		if (n > 0) dns_answer(s, q, n, &from, fromlen);
	}
	return NULL;
}

static int dns_server_start(struct dns_server *s)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	memset(s, 0, sizeof(*s));
	s->fd = socket(AF_INET, SOCK_DGRAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) return -1;
	getsockname(s->fd, (struct sockaddr *)&sin, &len);
	s->port = ntohs(sin.sin_port);
	if (pipe(s->stop_pipe) < 0) return -1;
	pthread_mutex_init(&s->mu, NULL);
	return pthread_create(&s->thread, NULL, dns_server_main, s);
}

static void dns_server_stop(struct dns_server *s)
{
	(void)!write(s->stop_pipe[1], "x", 1);
	pthread_join(s->thread, NULL);
	close(s->fd); close(s->stop_pipe[0]); close(s->stop_pipe[1]);
	pthread_mutex_destroy(&s->mu);
}

/* "127.0.0.1:port" */
static const char *dns_server_addr(struct dns_server *s)
{
	static char buf[64];
	snprintf(buf, sizeof(buf), "127.0.0.1:%d", s->port);
	return buf;
}

/* A UDP port nobody listens on (bound then closed). */
static int dns_dead_port(void)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	bind(fd, (struct sockaddr *)&sin, sizeof(sin));
	getsockname(fd, (struct sockaddr *)&sin, &len);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Print what a resolve callback got. */
static void dns_print_result(const char *tag, int result, char type, int count, int ttl, void *addresses)
{
	int i;
	printf("%s: result=%d (%s) type=%d count=%d ttl=%d", tag, result, evdns_err_to_string(result), type, count, ttl);
	for (i = 0; addresses && i < count; ++i) {
		char buf[64];
		if (type == DNS_IPv4_A)
			printf(" %s", evutil_inet_ntop(AF_INET, (char *)addresses + 4 * i, buf, sizeof(buf)));
		else if (type == DNS_IPv6_AAAA)
			printf(" %s", evutil_inet_ntop(AF_INET6, (char *)addresses + 16 * i, buf, sizeof(buf)));
		else if (type == DNS_PTR)
			printf(" %s", ((char **)addresses)[0]);
	}
	printf("\n");
}



/* Print and clear what the server was asked (call with no lookup running). */
static void dns_server_log(struct dns_server *s)
{
	pthread_mutex_lock(&s->mu);
	printf("server log:\n%s", s->log);
	s->loglen = 0;
	s->log[0] = 0;
	pthread_mutex_unlock(&s->mu);
}

/* A temporary file with `text`; its name in `path` (PATH_MAX bytes). */
static int dns_temp_file(char *path, const char *text)
{
	int fd;
	strcpy(path, "/tmp/dns_ctest_XXXXXX");
	fd = mkstemp(path);
	if (fd < 0) return -1;
	(void)!write(fd, text, strlen(text));
	close(fd);
	return 0;
}

/* Print an addrinfo list, one entry a line. */
static void dns_print_ai(const char *tag, int err, struct evutil_addrinfo *ai)
{
	printf("%s: err=%d", tag, err);
	if (!ai) printf(" (no list)");
	printf("\n");
	for (; ai; ai = ai->ai_next) {
		char buf[64] = "?";
		int port = 0;
		if (ai->ai_family == AF_INET) {
			evutil_inet_ntop(AF_INET, &((struct sockaddr_in *)ai->ai_addr)->sin_addr, buf, sizeof(buf));
			port = ntohs(((struct sockaddr_in *)ai->ai_addr)->sin_port);
		} else if (ai->ai_family == AF_INET6) {
			evutil_inet_ntop(AF_INET6, &((struct sockaddr_in6 *)ai->ai_addr)->sin6_addr, buf, sizeof(buf));
			port = ntohs(((struct sockaddr_in6 *)ai->ai_addr)->sin6_port);
		}
		printf("  family=%d socktype=%d protocol=%d addrlen=%d %s port %d%s%s\n", ai->ai_family, ai->ai_socktype,
		    ai->ai_protocol, (int)ai->ai_addrlen, buf, port, ai->ai_canonname ? " canon=" : "",
		    ai->ai_canonname ? ai->ai_canonname : "");
	}
}

#endif
