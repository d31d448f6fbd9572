/* Covers: event_config_set_flag with each EVENT_BASE_FLAG_* value (NOLOCK,
 * IGNORE_ENV, STARTUP_IOCP, NO_CACHE_TIME, EPOLL_USE_CHANGELIST,
 * PRECISE_TIMER), unknown bits and all bits (return values; the base still
 * works: a readable socket, a short timer and a manually activated event
 * each run once, in a fixed order), event_base_get_method under
 * EPOLL_USE_CHANGELIST (from the flag and from the EVENT_EPOLL_USE_CHANGELIST
 * environment variable, which IGNORE_ENV turns off), and
 * event_config_set_num_cpus_hint return values. */
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

static void cb(evutil_socket_t fd, short what, void *arg)
{
    printf(" %s(0x%x)", (const char *)arg, what);
    if (what & EV_READ) {
        char buf[8];
        if (read(fd, buf, sizeof(buf)) < 1) printf("[read failed]");
    }
}

static void exercise(struct event_base *b, int sv0, int sv1)
{
    struct event *r = event_new(b, sv0, EV_READ, cb, "read");
    struct event *t = evtimer_new(b, cb, "timer");
    struct event *m = evtimer_new(b, cb, "manual");
    struct timeval tv = {0, 20000};
    if (write(sv1, "x", 1) != 1) printf("write failed\n");
    event_add(r, NULL);
    event_add(t, &tv);
    event_active(m, EV_WRITE, 0);
    printf("  callbacks:");
    int ret = event_base_dispatch(b);
    printf("\n  dispatch=%d\n", ret);
    event_free(r);
    event_free(t);
    event_free(m);
}

static void with_flags(const char *label, int flags, int sv0, int sv1)
{
    struct event_config *cfg = event_config_new();
    int r = event_config_set_flag(cfg, flags);
    struct event_base *b = event_base_new_with_config(cfg);
    printf("%s: set_flag=%d base=%s", label, r, b ? "ok" : "NULL");
    if (b) printf(" method=%s features=0x%x", event_base_get_method(b), event_base_get_features(b));
    printf("\n");
    if (b) {
        exercise(b, sv0, sv1);
        event_base_free(b);
    }
    event_config_free(cfg);
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }

    with_flags("no flags", 0, sv[0], sv[1]);
    with_flags("NOLOCK", EVENT_BASE_FLAG_NOLOCK, sv[0], sv[1]);
    with_flags("IGNORE_ENV", EVENT_BASE_FLAG_IGNORE_ENV, sv[0], sv[1]);
    with_flags("STARTUP_IOCP", EVENT_BASE_FLAG_STARTUP_IOCP, sv[0], sv[1]);
    with_flags("NO_CACHE_TIME", EVENT_BASE_FLAG_NO_CACHE_TIME, sv[0], sv[1]);
    with_flags("EPOLL_USE_CHANGELIST", EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST, sv[0], sv[1]);
    with_flags("PRECISE_TIMER", EVENT_BASE_FLAG_PRECISE_TIMER, sv[0], sv[1]);
    with_flags("unknown bit 0x1000", 0x1000, sv[0], sv[1]);
    with_flags("NOLOCK|NO_CACHE_TIME|PRECISE_TIMER",
               EVENT_BASE_FLAG_NOLOCK | EVENT_BASE_FLAG_NO_CACHE_TIME | EVENT_BASE_FLAG_PRECISE_TIMER, sv[0], sv[1]);

    /* flags accumulate across calls */
    struct event_config *cfg = event_config_new();
    int r1 = event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST);
    int r2 = event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
    printf("set_flag(CHANGELIST)=%d set_flag(IGNORE_ENV)=%d\n", r1, r2);
    struct event_base *b = event_base_new_with_config(cfg);
    printf("accumulated flags: method=%s\n", b ? event_base_get_method(b) : "NULL");
    if (b) event_base_free(b);
    event_config_free(cfg);

    /* the environment variable form of the changelist switch */
    setenv("EVENT_EPOLL_USE_CHANGELIST", "1", 1);
    b = event_base_new();
    printf("EVENT_EPOLL_USE_CHANGELIST=1: method=%s\n", event_base_get_method(b));
    event_base_free(b);
    cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
    b = event_base_new_with_config(cfg);
    printf("EVENT_EPOLL_USE_CHANGELIST=1 + IGNORE_ENV: method=%s\n", event_base_get_method(b));
    event_base_free(b);
    event_config_free(cfg);
    unsetenv("EVENT_EPOLL_USE_CHANGELIST");

    cfg = event_config_new();
    int hints[] = {0, 1, 4, -1, 1000};
    for (unsigned i = 0; i < sizeof(hints) / sizeof(hints[0]); i++)
        printf("set_num_cpus_hint(%d)=%d\n", hints[i], event_config_set_num_cpus_hint(cfg, hints[i]));
    b = event_base_new_with_config(cfg);
    printf("base with cpu hint: %s\n", b ? "ok" : "NULL");
    event_base_free(b);
    event_config_free(cfg);

    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
