/* Covers: event_base_gettimeofday_cached outside the loop (live time) and
 * inside callbacks (time cached at the start of the iteration: unchanged
 * after sleeping), event_base_update_cache_time inside a callback (cache
 * advances) and outside the loop (returns 0), EVENT_BASE_FLAG_NO_CACHE_TIME
 * (no caching inside callbacks), event_gettime_monotonic (agrees with
 * CLOCK_MONOTONIC, never goes backwards, advances with sleep) and NULL
 * arguments where 2.1.12 returns an error instead of crashing.
 * All times are compared with tolerances and printed as yes/no. */
#include <event2/event.h>
#include <stdio.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static long long us_of(const struct timeval *tv) { return tv->tv_sec * 1000000LL + tv->tv_usec; }
static long long now_us(void) { struct timeval tv; gettimeofday(&tv, NULL); return us_of(&tv); }
static long long mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}
static const char *yesno(int c) { return c ? "yes" : "no"; }
static long long abs_ll(long long v) { return v < 0 ? -v : v; }

static struct event_base *gb;
static long long loop_start_us;

static void cb(evutil_socket_t fd, short what, void *arg)
{
    const char *label = arg;
    struct timeval c1, c2, c3;
    int r1 = event_base_gettimeofday_cached(gb, &c1);
    printf("[%s] cached call returns %d, close to loop start (<50ms): %s\n", label, r1,
           yesno(abs_ll(us_of(&c1) - loop_start_us) < 50000));
    usleep(60000);
    event_base_gettimeofday_cached(gb, &c2);
    long long d = us_of(&c2) - us_of(&c1);
    printf("[%s] after 60ms sleep: cached value moved >= 50ms: %s, unchanged: %s\n", label,
           yesno(d >= 50000), yesno(d == 0));
    int r2 = event_base_update_cache_time(gb);
    event_base_gettimeofday_cached(gb, &c3);
    printf("[%s] update_cache_time returns %d, now within 45ms of gettimeofday: %s, advanced >= 50ms: %s\n",
           label, r2, yesno(abs_ll(us_of(&c3) - now_us()) < 45000), yesno(us_of(&c3) - us_of(&c1) >= 50000));
}

static void run(int flags, const char *label)
{
    struct event_config *cfg = event_config_new();
    if (flags) event_config_set_flag(cfg, flags);
    gb = event_base_new_with_config(cfg);
    event_config_free(cfg);
    struct event *e = evtimer_new(gb, cb, (void *)label);
    event_active(e, EV_TIMEOUT, 0);
    loop_start_us = now_us();
    event_base_loop(gb, EVLOOP_ONCE);
    event_free(e);

    /* after the loop the cache is gone: live time again */
    usleep(30000);
    struct timeval tv;
    int r = event_base_gettimeofday_cached(gb, &tv);
    printf("[%s] after loop: returns %d, within 45ms of gettimeofday: %s\n", label, r,
           yesno(abs_ll(us_of(&tv) - now_us()) < 45000));
    printf("[%s] update_cache_time outside loop: %d\n", label, event_base_update_cache_time(gb));
    event_base_free(gb);
}

int main(void)
{
    struct event_base *b = event_base_new();
    struct timeval tv;
    int r = event_base_gettimeofday_cached(b, &tv);
    printf("outside loop: returns %d, within 45ms of gettimeofday: %s\n", r,
           yesno(abs_ll(us_of(&tv) - now_us()) < 45000));
    r = event_base_gettimeofday_cached(NULL, &tv);
    printf("NULL base: returns %d, within 45ms of gettimeofday: %s\n", r,
           yesno(abs_ll(us_of(&tv) - now_us()) < 45000));
    printf("update_cache_time(NULL): %d\n", event_base_update_cache_time(NULL));

    /* monotonic clock */
    struct timeval m1, m2;
    r = event_gettime_monotonic(b, &m1);
    printf("event_gettime_monotonic returns %d, within 45ms of CLOCK_MONOTONIC: %s\n", r,
           yesno(abs_ll(us_of(&m1) - mono_us()) < 45000));
    int backwards = 0;
    struct timeval prev = m1;
    for (int i = 0; i < 1000; i++) {
        event_gettime_monotonic(b, &m2);
        if (us_of(&m2) < us_of(&prev)) backwards++;
        prev = m2;
    }
    printf("monotonic went backwards in 1000 calls: %s\n", yesno(backwards));
    usleep(40000);
    event_gettime_monotonic(b, &m2);
    long long d = us_of(&m2) - us_of(&m1);
    printf("monotonic advanced >= 30ms and < 1s across a 40ms sleep: %s\n", yesno(d >= 30000 && d < 1000000));
    printf("event_gettime_monotonic(NULL, tv): %d\n", event_gettime_monotonic(NULL, &m2));
    printf("event_gettime_monotonic(base, NULL): %d\n", event_gettime_monotonic(b, NULL));
    event_base_free(b);

    run(0, "default");
    run(EVENT_BASE_FLAG_NO_CACHE_TIME, "NO_CACHE_TIME");
    run(EVENT_BASE_FLAG_PRECISE_TIMER, "PRECISE_TIMER");

    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
