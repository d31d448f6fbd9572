/* Covers: evutil_inet_pton (AF_INET, AF_INET6, an unknown family),
 * evutil_inet_pton_scope (zone ids by interface name and by number, the
 * index written back), evutil_inet_ntop (both families, output buffers one
 * byte too small and exactly big enough, errno on failure, unknown family).
 * A table of strings is printed case by case; then a deterministic fuzz
 * run (random strings over the characters addresses are made of, and
 * mutations of valid addresses; random IPv6 byte patterns rich in zero
 * words for ntop) is summarised as a hash per block of cases, the first
 * cases also printed one by one.  Set UTIL_FUZZ_VERBOSE=1 to print all.
 */
#include <event2/util.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

static const char *table[] = {
	"1.2.3.4", "0.0.0.0", "255.255.255.255", "256.0.0.0", "01.02.03.004",
	" 1.2.3.4", "1. 2.3.4", "1.2.3.4 ", "+1.2.3.4", "-0.1.2.3", "-1.2.3.4",
	"4294967297.2.3.4", "-4294967295.2.3.4", "1.2.3", "1.2.3.4.5", "0x1.2.3.4",
	"1.2.3.4\n", "\t1.2.3.4", "", ".", "...", "1.2.3.4:80",
	"::", "::1", ":::", ":1::", "1:", "1::", "::1:", "1:2:3:4:5:6:7:8",
	"1:2:3:4:5:6:7:8:", "1:2:3:4:5:6:7:", ":1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9",
	"1::2:3:4:5:6:7:8", "1:2:3:4::5:6:7", "0x12::", "0x::1", "0X1::", "12345::",
	"1234::", "abcd:EF01::", "::ffff:1.2.3.4", "::1.2.3.4", "1::1.2.3.4",
	"1:2:3:4:5:6:1.2.3.4", "1:2:3:4:5:6:7:1.2.3.4", "::1. 2.3.4", "::a.1.2.3",
	"::ab12.1.2.3", "1.2.3.4::", ".::1", "::1.2.3", "::256.1.2.3", "::-0.1.2.3",
	"g::", "::g", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "fe80::1%lo",
	"fe80::1%1", "fe80::1%", "fe80::1%nosuchif0", "fe80::1% 2", "fe80::1%+3",
	"fe80::1%-1", "fe80::1%0x5", "fe80::1%lo%lo", "fe80::%lo", "%lo",
	"::ffff:1.2.3.4%1", "1.2.3.4%1",
};

static void hexdump(const unsigned char *p, int n)
{
	int i;
	for (i = 0; i < n; i++) printf("%02x", p[i]);
}

static void pton_case(const char *s)
{
	unsigned char a4[4], a6[16];
	unsigned idx = 12345;
	char text[64];
	int r;
	printf("'%s'\n", s);
	memset(a4, 0xAA, sizeof(a4));
	r = evutil_inet_pton(AF_INET, s, a4);
	printf("  v4 %d ", r);
	hexdump(a4, 4);
	if (r == 1) printf(" %s", evutil_inet_ntop(AF_INET, a4, text, sizeof(text)));
	memset(a6, 0xAA, sizeof(a6));
	r = evutil_inet_pton(AF_INET6, s, a6);
	printf("\n  v6 %d ", r);
	hexdump(a6, 16);
	if (r == 1) printf(" %s", evutil_inet_ntop(AF_INET6, a6, text, sizeof(text)));
	memset(a6, 0xAA, sizeof(a6));
	r = evutil_inet_pton_scope(AF_INET6, s, a6, &idx);
	printf("\n  scope6 %d idx %u ", r, idx);
	hexdump(a6, 16);
	idx = 12345;
	memset(a4, 0xAA, sizeof(a4));
	r = evutil_inet_pton_scope(AF_INET, s, a4, &idx);
	printf("\n  scope4 %d idx %u ", r, idx);
	hexdump(a4, 4);
	printf("\n");
}

static void ntop_sizes(int af, const char *s)
{
	unsigned char a[16];
	char out[64];
	size_t need, len;
	evutil_inet_pton(af, s, a);
	need = strlen(s) + 1;
	for (len = need - 2; len <= need + 1; len++) {
		const char *p;
		memset(out, 'Z', sizeof(out));
		errno = 0;
		p = evutil_inet_ntop(af, a, out, len);
		printf("ntop(%s, len %d): %s errno=%d", af == AF_INET ? "v4" : "v6", (int)len,
		    p ? p : "NULL", p ? 0 : errno);
		printf(" ret==dst %d\n", p == out);
	}
}

/* Deterministic generator (no libc rand: its sequence is not ours to rely on). */
static unsigned long long rng_state = 0x9e3779b97f4a7c15ULL;
static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static unsigned long long hash;
static void mix(const void *p, size_t n)
{
	const unsigned char *b = p;
	size_t i;
	for (i = 0; i < n; i++) {
		hash ^= b[i];
		hash *= 1099511628211ULL;
	}
}

