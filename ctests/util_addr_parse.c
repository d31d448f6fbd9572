/* Covers: evutil_parse_sockaddr_port over a table of address strings
 * (valid and malformed; IPv4 and IPv6; with and without ports, brackets
 * and scope ids): return value, the length written back, family, the
 * address as evutil_inet_ntop formats it, port, scope id, and which bytes
 * of the output buffer were touched; the same strings with an output
 * length too small for the address; every pair of a small set compared
 * with evutil_sockaddr_cmp, with and without ports.
 */
#include <event2/util.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static const char *table[] = {
	/* IPv4 */
	"1.2.3.4", "1.2.3.4:80", "127.0.0.1:65535", "127.0.0.1:65536",
	"127.0.0.1:0", "127.0.0.1:", "127.0.0.1:-1", "127.0.0.1:+80",
	"127.0.0.1: 80", "127.0.0.1:80abc", "127.0.0.1:abc", "127.0.0.1:080",
	"127.0.0.1:99999999999", "127.0.0.1:4294967376", "0.0.0.0", "0.0.0.0:1",
	"255.255.255.255", "255.255.255.256", "256.1.1.1", "1.2.3", "1.2.3.4.5",
	"01.2.3.4", "1.2.3.04", "1.2.3.4 ", " 1.2.3.4", "1..3.4", "1.2.3.", ".1.2.3",
	"0x1.2.3.4", "1.2.3.4:80:90", "a.b.c.d", "localhost", "localhost:80", "",
	":80", ":", "1.2.3.4::80",
	/* IPv6, bare */
	"::", "::1", "::1:80", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8:9",
	"1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1::8", "1:::8", "1::2::3",
	"fe80::1", "FE80::ABCD", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	"12345::1", "g::1", "::ffff:1.2.3.4", "::1.2.3.4", "::ffff:1.2.3",
	"::ffff:1.2.3.4.5", "1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4",
	"::ffff:256.1.1.1", "0:0:0:0:0:0:0:0", "0000:0000::0001", "00000::1",
	"fe80::1%lo", "fe80::1%1", "fe80::1%", "fe80::1%nosuchif0", "fe80::1%7x",
	"fe80::1%4294967295", "::1%lo%lo", "1.2.3.4%lo",
	/* IPv6, bracketed */
	"[::1]", "[::1]:80", "[::1]:65535", "[::1]:65536", "[::1]:0", "[::1]:",
	"[::1]x", "[::1]:x", "[::1]80", "[::1", "::1]", "[]", "[]:80", "[1.2.3.4]",
	"[1.2.3.4]:80", "[fe80::1%lo]:8080", "[fe80::1%1]", "[::ffff:10.0.0.1]:443",
	"[[::1]]:80", "[ ::1]", "[::1 ]:80", "[1:2:3:4:5:6:7:8]:1",
	"[0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789]:1",
};

static void show_sa(const struct sockaddr *sa)
{
	char text[128];
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
		const char *p = evutil_inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
		printf(" inet %s port %u", p ? p : "(null)", ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;
		const char *p = evutil_inet_ntop(AF_INET6, &sin6->sin6_addr, text, sizeof(text));
		printf(" inet6 %s port %u scope %u flow %u", p ? p : "(null)",
		    ntohs(sin6->sin6_port), sin6->sin6_scope_id, sin6->sin6_flowinfo);
	} else {
		printf(" family %d", sa->sa_family);
	}
}

/* Parse into a buffer pre-filled with 0xAA and say how many bytes changed. */
static void parse(const char *s, int outlen)
{
	unsigned char buf[sizeof(struct sockaddr_storage) + 16];
	int len = outlen, untouched = 0, zeros = 0;
	size_t i;
	memset(buf, 0xAA, sizeof(buf));
	int r = evutil_parse_sockaddr_port(s, (struct sockaddr *)buf, &len);
	for (i = 0; i < sizeof(buf); i++) {
		if (buf[i] == 0xAA) untouched++;
		else if (buf[i] == 0) zeros++;
	}
	printf("  outlen %3d -> r=%d len=%d untouched=%d zero=%d", outlen, r, len, untouched, zeros);
	if (r == 0)
		show_sa((struct sockaddr *)buf);
	printf("\n");
}

static const char *cmp_set[] = {
	"1.2.3.4:80", "1.2.3.4:81", "1.2.3.4", "1.2.3.5:80", "4.3.2.1:80", "0.0.0.0",
	"[::1]:80", "[::1]:81", "[::2]:80", "[fe80::1]:80", "[fe80::1%lo]:80", "[::ffff:1.2.3.4]:80",
};

static int sign(int v) { return v < 0 ? -1 : v > 0 ? 1 : 0; }

int main(void)
{
	size_t i, j;
	setvbuf(stdout, NULL, _IOLBF, 0);
	printf("sizes: in=%d in6=%d storage=%d\n", (int)sizeof(struct sockaddr_in),
	    (int)sizeof(struct sockaddr_in6), (int)sizeof(struct sockaddr_storage));
	printf("[parse_sockaddr_port: %d strings]\n", (int)(sizeof(table) / sizeof(table[0])));
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		printf("'%s'\n", table[i]);
		parse(table[i], (int)sizeof(struct sockaddr_storage));
		parse(table[i], (int)sizeof(struct sockaddr_in6));
		parse(table[i], (int)sizeof(struct sockaddr_in6) - 1);
		parse(table[i], (int)sizeof(struct sockaddr_in));
		parse(table[i], (int)sizeof(struct sockaddr_in) - 1);
	}

	printf("[sockaddr_cmp]\n");
	{
		struct sockaddr_storage ss[sizeof(cmp_set) / sizeof(cmp_set[0])];
		for (i = 0; i < sizeof(cmp_set) / sizeof(cmp_set[0]); i++) {
			int len = sizeof(ss[i]);
			int r = evutil_parse_sockaddr_port(cmp_set[i], (struct sockaddr *)&ss[i], &len);
			if (r != 0) printf("parse failed: %s\n", cmp_set[i]);
		}
		for (i = 0; i < sizeof(cmp_set) / sizeof(cmp_set[0]); i++) {
			for (j = 0; j < sizeof(cmp_set) / sizeof(cmp_set[0]); j++) {
				const struct sockaddr *a = (struct sockaddr *)&ss[i], *b = (struct sockaddr *)&ss[j];
				int c0 = evutil_sockaddr_cmp(a, b, 0);
				int c1 = evutil_sockaddr_cmp(a, b, 1);
				/* Differences between families and ports are exact; IPv6
				 * addresses compare through memcmp, whose magnitude is
				 * unspecified: print its sign only. */
				if (a->sa_family == AF_INET6 && b->sa_family == AF_INET6)
					printf("%-18s %-18s %d %d\n", cmp_set[i], cmp_set[j], sign(c0), sign(c1));
				else
					printf("%-18s %-18s %d %d\n", cmp_set[i], cmp_set[j], c0, c1);
			}
		}
	}
	{
		/* Unknown families compare as different (1) when the families match. */
		struct sockaddr u1, u2;
		memset(&u1, 0, sizeof(u1));
		memset(&u2, 0, sizeof(u2));
		u1.sa_family = u2.sa_family = AF_UNIX;
		printf("unix/unix: %d %d\n", evutil_sockaddr_cmp(&u1, &u2, 0), evutil_sockaddr_cmp(&u1, &u2, 1));
		u2.sa_family = AF_UNSPEC;
		printf("unix/unspec: %d\n", evutil_sockaddr_cmp(&u1, &u2, 0));
	}
	libevent_global_shutdown();
	return 0;
}
