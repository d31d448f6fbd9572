/* Covers: libevent_core's exported internal text helpers: EVUTIL_ISALPHA_,
 * ISALNUM_, ISSPACE_, ISDIGIT_, ISXDIGIT_, ISPRINT_, ISLOWER_, ISUPPER_,
 * TOUPPER_, TOLOWER_ over all 256 byte values; evutil_hex_char_to_int_,
 * evutil_rtrim_lws_, event_strlcpy_, evutil_tv_to_msec_ and the weak RNG
 * (evutil_weakrand_seed_ / evutil_weakrand_ / evutil_weakrand_range_),
 * whose sequence for a given seed is libevent's.
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <event2/event.h>
#include <event2/util.h>

int EVUTIL_ISALPHA_(char c);
int EVUTIL_ISALNUM_(char c);
int EVUTIL_ISSPACE_(char c);
int EVUTIL_ISDIGIT_(char c);
int EVUTIL_ISXDIGIT_(char c);
int EVUTIL_ISPRINT_(char c);
int EVUTIL_ISLOWER_(char c);
int EVUTIL_ISUPPER_(char c);
char EVUTIL_TOUPPER_(char c);
char EVUTIL_TOLOWER_(char c);
int evutil_hex_char_to_int_(char c);
void evutil_rtrim_lws_(char *);
size_t event_strlcpy_(char *dst, const char *src, size_t siz);
long evutil_tv_to_msec_(const struct timeval *tv);
struct evutil_weakrand_state { ev_uint32_t seed; };
ev_uint32_t evutil_weakrand_seed_(struct evutil_weakrand_state *state, ev_uint32_t seed);
ev_int32_t evutil_weakrand_(struct evutil_weakrand_state *seed);
ev_int32_t evutil_weakrand_range_(struct evutil_weakrand_state *seed, ev_int32_t top);

/* The members of a class, as a string (non-printing bytes as \xNN). */
static void members(const char *name, int (*fn)(char))
{
	int i, n = 0;
	printf("%-8s", name);
	for (i = 0; i < 256; i++) {
		int r = fn((char)i);
		if (r != 0 && r != 1)
			printf(" [%d gives %d]", i, r);
		if (!r)
			continue;
		n++;
		if (i > 0x20 && i < 0x7f)
			putchar(i);
		else
			printf("\\x%02x", i);
	}
	printf(" (%d)\n", n);
}

static void rtrim(const char *s)
{
	char buf[64];
	strcpy(buf, s);
	evutil_rtrim_lws_(buf);
	printf("rtrim(\"%s\") = \"%s\"\n", s, buf);
}

static void strl(const char *src, size_t siz)
{
	char buf[16];
	size_t r;
	memset(buf, '#', sizeof(buf));
	r = event_strlcpy_(buf, src, siz);
	buf[sizeof(buf) - 1] = 0;
	printf("strlcpy(\"%s\", %zu) = %zu buf=\"%s\"\n", src, siz, r, buf);
}

static void msec(long s, long us)
{
	struct timeval tv;
	tv.tv_sec = s;
	tv.tv_usec = us;
	printf("tv_to_msec(%ld, %ld) = %ld\n", s, us, evutil_tv_to_msec_(&tv));
}

int main(void)
{
	int i, diff_up = 0, diff_low = 0;
	const char *hex = "09afAFgG/:@`";
	struct evutil_weakrand_state st;

	members("alpha", EVUTIL_ISALPHA_);
	members("alnum", EVUTIL_ISALNUM_);
	members("space", EVUTIL_ISSPACE_);
	members("digit", EVUTIL_ISDIGIT_);
	members("xdigit", EVUTIL_ISXDIGIT_);
	members("print", EVUTIL_ISPRINT_);
	members("lower", EVUTIL_ISLOWER_);
	members("upper", EVUTIL_ISUPPER_);
	for (i = 0; i < 256; i++) {
		if (EVUTIL_TOUPPER_((char)i) != (char)i) {
			diff_up++;
			if (EVUTIL_TOUPPER_((char)i) != (char)(i - 32))
				printf("toupper(%d) = %d\n", i, EVUTIL_TOUPPER_((char)i));
		}
		if (EVUTIL_TOLOWER_((char)i) != (char)i) {
			diff_low++;
			if (EVUTIL_TOLOWER_((char)i) != (char)(i + 32))
				printf("tolower(%d) = %d\n", i, EVUTIL_TOLOWER_((char)i));
		}
	}
	printf("toupper changes %d bytes, tolower %d\n", diff_up, diff_low);
	for (i = 0; hex[i]; i++)
		printf("hex('%c')=%d ", hex[i], evutil_hex_char_to_int_(hex[i]));
	printf("hex(0x80)=%d\n", evutil_hex_char_to_int_((char)0x80));

	rtrim("abc  \t ");
	rtrim("a b\t\tc");
	rtrim(" \t ");
	rtrim("");
	rtrim("x\n ");
	rtrim("y \r");
	evutil_rtrim_lws_(NULL);

	strl("hello", 16);
	strl("hello", 6);
	strl("hello", 5);
	strl("hello", 1);
	strl("hello", 0);
	strl("", 4);

	msec(0, 0);
	msec(1, 1);
	msec(2, 999999);
	msec(3, 1000000);
	msec(3, 1000001);
	msec(-1, 0);
	msec(LONG_MAX / 1000 - 1, 0);
	msec(LONG_MAX / 1000, 0);

	printf("seed(42)=%u\n", evutil_weakrand_seed_(&st, 42));
	for (i = 0; i < 6; i++)
		printf("%d ", evutil_weakrand_(&st));
	printf("\nrange 10:");
	for (i = 0; i < 12; i++)
		printf(" %d", evutil_weakrand_range_(&st, 10));
	printf("\nrange 1: %d, range INT32_MAX: %d\n", evutil_weakrand_range_(&st, 1),
	    evutil_weakrand_range_(&st, INT32_MAX));
	{
		ev_uint32_t picked = evutil_weakrand_seed_(&st, 0);
		printf("seed(0) picks non-zero=%d stored=%d\n", picked != 0, st.seed == picked);
	}
	st.seed = 0xffffffffu;
	printf("from 0xffffffff: %d\n", evutil_weakrand_(&st));
	libevent_global_shutdown();
	return 0;
}
