/* Covers: event_get_supported_methods, event_base_new, event_base_new_with_config
 * (empty config and NULL config), event_base_get_method (printed: differs per
 * backend on purpose), event_base_get_features, event_base_free,
 * event_base_free_nofinalize (pending finalizers are skipped, event_base_free
 * runs them), freeing a base that still has pending events. */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void print_features(const char *label, int f)
{
    printf("%s features=0x%x:", label, f);
    if (f & EV_FEATURE_ET) printf(" ET");
    if (f & EV_FEATURE_O1) printf(" O1");
    if (f & EV_FEATURE_FDS) printf(" FDS");
    if (f & EV_FEATURE_EARLY_CLOSE) printf(" EARLY_CLOSE");
    printf("\n");
}

static int finalized;
static void fin_cb(struct event *ev, void *arg)
{
    finalized++;
    printf("finalizer ran for %s\n", (const char *)arg);
}

static void never_cb(evutil_socket_t fd, short what, void *arg)
{
    printf("callback must not run: %s\n", (const char *)arg);
}

int main(void)
{
    const char **m = event_get_supported_methods();
    int i;
    printf("supported methods:");
    for (i = 0; m && m[i]; i++)
        printf(" %s", m[i]);
    printf(" (count %d)\n", i);

    /* plain base */
    struct event_base *b = event_base_new();
    printf("event_base_new: %s\n", b ? "ok" : "NULL");
    const char *meth = event_base_get_method(b);
    printf("method: %s\n", meth);
    int in_list = 0;
    for (i = 0; m[i]; i++)
        if (!strcmp(m[i], meth)) in_list = 1;
    printf("method is in supported list: %s\n", in_list ? "yes" : "no");
    print_features("base", event_base_get_features(b));
    event_base_free(b);
    printf("event_base_free done\n");

    /* empty config */
    struct event_config *cfg = event_config_new();
    printf("event_config_new: %s\n", cfg ? "ok" : "NULL");
    b = event_base_new_with_config(cfg);
    printf("new_with_config(empty): %s method=%s\n", b ? "ok" : "NULL", b ? event_base_get_method(b) : "-");
    print_features("cfg base", event_base_get_features(b));
    event_base_free(b);
    event_config_free(cfg);

    /* NULL config behaves like defaults */
    b = event_base_new_with_config(NULL);
    printf("new_with_config(NULL): %s method=%s\n", b ? "ok" : "NULL", b ? event_base_get_method(b) : "-");
    event_base_free(b);

    /* two bases at once are independent */
    struct event_base *b1 = event_base_new(), *b2 = event_base_new();
    printf("two bases distinct: %s\n", (b1 && b2 && b1 != b2) ? "yes" : "no");
    event_base_free(b2);
    event_base_free(b1);

    /* freeing a base that still has pending events (events assigned on the
     * stack so nothing is touched after the base is gone) */
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }
    b = event_base_new();
    struct event rd, tm;
    struct timeval tv = {10, 0};
    event_assign(&rd, b, sv[0], EV_READ | EV_PERSIST, never_cb, "read");
    evtimer_assign(&tm, b, never_cb, "timer");
    int r1 = event_add(&rd, NULL);
    int r2 = event_add(&tm, &tv);
    printf("add read: %d, add timer: %d\n", r1, r2);
    printf("num events before free: %d\n", event_base_get_num_events(b, EVENT_BASE_COUNT_ADDED));
    event_base_free(b);
    printf("freed base with pending events\n");

    /* event_base_free runs pending finalizers */
    b = event_base_new();
    struct event *e1 = event_new(b, sv[0], EV_READ, never_cb, "e1");
    event_add(e1, NULL);
    finalized = 0;
    printf("event_free_finalize: %d\n", event_free_finalize(0, e1, fin_cb));
    printf("finalizers run before base free: %d\n", finalized);
    event_base_free(b);
    printf("finalizers run by event_base_free: %d\n", finalized);

    /* event_base_free_nofinalize does not run them */
    b = event_base_new();
    struct event e2;
    event_assign(&e2, b, sv[0], EV_READ, never_cb, "e2");
    event_add(&e2, NULL);
    finalized = 0;
    printf("event_finalize: %d\n", event_finalize(0, &e2, fin_cb));
    event_base_free_nofinalize(b);
    printf("finalizers run by event_base_free_nofinalize: %d\n", finalized);

    close(sv[0]);
    close(sv[1]);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
