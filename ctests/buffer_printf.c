/* Covers: evbuffer_add_printf / evbuffer_add_vprintf: return values, the
 * text produced for thousands of generated formats (flags - + space # 0,
 * widths and precisions as numbers and '*', length modifiers hh h l ll z j
 * t, conversions d i u x X o c s %, with extreme and zero values), formats
 * the library may hand to the C library (floating point, NULL strings),
 * output larger than the first chain's room, and the chain layout that
 * results.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

/* Some formats below are odd on purpose. */
#pragma GCC diagnostic ignored "-Wformat"
#pragma GCC diagnostic ignored "-Wformat-overflow"
#pragma GCC diagnostic ignored "-Wformat-extra-args"

static unsigned long long rng = 0x2545F4914F6CDD1DULL;
static unsigned rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng >> 16);
}

static void dump(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b), i;
	unsigned char *p = evbuffer_pullup(b, -1);
	for (i = 0; i < n; i++) {
		if (p[i] >= 32 && p[i] < 127 && p[i] != '\\')
			putchar(p[i]);
		else
			printf("\\%02x", p[i]);
	}
	printf("\n");
	evbuffer_drain(b, n);
}

static int vp(struct evbuffer *b, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = evbuffer_add_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

static long long pick_value(void)
{
	static const long long special[] = {0, 1, -1, 7, -7, 10, 99, 255, 256, -128, 65535, -32768,
	    INT_MAX, INT_MIN, UINT_MAX, LLONG_MAX, LLONG_MIN, 1234567890123LL, -987654321LL};
	if (rnd() % 3 == 0)
		return (long long)(((unsigned long long)rnd() << 32) | rnd()) >> (rnd() % 63);
	return special[rnd() % (sizeof(special) / sizeof(special[0]))];
}

/* One generated integer or string conversion, formatted once. */
static void one(struct evbuffer *b, int i)
{
	char fmt[64], *f = fmt;
	const char *flags = "-+ #0";
	static const char *lens[] = {"", "hh", "h", "l", "ll", "z", "j", "t"};
	static const char convs[] = "diuxXocs";
	static const char *strs[] = {"", "a", "hello", "a somewhat longer string", "tab\there"};
	char conv = convs[rnd() % 8];
	const char *len = (conv == 'c' || conv == 's') ? "" : lens[rnd() % 8];
	int star_w = 0, star_p = 0, k, r = 0;
	int w = (int)(rnd() % 30) - 5, pr = (int)(rnd() % 25) - 5;
	long long v = pick_value();
	f += sprintf(f, "[%d:", i);
	*f++ = '%';
	for (k = 0; k < 5; k++)
		if (rnd() % 4 == 0 && !(flags[k] == '0' && (conv == 's' || conv == 'c')))
			*f++ = flags[k];
	switch (rnd() % 3) {
	case 0: break;
	case 1: f += sprintf(f, "%d", w < 0 ? -w : w); break;
	case 2: *f++ = '*'; star_w = 1; break;
	}
	switch (rnd() % 4) {
	case 0: break;
	case 1: f += sprintf(f, ".%d", pr < 0 ? -pr : pr); break;
	case 2: *f++ = '.'; *f++ = '*'; star_p = 1; break;
	case 3: *f++ = '.'; break;
	}
	f += sprintf(f, "%s%c]", len, conv);
	*f = 0;
#define CALL(arg) \
	do { \
		if (star_w && star_p) r = evbuffer_add_printf(b, fmt, w, pr, arg); \
		else if (star_w) r = evbuffer_add_printf(b, fmt, w, arg); \
		else if (star_p) r = evbuffer_add_printf(b, fmt, pr, arg); \
		else r = evbuffer_add_printf(b, fmt, arg); \
	} while (0)
	if (conv == 's') {
		CALL(strs[rnd() % 5]);
	} else if (conv == 'c') {
		CALL((int)(unsigned char)('A' + rnd() % 26));
	} else if (!strcmp(len, "") || !strcmp(len, "hh") || !strcmp(len, "h")) {
		CALL((int)v);
	} else if (!strcmp(len, "l") || !strcmp(len, "z") || !strcmp(len, "t")) {
		CALL((long)v);
	} else if (!strcmp(len, "ll")) {
		CALL(v);
	} else {
		CALL((intmax_t)v);
	}
	printf("%-24s r=%-3d ", fmt, r);
	dump(b);
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	static char big[9000];
	int i;

	printf("r=%d\n", evbuffer_add_printf(b, "Hello %s %d.%d.%d", "world", 2, 0, 1));
	dump(b);
	printf("r=%d\n", evbuffer_add_printf(b, "%s", ""));
	printf("r=%d\n", evbuffer_add_printf(b, "plain text, no conversions"));
	dump(b);
	printf("r=%d\n", evbuffer_add_printf(b, "100%% %5%|%-5d|%05d|%+d|% d|%#x|%#o|%.0d|%#.0o|%#.0x|", 42, 42, 42, 42, 255, 8, 0, 0, 0));
	dump(b);
	printf("r=%d\n", evbuffer_add_printf(b, "%f %.3e %g %10.4f %-8.2f| %a", 3.14159, 12345.678, 0.0001, -2.5, 1.0, 1.0));
	dump(b);
	printf("r=%d\n", evbuffer_add_printf(b, "[%s] [%.3s] [%10s]", (char *)NULL, (char *)NULL, (char *)NULL));
	dump(b);
	printf("r=%d\n", evbuffer_add_printf(b, "%05s|%-05d|%0-5d|%lc|%hhx|%hd", "ab", 3, 4, (int)'w', 0x1ff, 70000));
	dump(b);
	printf("r=%d\n", evbuffer_add_printf(b, "%2$s %1$s", "world", "hello"));
	dump(b);
	printf("r=%d\n", evbuffer_add_printf(b, "%zu %zd %jd %ju %td %llu %lld %lu", (size_t)-1, (ssize_t)-5,
	    (intmax_t)INT64_MIN, (uintmax_t)UINT64_MAX, (ptrdiff_t)-3, ULLONG_MAX, LLONG_MIN, ULONG_MAX));
	dump(b);

	/* output larger than the room in the last chain */
	memset(big, 'x', sizeof(big) - 1);
	evbuffer_add(b, big, 900);
	printf("r=%d\n", evbuffer_add_printf(b, "%s|%d", big + 8000, 12345));
	printf("r=%d\n", vp(b, "%.*s", 5000, big));
	{
		struct evbuffer_iovec v[8];
		int n = evbuffer_peek(b, -1, NULL, v, 8), k;
		printf("len=%zu chains=%d:", evbuffer_get_length(b), n);
		for (k = 0; k < n && k < 8; k++)
			printf(" %zu", v[k].iov_len);
		printf("\n");
	}
	evbuffer_drain(b, evbuffer_get_length(b));

	for (i = 0; i < 3000; i++)
		one(b, i);

	evbuffer_free(b);
	libevent_global_shutdown();
	return 0;
}
