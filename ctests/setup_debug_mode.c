/* Covers: event_enable_debug_mode and what it catches, event_set_fatal_callback,
 * event_debug_unassign.  Each misuse runs in a forked child (debug mode is
 * per process): the child installs a log callback (prints severity + text,
 * hex addresses replaced by ADDR) and a fatal callback that prints its error
 * code and _exit(0)s.  Two children let the fatal callback return: libevent
 * then exit()s with the error code (0xdeaddead for debug-mode assertion
 * failures, so status 173), and two install no fatal callback: then an
 * ordinary fatal error exit()s with its code and an assertion abort()s.  The parent waits for each child before starting the
 * next, so output order is fixed.  Cases: debug mode enabled twice, enabled
 * after a base exists, re-assigning an added event, event_debug_unassign on
 * an added event, using an event after event_debug_unassign, accessors on a
 * zeroed struct event, event_add on a zeroed struct event (only a warning),
 * a blocking socket passed to event_assign; libevent_global_shutdown turns
 * debug mode off but does not forget that a base or event existed (debug
 * mode after a shutdown: allowed when nothing was created before, refused
 * after event_base_new or event_assign).  Finally the parent itself runs
 * legal debug-mode sequences (no complaints) and frees everything.
 * The sockets are moved to fds 20/21 so the fd numbers in messages are fixed. */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#define NB_FD 20   /* non-blocking socket */
#define BL_FD 21   /* blocking socket */

static void log_cb(int severity, const char *msg)
{
    printf("  log: severity=%d msg=\"", severity);
    for (const char *p = msg; *p;) {
        size_t n = 0;
        if (p[0] == '0' && p[1] == 'x')
            while (isxdigit((unsigned char)p[2 + n])) n++;
        if (n >= 9) {
            /* a pointer (short hex values are flags and stay) */
            p += 2 + n;
            fputs("ADDR", stdout);
        } else {
            putchar(*p++);
        }
    }
    printf("\"\n");
    fflush(stdout);
}

static void fatal_exit_cb(int err)
{
    printf("  fatal callback: err=0x%x\n", (unsigned)err);
    fflush(stdout);
    _exit(0);
}

static void fatal_return_cb(int err)
{
    printf("  fatal callback (returning): err=0x%x\n", (unsigned)err);
    fflush(stdout);
}

static void cb(evutil_socket_t fd, short what, void *arg) {}

typedef void (*case_fn)(void);

/* fatal_mode: 0 = callback that _exit(0)s, 1 = callback that returns,
 * 2 = no fatal callback installed */
