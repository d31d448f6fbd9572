/* Covers: event_base_active_by_fd (which events on the fd run and with what
 * flags for EV_READ, EV_WRITE, both, EV_CLOSED, masks containing EV_TIMEOUT
 * (2.1.12: then only events on that fd that sit in the timeout lists run,
 * with EV_TIMEOUT, and plain io events are left alone); other
 * fds untouched; fd with no events; non-persistent events become
 * non-pending after running, persistent ones stay) and
 * event_base_active_by_signal (all events for that signal run with
 * EV_SIGNAL, other signals untouched, signal without events). Nothing is
 * actually readable/writable/raised: the activation is purely manual. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

static void cb(evutil_socket_t fd, short what, void *arg)
{
    printf("  cb %-10s what=0x%02x\n", (const char *)arg, what);
}

static struct event *evs[8];
static const char *names[8];
static int nevs;

static void pending_report(void)
{
    printf("  pending:");
    for (int i = 0; i < nevs; i++)
        printf(" %s=%s", names[i], event_pending(evs[i], EV_READ | EV_WRITE | EV_SIGNAL | EV_TIMEOUT | EV_CLOSED, NULL) ? "y" : "n");
    printf("\n");
}

static void round_(struct event_base *b, const char *title, int fd, short what, int sig)
{
    printf("%s\n", title);
    if (sig) event_base_active_by_signal(b, sig);
    else event_base_active_by_fd(b, fd, what);
    printf("  active count=%d\n", event_base_get_num_events(b, EVENT_BASE_COUNT_ACTIVE));
    printf("  loop=%d\n", event_base_loop(b, EVLOOP_NONBLOCK));
    pending_report();
}

static struct event *mk(struct event_base *b, int fd, short what, const char *name)
{
    struct event *e = what & EV_SIGNAL ? evsignal_new(b, fd, cb, (void *)name)
                                       : event_new(b, fd, what, cb, (void *)name);
    evs[nevs] = e;
    names[nevs++] = name;
    return e;
}

int main(void)
{
    int sv[2], sv2[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) < 0) { perror("socketpair"); return 1; }
    struct event_base *b = event_base_new();
    struct timeval tv = {30, 0};

    /* only read/closed events: sv[0] really is writable, so a write event
     * would fire by itself */
    struct event *r = mk(b, sv[0], EV_READ | EV_PERSIST, "r-persist");
    struct event *r1 = mk(b, sv[0], EV_READ, "r-once");
    struct event *c = mk(b, sv[0], EV_CLOSED | EV_PERSIST, "closed");
    struct event *o = mk(b, sv2[0], EV_READ | EV_PERSIST, "other-fd");
    struct event *s1 = mk(b, SIGUSR1, EV_SIGNAL | EV_PERSIST, "sigusr1-a");
    struct event *s1b = mk(b, SIGUSR1, EV_SIGNAL, "sigusr1-b");
    struct event *s2 = mk(b, SIGUSR2, EV_SIGNAL | EV_PERSIST, "sigusr2");
    event_add(r, NULL);
    event_add(r1, &tv);
    event_add(c, NULL);
    event_add(o, NULL);
    event_add(s1, NULL);
    event_add(s1b, NULL);
    event_add(s2, NULL);
    pending_report();

    round_(b, "active_by_fd(sv0, EV_READ):", sv[0], EV_READ, 0);
    event_add(r1, &tv);
    round_(b, "active_by_fd(sv0, EV_WRITE):", sv[0], EV_WRITE, 0);
    round_(b, "active_by_fd(sv0, EV_READ|EV_WRITE):", sv[0], EV_READ | EV_WRITE, 0);
    event_add(r1, &tv);
    round_(b, "active_by_fd(sv0, EV_CLOSED):", sv[0], EV_CLOSED, 0);
    round_(b, "active_by_fd(sv0, EV_READ|EV_CLOSED):", sv[0], EV_READ | EV_CLOSED, 0);
    event_add(r1, &tv);
    round_(b, "active_by_fd(sv0, EV_TIMEOUT):", sv[0], EV_TIMEOUT, 0);
    event_add(r1, &tv);
    round_(b, "active_by_fd(sv0, EV_READ|EV_TIMEOUT):", sv[0], EV_READ | EV_TIMEOUT, 0);
    round_(b, "active_by_fd(sv0, EV_TIMEOUT) with no timer on it:", sv[0], EV_TIMEOUT, 0);
    round_(b, "active_by_fd(sv0, 0):", sv[0], 0, 0);
    round_(b, "active_by_fd(sv2[1] with no events, EV_READ):", sv2[1], EV_READ, 0);
    round_(b, "active_by_signal(SIGUSR1):", 0, 0, SIGUSR1);
    event_add(s1b, NULL);
    round_(b, "active_by_signal(SIGUSR2):", 0, 0, SIGUSR2);
    round_(b, "active_by_signal(SIGHUP, no events):", 0, 0, SIGHUP);

    for (int i = 0; i < nevs; i++)
        event_free(evs[i]);
    event_base_free(b);
    close(sv[0]); close(sv[1]); close(sv2[0]); close(sv2[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
