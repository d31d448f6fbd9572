/* Covers: util.h calls given sizes beyond ssize_t: evutil_ascii_strncasecmp
 * with a SIZE_MAX limit (compares whole strings), evutil_snprintf,
 * evutil_date_rfc1123 and evutil_inet_ntop into buffers described as
 * SIZE_MAX or SIZE_MAX - 1 bytes long (the text and its NUL are written),
 * and the same calls with exact and one-short sizes for comparison.
 * (libevent also clears the byte at buf + size - 1, which for these sizes
 * lies just before the buffer; the buffers here sit inside a larger array
 * so that write lands in it, and nothing before the buffer is printed.
 * Sizes between SSIZE_MAX and SIZE_MAX - 64 make that write crash it.)
 */
#include <event2/util.h>
#include <arpa/inet.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static char area[256];
#define BUF (area + 64)

static void show(const char *what, const char *r)
{
	printf("%-28s -> %s \"%s\"\n", what, r == NULL ? "NULL" : r == BUF ? "buf" : "other", BUF);
}

int main(void)
{
	size_t sizes[] = {SIZE_MAX, SIZE_MAX - 1};
	struct tm tm;
	struct in_addr a4;
	struct in6_addr a6;
	unsigned i;
	int r;

	printf("strncasecmp SIZE_MAX abc/ABD -> %d\n", evutil_ascii_strncasecmp("abc", "ABD", SIZE_MAX));
	printf("strncasecmp SIZE_MAX abc/ABC -> %d\n", evutil_ascii_strncasecmp("abc", "ABC", SIZE_MAX));
	printf("strncasecmp SIZE_MAX/2+1 abc/ABD -> %d\n", evutil_ascii_strncasecmp("abc", "ABD", SIZE_MAX / 2 + 1));
	printf("strncasecmp 2 abc/ABD -> %d\n", evutil_ascii_strncasecmp("abc", "ABD", 2));

	memset(&tm, 0, sizeof(tm));
	tm.tm_year = 94;
	tm.tm_mon = 10;
	tm.tm_mday = 6;
	tm.tm_wday = 0;
	tm.tm_hour = 8;
	tm.tm_min = 49;
	tm.tm_sec = 37;
	inet_pton(AF_INET, "192.168.10.200", &a4);
	inet_pton(AF_INET6, "2001:db8::ff00:42:8329", &a6);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		char label[64];
		memset(area, 'z', sizeof(area) - 1);
		r = evutil_snprintf(BUF, sizes[i], "%s-%d", "abc", 42);
		printf("snprintf size %zu -> %d \"%s\"\n", sizes[i], r, BUF);
		memset(area, 'z', sizeof(area) - 1);
		r = evutil_date_rfc1123(BUF, sizes[i], &tm);
		printf("date_rfc1123 size %zu -> %d \"%s\"\n", sizes[i], r, BUF);
		memset(area, 'z', sizeof(area) - 1);
		snprintf(label, sizeof(label), "ntop v4 size %zu", sizes[i]);
		show(label, evutil_inet_ntop(AF_INET, &a4, BUF, sizes[i]));
		memset(area, 'z', sizeof(area) - 1);
		snprintf(label, sizeof(label), "ntop v6 size %zu", sizes[i]);
		show(label, evutil_inet_ntop(AF_INET6, &a6, BUF, sizes[i]));
	}
	memset(area, 'z', sizeof(area) - 1);
	show("ntop v4 size 15", evutil_inet_ntop(AF_INET, &a4, BUF, 15));
	show("ntop v4 size 14", evutil_inet_ntop(AF_INET, &a4, BUF, 14));
	memset(area, 'z', sizeof(area) - 1);
	show("ntop v6 size 22", evutil_inet_ntop(AF_INET6, &a6, BUF, 22));
	memset(area, 'z', sizeof(area) - 1);
	show("ntop v6 size 21", evutil_inet_ntop(AF_INET6, &a6, BUF, 21));
	memset(area, 'z', sizeof(area) - 1);
	r = evutil_date_rfc1123(BUF, 29, &tm);
	printf("date_rfc1123 size 29 -> %d \"%s\"\n", r, BUF);
	return 0;
}