static void run_case(const char *title, case_fn f, int fatal_mode)
{
    printf("%s\n", title);
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) { perror("fork"); exit(1); }
    if (pid == 0) {
        /* let a real abort() end the child without a core file */
        struct rlimit nocore = {0, 0};
        setrlimit(RLIMIT_CORE, &nocore);
        signal(SIGABRT, SIG_DFL);
        event_set_log_callback(log_cb);
        if (fatal_mode != 2)
            event_set_fatal_callback(fatal_mode ? fatal_return_cb : fatal_exit_cb);
        f();
        printf("  (no fatal error: case returned)\n");
        fflush(stdout);
        _exit(3);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (WIFEXITED(st))
        printf("  child exited with status %d\n", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        printf("  child killed by %s\n", WTERMSIG(st) == SIGABRT ? "SIGABRT" : "another signal");
}

static void case_twice(void)
{
    event_enable_debug_mode();
    event_enable_debug_mode();
}

static void case_too_late(void)
{
    struct event_base *b = event_base_new();
    (void)b;
    event_enable_debug_mode();
}

static void case_reassign_added(void)
{
    event_enable_debug_mode();
    struct event_base *b = event_base_new();
    struct event ev;
    event_assign(&ev, b, NB_FD, EV_READ, cb, NULL);
    printf("  event_add = %d\n", event_add(&ev, NULL));
    fflush(stdout);
    event_assign(&ev, b, NB_FD, EV_READ | EV_PERSIST, cb, NULL);
}

static void case_unassign_added(void)
{
    event_enable_debug_mode();
    struct event_base *b = event_base_new();
    struct event ev;
    event_assign(&ev, b, NB_FD, EV_READ, cb, NULL);
    printf("  event_add = %d\n", event_add(&ev, NULL));
    fflush(stdout);
    event_debug_unassign(&ev);
}

static void case_use_after_unassign(void)
{
    event_enable_debug_mode();
    struct event_base *b = event_base_new();
    struct event ev;
    event_assign(&ev, b, NB_FD, EV_READ, cb, NULL);
    event_debug_unassign(&ev);
    printf("  unassigned, now event_add\n");
    fflush(stdout);
    event_add(&ev, NULL);
}

static void case_zeroed_accessor(void)
{
    event_enable_debug_mode();
    struct event_base *b = event_base_new();
    (void)b;
    struct event ev;
    memset(&ev, 0, sizeof(ev));
    event_get_fd(&ev);
}

static void case_zeroed_add(void)
{
    event_enable_debug_mode();
    struct event_base *b = event_base_new();
    struct event ev;
    memset(&ev, 0, sizeof(ev));
    printf("  event_add on zeroed event = %d\n", event_add(&ev, NULL));
    printf("  event_del on zeroed event = %d\n", event_del(&ev));
    fflush(stdout);
    event_base_free(b);
}

static void case_blocking_socket(void)
{
    event_enable_debug_mode();
    struct event_base *b = event_base_new();
    struct event ev;
    event_assign(&ev, b, BL_FD, EV_READ, cb, NULL);
}

static void case_fatal_returns(void)
{
    event_enable_debug_mode();
    event_enable_debug_mode();
}

static void case_fatal_returns_abort(void)
{
    event_enable_debug_mode();
    struct event_base *b = event_base_new();
    (void)b;
    struct event ev;
    memset(&ev, 0, sizeof(ev));
    event_get_fd(&ev);
}

static void case_shutdown_then_enable(void)
{
    libevent_global_shutdown();
    event_enable_debug_mode();
    printf("  enabled after a shutdown\n");
    libevent_global_shutdown();
    event_enable_debug_mode();
    printf("  enabled again after a second shutdown\n");
    struct event_base *b = event_base_new();
    struct event ev;
    event_assign(&ev, b, NB_FD, EV_READ, cb, NULL);
    printf("  debug mode on: event_add = %d\n", event_add(&ev, NULL));
    fflush(stdout);
    event_assign(&ev, b, NB_FD, EV_READ, cb, NULL);
}

static void case_base_shutdown_enable(void)
{
    event_base_free(event_base_new());
    libevent_global_shutdown();
    event_enable_debug_mode();
}

static void case_debug_base_shutdown_enable(void)
{
    event_enable_debug_mode();
    event_base_free(event_base_new());
    libevent_global_shutdown();
    event_enable_debug_mode();
}

static void case_debug_assign_shutdown_enable(void)
{
    event_enable_debug_mode();
    struct event ev;
    event_assign(&ev, NULL, -1, 0, cb, NULL);
    libevent_global_shutdown();
    event_enable_debug_mode();
}

static void case_assign_shutdown_enable(void)
{
    struct event ev;
    event_assign(&ev, NULL, -1, 0, cb, NULL);
    libevent_global_shutdown();
    event_enable_debug_mode();
}

static int fired;
static void count_cb(evutil_socket_t fd, short what, void *arg) { fired++; }

int main(void)
{
    int sv[2], sv2[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv2) < 0) {
        perror("socketpair");
        return 1;
    }
    dup2(sv[0], NB_FD);
    dup2(sv2[0], BL_FD);
    close(sv[0]);
    close(sv2[0]);
    evutil_make_socket_nonblocking(NB_FD);

    run_case("debug mode enabled twice:", case_twice, 0);
    run_case("debug mode enabled after event_base_new:", case_too_late, 0);
    run_case("event_assign on an added event:", case_reassign_added, 0);
    run_case("event_debug_unassign on an added event:", case_unassign_added, 0);
    run_case("event_add after event_debug_unassign:", case_use_after_unassign, 0);
    run_case("event_get_fd on a zeroed struct event:", case_zeroed_accessor, 0);
    run_case("event_add/event_del on a zeroed struct event:", case_zeroed_add, 0);
    run_case("blocking socket given to event_assign:", case_blocking_socket, 0);
    run_case("shutdown, then debug mode (twice, with a shutdown between):", case_shutdown_then_enable, 0);
    run_case("event_base_new, shutdown, then debug mode:", case_base_shutdown_enable, 0);
    run_case("debug mode, event_base_new, shutdown, then debug mode:", case_debug_base_shutdown_enable, 0);
    run_case("debug mode, event_assign, shutdown, then debug mode:", case_debug_assign_shutdown_enable, 0);
    run_case("event_assign, shutdown, then debug mode:", case_assign_shutdown_enable, 0);
    run_case("fatal callback that returns (debug mode enabled twice):", case_fatal_returns, 1);
    run_case("fatal callback that returns (zeroed event accessor):", case_fatal_returns_abort, 1);
    run_case("no fatal callback (debug mode enabled twice):", case_fatal_returns, 2);
    run_case("no fatal callback (zeroed event accessor):", case_fatal_returns_abort, 2);

    /* legal sequences in debug mode, in this process */
    printf("legal debug-mode sequences:\n");
    event_set_log_callback(log_cb);
    event_enable_debug_mode();
    struct event_base *b = event_base_new();
    struct event ev;
    event_assign(&ev, b, NB_FD, EV_READ, count_cb, NULL);
    event_debug_unassign(&ev);
    event_debug_unassign(&ev);
    printf("  unassign twice: ok\n");
    event_assign(&ev, b, NB_FD, EV_READ, count_cb, NULL);
    printf("  re-assign after unassign, add = %d\n", event_add(&ev, NULL));
    printf("  del = %d\n", event_del(&ev));
    event_assign(&ev, b, NB_FD, EV_WRITE, count_cb, NULL);
    printf("  re-assign after del, add = %d\n", event_add(&ev, NULL));
    struct event *t = evtimer_new(b, count_cb, NULL);
    struct timeval tv = {0, 1000};
    printf("  timer add = %d\n", evtimer_add(t, &tv));
    printf("  event_base_once = %d\n", event_base_once(b, -1, EV_TIMEOUT, count_cb, NULL, NULL));
    int d = event_base_dispatch(b);
    printf("  dispatch = %d, callbacks run = %d\n", d, fired);
    event_free(t);
    event_debug_unassign(&ev);
    event_base_free(b);
    libevent_global_shutdown();
    close(NB_FD);
    close(BL_FD);
    close(sv[1]);
    close(sv2[1]);
    printf("done\n");
    return 0;
}
