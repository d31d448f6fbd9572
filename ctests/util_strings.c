/* Covers: evutil_snprintf / evutil_vsnprintf (return values, truncation,
 * NUL termination, empty buffers, bytes past the buffer left alone),
 * evutil_strtoll (bases 0/2/8/10/16/36, prefixes, signs, white space,
 * overflow with errno, bad bases, the end pointer), evutil_ascii_strcasecmp
 * and evutil_ascii_strncasecmp (ASCII-only folding, bytes >= 0x80, limits),
 * evutil_date_rfc1123 with fixed times (every weekday and month, odd years,
 * short buffers) and with the current time (length and shape only).
 */
#include <event2/util.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <stdarg.h>
#include <time.h>

static void show_buf(const char *buf, size_t n)
{
	size_t i;
	printf("[");
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)buf[i];
		if (c == 0) printf("\\0");
		else if (c == '#') printf("#");
		else printf("%c", c);
	}
	printf("]");
}

static void sn(size_t buflen, const char *label, const char *fmt, ...)
{
	char buf[64];
	int r;
	va_list ap;
	memset(buf, '#', sizeof(buf));
	va_start(ap, fmt);
	r = evutil_vsnprintf(buf, buflen, fmt, ap);
	va_end(ap);
	printf("vsnprintf %-10s len %2d -> %3d ", label, (int)buflen, r);
	show_buf(buf, buflen + 2 < sizeof(buf) ? buflen + 2 : sizeof(buf));
	printf("\n");
}

static void strtoll_case(const char *s, int base)
{
	char *end = (char *)0;
	ev_int64_t v;
	errno = 0;
	v = evutil_strtoll(s, &end, base);
	printf("strtoll('%s', %d) = %lld end=%ld errno=%d\n", s, base, (long long)v,
	    end ? (long)(end - s) : -1L, errno);
}

static void date_case(time_t t, size_t len)
{
	struct tm tm;
	char buf[64];
	int r;
	gmtime_r(&t, &tm);
	memset(buf, '#', sizeof(buf));
	r = evutil_date_rfc1123(buf, len, &tm);
	printf("date(%lld, len %2d) = %d ", (long long)t, (int)len, r);
	show_buf(buf, len + 1 < sizeof(buf) ? len + 1 : sizeof(buf));
	printf("\n");
}

