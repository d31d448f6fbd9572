/* Covers: event_set_log_callback (messages reach the callback with their
 * severity; NULL restores the default logger), the default logger's stderr
 * format "[warn] ..." (stderr is captured into a tmpfile and printed), exact
 * texts of deterministic libevent messages: event_base_free(NULL), the
 * EVENT_SHOW_METHOD "libevent using:" notice (and IGNORE_ENV suppressing it),
 * the one-base-with-signals warning, and add/del/active on an event that has
 * no base; event_enable_debug_logging(EVENT_DBG_ALL / EVENT_DBG_NONE): only
 * whether EVENT_LOG_DEBUG messages arrive is printed.
 * Hex addresses in messages are replaced by ADDR. */
#include <event2/event.h>
#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int counts[4];

static void normalize_print(const char *prefix, const char *msg)
{
    printf("%s", prefix);
    for (const char *p = msg; *p;) {
        if (p[0] == '0' && p[1] == 'x' && isxdigit((unsigned char)p[2])) {
            p += 2;
            while (isxdigit((unsigned char)*p)) p++;
            fputs("ADDR", stdout);
        } else {
            putchar(*p++);
        }
    }
}

static void log_cb(int severity, const char *msg)
{
    if (severity >= 0 && severity < 4) counts[severity]++;
    if (severity == EVENT_LOG_DEBUG) return;  /* debug texts are internal */
    char prefix[32];
    snprintf(prefix, sizeof(prefix), "  log cb: severity=%d msg=\"", severity);
    normalize_print(prefix, msg);
    printf("\"\n");
}

/* run f with stderr redirected into a tmpfile, then print what it got */
static void capture_stderr(const char *title, void (*f)(void))
{
    fflush(stderr);
    FILE *tmp = tmpfile();
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    f();
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    rewind(tmp);
    char line[1024];
    printf("%s\n", title);
    while (fgets(line, sizeof(line), tmp)) {
        line[strcspn(line, "\n")] = 0;
        normalize_print("  stderr: \"", line);
        printf("\"\n");
    }
    fclose(tmp);
}

static void free_null(void) { event_base_free(NULL); }
static void cb(evutil_socket_t fd, short what, void *arg) {}

static void timer_scenario(void)
{
    struct event_base *b = event_base_new();
    struct event *t = evtimer_new(b, cb, NULL);
    struct timeval tv = {0, 1000};
    event_add(t, &tv);
    event_base_dispatch(b);
    event_free(t);
    event_base_free(b);
}

int main(void)
{
    capture_stderr("default logger, event_base_free(NULL):", free_null);

    event_set_log_callback(log_cb);
    printf("callback installed, event_base_free(NULL):\n");
    event_base_free(NULL);
    printf("event_base_free_nofinalize(NULL):\n");
    event_base_free_nofinalize(NULL);

    printf("EVENT_SHOW_METHOD=1, event_base_new:\n");
    setenv("EVENT_SHOW_METHOD", "1", 1);
    struct event_base *b = event_base_new();
    event_base_free(b);
    printf("EVENT_SHOW_METHOD=1 with IGNORE_ENV:\n");
    struct event_config *cfg = event_config_new();
    event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
    b = event_base_new_with_config(cfg);
    event_base_free(b);
    event_config_free(cfg);
    unsetenv("EVENT_SHOW_METHOD");
    printf("EVENT_SHOW_METHOD unset:\n");
    b = event_base_new();
    event_base_free(b);

    printf("signals added on two bases:\n");
    struct event_base *b1 = event_base_new(), *b2 = event_base_new();
    struct event *s1 = evsignal_new(b1, SIGUSR1, cb, NULL);
    struct event *s2 = evsignal_new(b2, SIGUSR2, cb, NULL);
    event_add(s1, NULL);
    event_add(s2, NULL);
    printf("  (second base's signal pending anyway: %s)\n", event_pending(s2, EV_SIGNAL, NULL) ? "yes" : "no");
    event_free(s1);
    event_free(s2);
    event_base_free(b1);
    event_base_free(b2);

    printf("event created with a NULL base:\n");
    struct event *nb = event_new(NULL, -1, 0, cb, NULL);
    printf("  event_new(NULL base): %s\n", nb ? "non-NULL" : "NULL");
    int r = event_add(nb, NULL);
    printf("  event_add = %d\n", r);
    r = event_del(nb);
    printf("  event_del = %d\n", r);
    event_active(nb, EV_TIMEOUT, 0);
    printf("  event_active done\n");
    event_free(nb);
    printf("  event_free done\n");

    printf("severity counts so far: debug=%d msg=%d warn=%d err=%d\n", counts[0], counts[1], counts[2], counts[3]);

    counts[0] = 0;
    event_enable_debug_logging(EVENT_DBG_ALL);
    timer_scenario();
    printf("EVENT_DBG_ALL: debug messages received: %s\n", counts[0] > 0 ? "yes" : "no");
    counts[0] = 0;
    event_enable_debug_logging(EVENT_DBG_NONE);
    timer_scenario();
    printf("EVENT_DBG_NONE: debug messages received: %s\n", counts[0] > 0 ? "yes" : "no");

    event_set_log_callback(NULL);
    int before = counts[2];
    capture_stderr("callback reset to NULL, event_base_free(NULL):", free_null);
    printf("  callback called: %s\n", counts[2] != before ? "yes" : "no");

    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
