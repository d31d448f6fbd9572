/* Covers: event_base_once: EV_TIMEOUT with NULL timeout (runs on the next
 * loop iteration, in the order scheduled), with a delay, EV_READ on a
 * readable socket (gets EV_READ and the fd), EV_READ with a timeout that
 * expires first (gets EV_TIMEOUT), EV_WRITE, refused flag combinations
 * (EV_SIGNAL, EV_PERSIST: -1, nothing scheduled), the callback argument
 * passed through, pending counts while scheduled, and a once-event still
 * pending when the base is freed (released without running: valgrind). */
#include <event2/event.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

static int sv0;
static struct timeval start;

static long elapsed_ms(void)
{
    struct timeval now;
    gettimeofday(&now, NULL);
    return (now.tv_sec - start.tv_sec) * 1000 + (now.tv_usec - start.tv_usec) / 1000;
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
    const char *fdname = fd == -1 ? "-1" : fd == sv0 ? "sv0" : "other";
    printf("once cb %-16s fd=%s what=0x%x\n", (const char *)arg, fdname, what);
    if (what & EV_READ) {
        char buf[8];
        if (read(fd, buf, sizeof(buf)) < 1) printf("read failed\n");
    }
}

static void delayed_cb(evutil_socket_t fd, short what, void *arg)
{
    printf("once cb %-16s what=0x%x after >= 30ms: %s\n", (const char *)arg, what,
           elapsed_ms() >= 30 ? "yes" : "no");
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    sv0 = sv[0];
    struct event_base *b = event_base_new();
    struct timeval t40 = {0, 40000}, t20 = {0, 20000};

    printf("timeout NULL #1: %d\n", event_base_once(b, -1, EV_TIMEOUT, cb, "immediate-1", NULL));
    printf("timeout NULL #2: %d\n", event_base_once(b, -1, EV_TIMEOUT, cb, "immediate-2", NULL));
    printf("added=%d active=%d\n", event_base_get_num_events(b, EVENT_BASE_COUNT_ADDED),
           event_base_get_num_events(b, EVENT_BASE_COUNT_ACTIVE));
    printf("loop(NONBLOCK) = %d\n", event_base_loop(b, EVLOOP_NONBLOCK));

    gettimeofday(&start, NULL);
    printf("timeout 40ms: %d\n", event_base_once(b, -1, EV_TIMEOUT, delayed_cb, "delayed-40ms", &t40));
    printf("added=%d active=%d\n", event_base_get_num_events(b, EVENT_BASE_COUNT_ADDED),
           event_base_get_num_events(b, EVENT_BASE_COUNT_ACTIVE));
    printf("dispatch = %d\n", event_base_dispatch(b));

    if (write(sv[1], "abc", 3) != 3) printf("write failed\n");
    printf("read on readable fd: %d\n", event_base_once(b, sv[0], EV_READ, cb, "readable", NULL));
    printf("dispatch = %d\n", event_base_dispatch(b));

    printf("read with 20ms timeout, no data: %d\n", event_base_once(b, sv[0], EV_READ, cb, "read-timeout", &t20));
    printf("dispatch = %d\n", event_base_dispatch(b));

    printf("write on writable fd: %d\n", event_base_once(b, sv[0], EV_WRITE, cb, "writable", NULL));
    printf("dispatch = %d\n", event_base_dispatch(b));

    printf("EV_SIGNAL: %d\n", event_base_once(b, 10, EV_SIGNAL, cb, "signal", NULL));
    printf("EV_READ|EV_PERSIST: %d\n", event_base_once(b, sv[0], EV_READ | EV_PERSIST, cb, "persist", NULL));
    printf("EV_TIMEOUT|EV_PERSIST: %d\n", event_base_once(b, -1, EV_TIMEOUT | EV_PERSIST, cb, "persist-t", &t20));
    printf("added after refused ones=%d\n", event_base_get_num_events(b, EVENT_BASE_COUNT_ADDED));

    /* never fires: freed together with the base */
    struct timeval t10s = {10, 0};
    printf("10s once left pending: %d\n", event_base_once(b, -1, EV_TIMEOUT, cb, "never", &t10s));
    printf("read once left pending: %d\n", event_base_once(b, sv[0], EV_READ, cb, "never-read", NULL));
    printf("added=%d\n", event_base_get_num_events(b, EVENT_BASE_COUNT_ADDED));
    event_base_free(b);
    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