int main(void)
{
	static const char *cmp[][2] = {
		{ "", "" }, { "a", "" }, { "", "a" }, { "abc", "ABC" }, { "abc", "abd" },
		{ "ABD", "abc" }, { "Hello", "hELLo" }, { "a", "ab" }, { "ab", "a" },
		{ "[", "{" }, { "@", "`" }, { "Z", "z" }, { "z", "[" }, { "Z", "[" },
		{ "\xe9", "a" }, { "a", "\xe9" }, { "\xc9", "\xe9" }, { "\x7f", "\x80" },
		{ "abc\xff", "ABC\xfe" }, { "content-length", "Content-Length" },
	};
	static const struct { const char *s; int base; } lls[] = {
		{ "0", 10 }, { "123", 10 }, { "-123", 10 }, { "+42", 10 }, { "  \t\n 7x", 10 },
		{ "", 10 }, { "   ", 10 }, { "-", 10 }, { "+", 10 }, { "abc", 10 }, { "12abc", 10 },
		{ "9223372036854775807", 10 }, { "9223372036854775808", 10 },
		{ "-9223372036854775808", 10 }, { "-9223372036854775809", 10 },
		{ "99999999999999999999999", 10 }, { "-99999999999999999999999", 10 },
		{ "0x1f", 16 }, { "0X1F", 16 }, { "1f", 16 }, { "0x", 16 }, { "0xg", 16 },
		{ "-0x10", 16 }, { "0x1f", 0 }, { "017", 0 }, { "019", 0 }, { "0", 0 },
		{ "-0", 0 }, { "0x", 0 }, { " -0x", 0 }, { "123", 0 }, { "017", 8 },
		{ "8", 8 }, { "101", 2 }, { "102", 2 }, { "zz", 36 }, { "ZZ", 36 },
		{ "0x1f", 10 }, { "7fffffffffffffff", 16 }, { "8000000000000000", 16 },
		{ "10", 1 }, { "10", 37 }, { "10", -1 }, { "0b101", 2 }, { "0b101", 0 },
	};
	static const time_t times[] = {
		0, 86400 * 1, 86400 * 2, 86400 * 3, 86400 * 4, 86400 * 5, 86400 * 6,
		784111777, 951782400, 1234567890, 2147483647, 4102444800LL, 253402300799LL,
		-1, -86400 * 365,
	};
	size_t i;
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("[snprintf]\n");
	{
		char buf[16];
		int r;
		memset(buf, '#', sizeof(buf));
		r = evutil_snprintf(buf, 0, "hello");
		printf("snprintf len 0 -> %d ", r); show_buf(buf, 2); printf("\n");
		r = evutil_snprintf(NULL, 0, "hello %d", 5);
		printf("snprintf NULL len 0 -> %d\n", r);
		r = evutil_snprintf(buf, 1, "hello");
		printf("snprintf len 1 -> %d ", r); show_buf(buf, 3); printf("\n");
		memset(buf, '#', sizeof(buf));
		r = evutil_snprintf(buf, 5, "hello");
		printf("snprintf len 5 -> %d ", r); show_buf(buf, 7); printf("\n");
		memset(buf, '#', sizeof(buf));
		r = evutil_snprintf(buf, 6, "hello");
		printf("snprintf len 6 -> %d ", r); show_buf(buf, 8); printf("\n");
		memset(buf, '#', sizeof(buf));
		r = evutil_snprintf(buf, sizeof(buf), "%s-%d-%x-%c-%5.2f", "ab", -12, 255, 'q', 3.14159);
		printf("snprintf mixed -> %d ", r); show_buf(buf, sizeof(buf)); printf("\n");
		memset(buf, '#', sizeof(buf));
		r = evutil_snprintf(buf, sizeof(buf), "%s", "");
		printf("snprintf empty -> %d ", r); show_buf(buf, 3); printf("\n");
	}
	sn(0, "zero", "%d", 12345);
	sn(1, "one", "%d", 12345);
	sn(3, "trunc", "%d", 12345);
	sn(5, "exact-1", "%d", 12345);
	sn(6, "exact", "%d", 12345);
	sn(20, "room", "%d", 12345);
	sn(10, "long", "%s/%s", "0123456789", "abcdefghij");
	sn(30, "pct", "100%% %s", "sure");
	sn(8, "ll", "%lld", (long long)-9223372036854775807LL - 1);

	printf("[strtoll]\n");
	for (i = 0; i < sizeof(lls) / sizeof(lls[0]); i++)
		strtoll_case(lls[i].s, lls[i].base);
	{
		ev_int64_t v;
		errno = 0;
		v = evutil_strtoll("  77 rest", NULL, 10);
		printf("strtoll(NULL endptr) = %lld errno=%d\n", (long long)v, errno);
	}

	printf("[ascii_strcasecmp]\n");
	for (i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++) {
		printf("'%s' '%s': %d", cmp[i][0], cmp[i][1], evutil_ascii_strcasecmp(cmp[i][0], cmp[i][1]));
		printf(" n0=%d n1=%d n2=%d n3=%d n100=%d\n",
		    evutil_ascii_strncasecmp(cmp[i][0], cmp[i][1], 0),
		    evutil_ascii_strncasecmp(cmp[i][0], cmp[i][1], 1),
		    evutil_ascii_strncasecmp(cmp[i][0], cmp[i][1], 2),
		    evutil_ascii_strncasecmp(cmp[i][0], cmp[i][1], 3),
		    evutil_ascii_strncasecmp(cmp[i][0], cmp[i][1], 100));
	}

	printf("[date_rfc1123]\n");
	for (i = 0; i < sizeof(times) / sizeof(times[0]); i++)
		date_case(times[i], 40);
	date_case(784111777, 0);
	date_case(784111777, 1);
	date_case(784111777, 10);
	date_case(784111777, 29);
	date_case(784111777, 30);
	{
		struct tm tm;
		char buf[64];
		int r;
		memset(&tm, 0, sizeof(tm));
		tm.tm_year = -1895;	/* year 5 */
		tm.tm_mday = 7;
		tm.tm_hour = 23; tm.tm_min = 59; tm.tm_sec = 60;
		r = evutil_date_rfc1123(buf, sizeof(buf), &tm);
		printf("date(year 5) = %d '%s'\n", r, buf);
		tm.tm_year = 12345 - 1900;
		tm.tm_mday = 31; tm.tm_mon = 11; tm.tm_wday = 6;
		r = evutil_date_rfc1123(buf, sizeof(buf), &tm);
		printf("date(year 12345) = %d '%s'\n", r, buf);
		tm.tm_year = -1900 - 12;
		r = evutil_date_rfc1123(buf, sizeof(buf), &tm);
		printf("date(year -12) = %d '%s'\n", r, buf);
		tm.tm_mday = -3; tm.tm_hour = -1; tm.tm_min = 100; tm.tm_sec = 5;
		r = evutil_date_rfc1123(buf, sizeof(buf), &tm);
		printf("date(odd fields) = %d '%s'\n", r, buf);
		memset(buf, 0, sizeof(buf));
		r = evutil_date_rfc1123(buf, sizeof(buf), NULL);
		printf("date(now) = %d len=%d comma=%d gmt=%d\n", r, (int)strlen(buf),
		    buf[3] == ',', strcmp(buf + strlen(buf) - 4, " GMT") == 0);
	}

	libevent_global_shutdown();
	return 0;
}
