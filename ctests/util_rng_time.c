/* Covers: evutil_secure_rng_init, evutil_secure_rng_get_bytes (lengths 0
 * to 4096, output not constant, calls differ), evutil_secure_rng_add_bytes,
 * evutil_secure_rng_set_urandom_device_file (return value);
 * evutil_monotonic_timer_new / evutil_configure_monotonic_time (every flag
 * combination) / evutil_gettime_monotonic (never decreasing, measures a
 * sleep) / evutil_monotonic_timer_free; the util.h macros and constants
 * (evutil_timeradd/sub/clear/isset/cmp, evutil_offsetof, EV_*_MAX/MIN,
 * ev_* integer types, evutil_gettimeofday).
 */
#include <event2/util.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <stddef.h>
#include <unistd.h>
#include <sys/time.h>

static int all_zero(const unsigned char *p, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++)
		if (p[i]) return 0;
	return 1;
}

static long long us(const struct timeval *tv) { return (long long)tv->tv_sec * 1000000 + tv->tv_usec; }

int main(void)
{
	static unsigned char a[4096 + 8], b[4096 + 8];
	size_t sizes[] = { 0, 1, 2, 7, 16, 255, 4096 };
	size_t i;
	int flags[] = { 0, EV_MONOT_PRECISE, EV_MONOT_FALLBACK, EV_MONOT_PRECISE | EV_MONOT_FALLBACK, 0x70 };
	setvbuf(stdout, NULL, _IOLBF, 0);

	printf("[secure rng]\n");
	printf("init = %d\n", evutil_secure_rng_init());
	printf("init again = %d\n", evutil_secure_rng_init());
	{
		char dev[] = "/dev/urandom";
		char bad[] = "/nonexistent/urandom";
		printf("set_urandom_device_file(/dev/urandom) = %d\n", evutil_secure_rng_set_urandom_device_file(dev));
		printf("set_urandom_device_file(missing) = %d\n", evutil_secure_rng_set_urandom_device_file(bad));
		printf("init after = %d\n", evutil_secure_rng_init());
	}
	evutil_secure_rng_add_bytes("some entropy", 12);
	evutil_secure_rng_add_bytes("", 0);
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		memset(a, 0, sizeof(a));
		memset(b, 0, sizeof(b));
		a[n] = 0xEE;	/* sentinel just past the request */
		evutil_secure_rng_get_bytes(a, n);
		evutil_secure_rng_get_bytes(b, n);
		printf("get_bytes(%d): sentinel kept=%d", (int)n, a[n] == 0xEE);
		if (n >= 16)
			printf(" nonzero=%d differ=%d", !all_zero(a, n), memcmp(a, b, n) != 0);
		printf("\n");
	}

	printf("[monotonic timer]\n");
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		struct evutil_monotonic_timer *t = evutil_monotonic_timer_new();
		struct timeval t0, t1, prev;
		int r, k, backwards = 0;
		long long d;
		printf("flags 0x%x: new=%s", flags[i], t ? "ok" : "NULL");
		r = evutil_configure_monotonic_time(t, flags[i]);
		printf(" configure=%d", r);
		r = evutil_gettime_monotonic(t, &t0);
		printf(" gettime=%d", r);
		prev = t0;
		for (k = 0; k < 2000; k++) {
			struct timeval now;
			evutil_gettime_monotonic(t, &now);
			if (evutil_timercmp(&now, &prev, <)) backwards++;
			prev = now;
		}
		usleep(30000);
		evutil_gettime_monotonic(t, &t1);
		d = us(&t1) - us(&t0);
		printf(" backwards=%d sleep30ms_measured_ok=%d usec_ok=%d\n", backwards, d >= 20000 && d < 2000000,
		    t1.tv_usec >= 0 && t1.tv_usec < 1000000);
		evutil_monotonic_timer_free(t);
	}

	printf("[macros]\n");
	{
		struct timeval x = { 1, 900000 }, y = { 2, 200000 }, z;
		evutil_timeradd(&x, &y, &z);
		printf("timeradd = %ld.%06ld\n", (long)z.tv_sec, (long)z.tv_usec);
		evutil_timersub(&x, &y, &z);
		printf("timersub = %ld.%06ld\n", (long)z.tv_sec, (long)z.tv_usec);
		printf("timercmp < %d == %d > %d\n", evutil_timercmp(&x, &y, <), evutil_timercmp(&x, &x, ==),
		    evutil_timercmp(&x, &y, >));
		printf("timerisset %d", evutil_timerisset(&z) != 0);
		evutil_timerclear(&z);
		printf(" after clear %d\n", evutil_timerisset(&z) != 0);
		printf("gettimeofday = %d\n", evutil_gettimeofday(&z, NULL));
		printf("offsetof(timeval, tv_usec) = %d\n", (int)evutil_offsetof(struct timeval, tv_usec));
		printf("sizes: u64 %d i64 %d u32 %d i32 %d u16 %d i16 %d u8 %d i8 %d uptr %d iptr %d ssize %d off %d socklen %d\n",
		    (int)sizeof(ev_uint64_t), (int)sizeof(ev_int64_t), (int)sizeof(ev_uint32_t), (int)sizeof(ev_int32_t),
		    (int)sizeof(ev_uint16_t), (int)sizeof(ev_int16_t), (int)sizeof(ev_uint8_t), (int)sizeof(ev_int8_t),
		    (int)sizeof(ev_uintptr_t), (int)sizeof(ev_intptr_t), (int)sizeof(ev_ssize_t), (int)sizeof(ev_off_t),
		    (int)sizeof(ev_socklen_t));
		printf("limits: %llu %lld %lld %u %d %d %u %d %d %u %d %d\n",
		    (unsigned long long)EV_UINT64_MAX, (long long)EV_INT64_MAX, (long long)EV_INT64_MIN,
		    (unsigned)EV_UINT32_MAX, (int)EV_INT32_MAX, (int)EV_INT32_MIN,
		    (unsigned)EV_UINT16_MAX, (int)EV_INT16_MAX, (int)EV_INT16_MIN,
		    (unsigned)EV_UINT8_MAX, (int)EV_INT8_MAX, (int)EV_INT8_MIN);
		printf("size limits: %llu %lld %lld\n", (unsigned long long)EV_SIZE_MAX, (long long)EV_SSIZE_MAX,
		    (long long)EV_SSIZE_MIN);
	}

	libevent_global_shutdown();
	return 0;
}