static const char *seeds4[] = { "1.2.3.4", "255.255.255.255", "0.0.0.0", "10.0.0.1", "192.168.1.100" };
static const char *seeds6[] = {
	"::", "::1", "fe80::1", "1:2:3:4:5:6:7:8", "::ffff:1.2.3.4", "2001:db8::ff00:42:8329",
	"1:0:0:2::3", "::1.2.3.4", "abcd:ef01:2345:6789:abcd:ef01:2345:6789", "0:0:0:0:0:0:0:0",
};

static void random_string(char *s, int family)
{
	static const char a4[] = "0123456789.... +-x9";
	static const char a6[] = "0123456789abcdefABCDEFxX::::....% g";
	int n, i;
	if (rnd(3) == 0) {
		/* Mutate a valid address. */
		const char *seed = family == AF_INET ? seeds4[rnd(5)] : seeds6[rnd(10)];
		const char *alpha = family == AF_INET ? a4 : a6;
		int alen = (int)strlen(alpha);
		strcpy(s, seed);
		n = (int)strlen(s);
		int muts = 1 + (int)rnd(2);
		for (i = 0; i < muts; i++) {
			int op = (int)rnd(3), pos = (int)rnd((unsigned)n + 1);
			if (op == 0 && n > 0 && pos < n) {
				s[pos] = alpha[rnd((unsigned)alen)];
			} else if (op == 1 && n < 60) {
				memmove(s + pos + 1, s + pos, (size_t)(n - pos + 1));
				s[pos] = alpha[rnd((unsigned)alen)];
				n++;
			} else if (n > 0 && pos < n) {
				memmove(s + pos, s + pos + 1, (size_t)(n - pos));
				n--;
			}
		}
	} else {
		const char *alpha = family == AF_INET ? a4 : a6;
		int alen = (int)strlen(alpha);
		n = (int)rnd(family == AF_INET ? 18 : 42);
		for (i = 0; i < n; i++) s[i] = alpha[rnd((unsigned)alen)];
		s[n] = 0;
	}
}

static void fuzz_pton(int family, int cases, int verbose)
{
	char s[128];
	unsigned char out[16];
	int i, accepted = 0;
	hash = 14695981039346656037ULL;
	for (i = 0; i < cases; i++) {
		int r;
		random_string(s, family);
		memset(out, 0xAA, sizeof(out));
		r = evutil_inet_pton(family, s, out);
		if (r == 1) accepted++;
		mix(&r, sizeof(r));
		mix(out, sizeof(out));
		if (verbose || i < 100) {
			printf("  [%d] '%s' -> %d ", i, s, r);
			hexdump(out, family == AF_INET ? 4 : 16);
			printf("\n");
		}
		if ((i + 1) % 500 == 0) {
			printf(" %s cases %d-%d: hash %016llx\n", family == AF_INET ? "v4" : "v6", i - 499, i, hash);
			hash = 14695981039346656037ULL;
		}
	}
	printf(" %s accepted %d of %d\n", family == AF_INET ? "v4" : "v6", accepted, cases);
}

static void fuzz_ntop(int cases, int verbose)
{
	unsigned char a[16];
	char out[64];
	int i, j;
	hash = 14695981039346656037ULL;
	for (i = 0; i < cases; i++) {
		const char *p;
		for (j = 0; j < 8; j++) {
			unsigned k = rnd(6);
			unsigned w = k < 3 ? 0 : k == 3 ? 0xffff : k == 4 ? rnd(16) : rnd(65536);
			a[2 * j] = (unsigned char)(w >> 8);
			a[2 * j + 1] = (unsigned char)w;
		}
		p = evutil_inet_ntop(AF_INET6, a, out, sizeof(out));
		mix(p, strlen(p) + 1);
		if (verbose || i < 100) {
			printf("  [%d] ", i);
			hexdump(a, 16);
			printf(" -> %s\n", p);
		}
		if ((i + 1) % 500 == 0) {
			printf(" ntop cases %d-%d: hash %016llx\n", i - 499, i, hash);
			hash = 14695981039346656037ULL;
		}
	}
}

int main(void)
{
	size_t i;
	int verbose = getenv("UTIL_FUZZ_VERBOSE") != NULL;
	unsigned char a[16];
	char out[64];
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("[table: %d strings]\n", (int)(sizeof(table) / sizeof(table[0])));
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		pton_case(table[i]);

	printf("[unknown family]\n");
	memset(a, 0xAA, sizeof(a));
	errno = 0;
	printf("pton(AF_UNIX) = %d\n", evutil_inet_pton(AF_UNIX, "1.2.3.4", a));
	errno = 0;
	{
		const char *p = evutil_inet_ntop(AF_UNIX, a, out, sizeof(out));
		printf("ntop(AF_UNIX) = %s errno=%d\n", p ? p : "NULL", errno);
	}

	printf("[ntop buffer sizes]\n");
	ntop_sizes(AF_INET, "255.255.255.255");
	ntop_sizes(AF_INET, "1.2.3.4");
	ntop_sizes(AF_INET6, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	ntop_sizes(AF_INET6, "::ffff:255.255.255.255");
	ntop_sizes(AF_INET6, "::");

	printf("[fuzz]\n");
	fuzz_pton(AF_INET, 3000, verbose);
	fuzz_pton(AF_INET6, 6000, verbose);
	fuzz_ntop(3000, verbose);

	libevent_global_shutdown();
	return 0;
}
