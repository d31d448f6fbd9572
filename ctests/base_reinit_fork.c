/* Covers: event_reinit without fork (returns 0, events keep working) and in a
 * forked child: the child reinitializes the inherited base and its inherited
 * read, timer and signal events still fire there; the parent waits for the
 * child and then checks that its own copy of the base still works too.
 * The child prints first (parent blocks in waitpid), so order is fixed. */
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static const char *who = "parent";
static int reads, timers, signals;

static void read_cb(evutil_socket_t fd, short what, void *arg)
{
    char buf[64];
    ssize_t n = read(fd, buf, sizeof(buf));
    reads++;
    printf("%s: read_cb what=0x%x bytes=%d\n", who, what, (int)n);
}

static void timer_cb(evutil_socket_t fd, short what, void *arg)
{
    timers++;
    printf("%s: timer_cb what=0x%x\n", who, what);
}

static void signal_cb(evutil_socket_t sig, short what, void *arg)
{
    signals++;
    printf("%s: signal_cb sig=%s what=0x%x\n", who, sig == SIGUSR1 ? "SIGUSR1" : "other", what);
}

static void run_round(struct event_base *b, int sv1, struct event *tm)
{
    struct timeval tv = {0, 20000};
    reads = timers = signals = 0;
    if (write(sv1, "ping", 4) != 4) printf("%s: write failed\n", who);
    raise(SIGUSR1);
    event_add(tm, &tv);
    /* loop until the three callbacks have run (timer is the last to fire) */
    while (timers == 0)
        if (event_base_loop(b, EVLOOP_ONCE) < 0) break;
    /* pick up anything that may be pending in the same round */
    event_base_loop(b, EVLOOP_NONBLOCK);
    printf("%s: reads=%d timers=%d signals=%d\n", who, reads, timers, signals);
}

int main(void)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }

    struct event_base *b = event_base_new();
    struct event *rd = event_new(b, sv[0], EV_READ | EV_PERSIST, read_cb, NULL);
    struct event *tm = evtimer_new(b, timer_cb, NULL);
    struct event *sg = evsignal_new(b, SIGUSR1, signal_cb, NULL);
    event_add(rd, NULL);
    event_add(sg, NULL);

    printf("event_reinit without fork: %d\n", event_reinit(b));
    run_round(b, sv[1], tm);
    fflush(stdout);

    pid_t pid = fork();
    if (pid < 0) { perror("fork"); return 1; }
    if (pid == 0) {
        who = "child";
        printf("child: event_reinit: %d\n", event_reinit(b));
        run_round(b, sv[1], tm);
        printf("child: second event_reinit: %d\n", event_reinit(b));
        run_round(b, sv[1], tm);
        event_free(rd);
        event_free(tm);
        event_free(sg);
        event_base_free(b);
        libevent_global_shutdown();
        close(sv[0]);
        close(sv[1]);
        fflush(stdout);
        exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    printf("parent: child exited normally: %s status=%d\n",
           WIFEXITED(status) ? "yes" : "no", WIFEXITED(status) ? WEXITSTATUS(status) : -1);
    run_round(b, sv[1], tm);

    event_free(rd);
    event_free(tm);
    event_free(sg);
    event_base_free(b);
    libevent_global_shutdown();
    close(sv[0]);
    close(sv[1]);
    printf("parent: done\n");
    return 0;
}
