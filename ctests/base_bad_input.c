/* Covers bad input that libevent 2.1.12 rejects cleanly (each case was run
 * against it; calls that crash or assert there, e.g. event_base_loop(NULL),
 * event_base_get_method(NULL), event_config_free(NULL), are left out):
 * NULL base for event_base_free / _nofinalize (warning), loopexit, loopbreak,
 * loopcontinue, event_base_once, event_base_foreach_event (also NULL
 * callback), event_base_update_cache_time; NULL config for
 * require_features / set_flag / set_num_cpus_hint; NULL method name for
 * avoid_method; unknown event_base_loop flags; unknown count flags for
 * event_base_get_num_events; negative/out-of-range priorities; loopexit,
 * loopbreak and loopcontinue on a base that is not running; the compat
 * event_loopexit/event_loopbreak with no current base; an event assigned
 * without a base (add/del/remove_timer/pending warn and fail; event_base_set
 * then attaches it).  Warnings are printed by the log callback.
 * Left out because 2.1.12 crashes: event_base_set(NULL, assigned event). */
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/event_struct.h>
#include <stdio.h>

static void log_cb(int severity, const char *msg)
{
    printf("  log: severity=%d msg=\"%s\"\n", severity, msg);
}

static int visit(const struct event_base *b, const struct event *e, void *arg) { return 0; }
static void cb(evutil_socket_t fd, short what, void *arg) { printf("  cb %s\n", (const char *)arg); }

int main(void)
{
    event_set_log_callback(log_cb);
    struct timeval tv = {0, 1000}, tv5 = {0, 5000};

    printf("event_base_free(NULL):\n");
    event_base_free(NULL);
    printf("event_base_free_nofinalize(NULL):\n");
    event_base_free_nofinalize(NULL);
    printf("event_base_loopexit(NULL, NULL) = %d\n", event_base_loopexit(NULL, NULL));
    printf("event_base_loopexit(NULL, &tv) = %d\n", event_base_loopexit(NULL, &tv));
    printf("event_base_loopbreak(NULL) = %d\n", event_base_loopbreak(NULL));
    printf("event_base_loopcontinue(NULL) = %d\n", event_base_loopcontinue(NULL));
    printf("event_base_once(NULL, ...) = %d\n", event_base_once(NULL, -1, EV_TIMEOUT, cb, "x", NULL));
    printf("event_base_foreach_event(NULL, fn) = %d\n", event_base_foreach_event(NULL, visit, NULL));
    printf("event_base_update_cache_time(NULL) = %d\n", event_base_update_cache_time(NULL));
    printf("event_loopexit(NULL) (no current base) = %d\n", event_loopexit(NULL));
    printf("event_loopbreak() (no current base) = %d\n", event_loopbreak());

    printf("event_config_require_features(NULL, ET) = %d\n", event_config_require_features(NULL, EV_FEATURE_ET));
    printf("event_config_set_flag(NULL, NOLOCK) = %d\n", event_config_set_flag(NULL, EVENT_BASE_FLAG_NOLOCK));
    printf("event_config_set_num_cpus_hint(NULL, 2) = %d\n", event_config_set_num_cpus_hint(NULL, 2));
    struct event_config *cfg = event_config_new();
    printf("event_config_avoid_method(cfg, NULL) = %d\n", event_config_avoid_method(cfg, NULL));
    struct event_base *b = event_base_new_with_config(cfg);
    printf("base from that config: %s\n", b ? "ok" : "NULL");
    event_config_free(cfg);

    printf("event_base_foreach_event(base, NULL) = %d\n", event_base_foreach_event(b, NULL, NULL));
    printf("event_base_get_num_events(base, 0) = %d\n", event_base_get_num_events(b, 0));
    printf("event_base_get_num_events(base, 8) = %d\n", event_base_get_num_events(b, 8));
    printf("event_base_get_num_events(base, 0xff) = %d\n", event_base_get_num_events(b, 0xff));
    printf("event_base_get_max_events(base, 8, 0) = %d\n", event_base_get_max_events(b, 8, 0));

    printf("event_base_loop(empty base, 0x100) = %d\n", event_base_loop(b, 0x100));
    printf("event_base_loop(empty base, 0x100|NONBLOCK) = %d\n", event_base_loop(b, 0x100 | EVLOOP_NONBLOCK));
    struct event *t = evtimer_new(b, cb, "timer");
    event_add(t, &tv);
    printf("event_base_loop(base with timer, 0x100):\n");
    printf("  -> %d\n", event_base_loop(b, 0x100));

    printf("priority_init(-1) = %d\n", event_base_priority_init(b, -1));
    printf("priority_init(0) = %d\n", event_base_priority_init(b, 0));
    printf("priority_init(256) = %d\n", event_base_priority_init(b, 256));
    printf("event_priority_set(ev, -1) = %d\n", event_priority_set(t, -1));
    printf("event_priority_set(ev, 1) with 1 priority = %d\n", event_priority_set(t, 1));
    printf("event_get_priority after failed sets = %d\n", event_get_priority(t));

    /* loop control on a base that is not running */
    int r = event_base_loopbreak(b);
    printf("loopbreak on idle base = %d, got_break=%d\n", r, event_base_got_break(b));
    printf("loopcontinue on idle base = %d\n", event_base_loopcontinue(b));
    r = event_base_loopexit(b, NULL);
    printf("loopexit on idle base = %d, got_exit=%d\n", r, event_base_got_exit(b));
    event_add(t, &tv);
    printf("next loop:\n");
    r = event_base_loop(b, 0);
    printf("  -> %d got_exit=%d got_break=%d timer pending=%s\n", r, event_base_got_exit(b),
           event_base_got_break(b), event_pending(t, EV_TIMEOUT, NULL) ? "yes" : "no");

    /* events without a base */
    struct event ev;
    printf("event_assign(&ev, NULL base) = %d\n", event_assign(&ev, NULL, -1, 0, cb, "nobase"));
    r = event_add(&ev, &tv);
    printf("event_add(no base) = %d\n", r);
    r = event_del(&ev);
    printf("event_del(no base) = %d\n", r);
    r = event_remove_timer(&ev);
    printf("event_remove_timer(no base) = %d\n", r);
    r = event_pending(&ev, EV_TIMEOUT, NULL);
    printf("event_pending(no base) = %d\n", r);
    printf("event_base_set(base, &ev) = %d\n", event_base_set(b, &ev));
    r = event_add(&ev, &tv5);
    printf("event_add after event_base_set = %d\n", r);
    printf("dispatch:\n");
    r = event_base_dispatch(b);
    printf("  -> %d\n", r);

    event_free(t);
    event_base_free(b);
    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
