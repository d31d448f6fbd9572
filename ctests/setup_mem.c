/* Covers: event_set_mem_functions: after installing counting
 * malloc/realloc/free replacements (before any other libevent call), a
 * scenario using a config (avoid_method), a base, many timers, io and signal
 * events, event_base_once, a loop run and teardown makes libevent call
 * them; every pointer passed to the free replacement came from the
 * malloc/realloc replacements; nothing allocated through them is still live
 * after event_base_free + libevent_global_shutdown.  Only yes/no is printed,
 * never exact counts. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXLIVE 8192
static void *live[MAXLIVE];
static int nlive, mallocs, reallocs, frees, unknown_frees, overflow;

static void track_add(void *p)
{
    if (!p) return;
    if (nlive < MAXLIVE) live[nlive++] = p;
    else overflow = 1;
}

static int track_del(void *p)
{
    for (int i = nlive - 1; i >= 0; i--)
        if (live[i] == p) {
            live[i] = live[--nlive];
            return 1;
        }
    return 0;
}

static void *my_malloc(size_t n)
{
    mallocs++;
    void *p = malloc(n);
    track_add(p);
    return p;
}

static void *my_realloc(void *old, size_t n)
{
    reallocs++;
    if (old && !track_del(old)) unknown_frees++;
    void *p = realloc(old, n);
    if (p) track_add(p);
    else if (old && n) track_add(old);   /* failed realloc keeps the old block */
    return p;
}

static void my_free(void *p)
{
    if (!p) return;
    frees++;
    if (!track_del(p)) unknown_frees++;
    free(p);
}

static void cb(evutil_socket_t fd, short what, void *arg) {}

int main(void)
{
    event_set_mem_functions(my_malloc, my_realloc, my_free);
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }

    struct event_config *cfg = event_config_new();
    event_config_avoid_method(cfg, "nonexistent-method");
    int after_cfg = mallocs;
    struct event_base *b = event_base_new_with_config(cfg);
    event_config_free(cfg);
    printf("config used the malloc replacement: %s\n", after_cfg > 0 ? "yes" : "no");
    printf("base creation used it too: %s\n", mallocs > after_cfg ? "yes" : "no");

    struct event *timers[64];
    for (int i = 0; i < 64; i++) {
        struct timeval tv = {100 + i, 0};
        timers[i] = evtimer_new(b, cb, NULL);
        event_add(timers[i], &tv);
    }
    struct event *rd = event_new(b, sv[0], EV_READ | EV_PERSIST, cb, NULL);
    struct event *sg = evsignal_new(b, SIGUSR1, cb, NULL);
    event_add(rd, NULL);
    event_add(sg, NULL);
    event_base_once(b, -1, EV_TIMEOUT, cb, NULL, NULL);
    struct timeval ten = {10, 0};
    event_base_once(b, -1, EV_TIMEOUT, cb, NULL, &ten);   /* freed with the base */
    if (write(sv[1], "x", 1) != 1) printf("write failed\n");
    event_base_loop(b, EVLOOP_ONCE);
    printf("64 timers etc.: realloc replacement used: %s\n", reallocs > 0 ? "yes" : "no");
    printf("live blocks while the base exists: %s\n", nlive > 0 ? "yes" : "no");

    for (int i = 0; i < 64; i++)
        event_free(timers[i]);
    event_free(rd);
    event_free(sg);
    event_base_free(b);
    libevent_global_shutdown();

    printf("free replacement used: %s\n", frees > 0 ? "yes" : "no");
    printf("free/realloc got only pointers from the replacements: %s\n", unknown_frees == 0 ? "yes" : "no");
    printf("tracking table overflowed: %s\n", overflow ? "yes" : "no");
    printf("live blocks after event_base_free + global shutdown: %d\n", nlive);
    close(sv[0]);
    close(sv[1]);
    printf("done\n");
    return 0;
}
