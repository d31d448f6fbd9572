/* Covers: event_base_get_running_event inside io, timer, signal and
 * manually activated callbacks (the event itself), inside an
 * event_base_once callback (not NULL, not one of ours).
 * Not tested: calling it when no event callback of that base is running
 * (outside the loop, on another base that is idle, or inside a finalizer
 * callback): libevent 2.1.12 dereferences a NULL current-callback pointer
 * there and crashes. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static struct event_base *gb;
static struct event *rd, *tm, *sg, *man;

static const char *name_of(const struct event *ev)
{
    if (ev == NULL) return "NULL";
    if (ev == rd) return "rd";
    if (ev == tm) return "tm";
    if (ev == sg) return "sg";
    if (ev == man) return "man";
    return "(some other event)";
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
    struct event *running = event_base_get_running_event(gb);
    printf("in %s callback: running=%s\n", (const char *)arg, name_of(running));
    if (running == rd) {
        char c;
        if (read(fd, &c, 1) != 1) printf("read failed\n");
    }
}

static void once_cb(evutil_socket_t fd, short what, void *arg)
{
    printf("in once callback: running=%s\n", name_of(event_base_get_running_event(gb)));
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    gb = event_base_new();

    rd = event_new(gb, sv[0], EV_READ, cb, "read");
    tm = evtimer_new(gb, cb, "timer");
    sg = evsignal_new(gb, SIGUSR1, cb, "signal");
    man = evtimer_new(gb, cb, "manual");
    struct timeval tv = {0, 1000};

    event_add(rd, NULL);
    if (write(sv[1], "x", 1) != 1) printf("write failed\n");
    printf("loop = %d\n", event_base_loop(gb, EVLOOP_ONCE));
    event_add(tm, &tv);
    printf("loop = %d\n", event_base_loop(gb, EVLOOP_ONCE));
    event_add(sg, NULL);
    raise(SIGUSR1);
    printf("loop = %d\n", event_base_loop(gb, EVLOOP_ONCE));
    event_del(sg);
    event_active(man, EV_WRITE, 0);
    printf("loop = %d\n", event_base_loop(gb, EVLOOP_ONCE));
    event_base_once(gb, -1, EV_TIMEOUT, once_cb, NULL, NULL);
    printf("loop = %d\n", event_base_loop(gb, EVLOOP_ONCE));


    event_free(rd);
    event_free(tm);
    event_free(sg);
    event_free(man);
    event_base_free(gb);
    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
