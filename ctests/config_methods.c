/* Covers: event_config_new/event_config_free, event_config_avoid_method for
 * each backend name, unknown names and duplicates, avoiding every method
 * (event_base_new_with_config returns NULL and logs a warning, printed),
 * event_config_require_features with EV_FEATURE_ET, O1, FDS, EARLY_CLOSE,
 * combinations and an unknown bit (which backend is chosen, or NULL), mixing
 * avoid + require, and EVENT_BASE_FLAG_IGNORE_ENV (the EVENT_NO* variables
 * the matrix uses to pick a backend are then ignored).
 * The chosen method depends on the backend under test (EVENT_NOEPOLL /
 * EVENT_NOPOLL), which is the point: each backend is compared separately. */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

static void log_cb(int severity, const char *msg)
{
    printf("  log: severity=%d msg=\"%s\"\n", severity, msg);
}

static void try_cfg(const char *label, struct event_config *cfg)
{
    struct event_base *b = event_base_new_with_config(cfg);
    if (b) {
        printf("%-40s -> %s features=0x%x\n", label, event_base_get_method(b), event_base_get_features(b));
        event_base_free(b);
    } else {
        printf("%-40s -> NULL\n", label);
    }
}

static void avoid(const char *label, const char **names, int flags)
{
    struct event_config *cfg = event_config_new();
    for (int i = 0; names[i]; i++) {
        int r = event_config_avoid_method(cfg, names[i]);
        if (r != 0) printf("  avoid_method(%s) = %d\n", names[i], r);
    }
    if (flags) event_config_set_flag(cfg, flags);
    try_cfg(label, cfg);
    event_config_free(cfg);
}

static void require(const char *label, int feat, int flags)
{
    struct event_config *cfg = event_config_new();
    int r = event_config_require_features(cfg, feat);
    if (r != 0) printf("  require_features(0x%x) = %d\n", feat, r);
    if (flags) event_config_set_flag(cfg, flags);
    try_cfg(label, cfg);
    event_config_free(cfg);
}

int main(void)
{
    event_set_log_callback(log_cb);
    struct event_config *cfg = event_config_new();
    printf("event_config_new: %s\n", cfg ? "ok" : "NULL");
    event_config_free(cfg);

    const char *none[] = {NULL};
    const char *ep[] = {"epoll", NULL};
    const char *po[] = {"poll", NULL};
    const char *se[] = {"select", NULL};
    const char *ep_po[] = {"epoll", "poll", NULL};
    const char *ep_se[] = {"epoll", "select", NULL};
    const char *po_se[] = {"poll", "select", NULL};
    const char *all[] = {"epoll", "poll", "select", NULL};
    const char *unknown[] = {"kqueue", "devpoll", "win32", "bogus", "", NULL};
    const char *dup[] = {"epoll", "epoll", "epoll", NULL};
    const char *caps[] = {"EPOLL", "Poll", NULL};

    avoid("avoid nothing", none, 0);
    avoid("avoid epoll", ep, 0);
    avoid("avoid poll", po, 0);
    avoid("avoid select", se, 0);
    avoid("avoid epoll+poll", ep_po, 0);
    avoid("avoid epoll+select", ep_se, 0);
    avoid("avoid poll+select", po_se, 0);
    avoid("avoid all three", all, 0);
    avoid("avoid unknown names", unknown, 0);
    avoid("avoid epoll three times", dup, 0);
    avoid("avoid EPOLL, Poll (case differs)", caps, 0);
    avoid("IGNORE_ENV, avoid nothing", none, EVENT_BASE_FLAG_IGNORE_ENV);
    avoid("IGNORE_ENV, avoid epoll", ep, EVENT_BASE_FLAG_IGNORE_ENV);
    avoid("IGNORE_ENV, avoid all three", all, EVENT_BASE_FLAG_IGNORE_ENV);

    require("require nothing (0)", 0, 0);
    require("require ET", EV_FEATURE_ET, 0);
    require("require O1", EV_FEATURE_O1, 0);
    require("require FDS", EV_FEATURE_FDS, 0);
    require("require EARLY_CLOSE", EV_FEATURE_EARLY_CLOSE, 0);
    require("require ET|O1", EV_FEATURE_ET | EV_FEATURE_O1, 0);
    require("require ET|FDS", EV_FEATURE_ET | EV_FEATURE_FDS, 0);
    require("require FDS|EARLY_CLOSE", EV_FEATURE_FDS | EV_FEATURE_EARLY_CLOSE, 0);
    require("require unknown bit 0x100", 0x100, 0);
    require("IGNORE_ENV, require ET", EV_FEATURE_ET, EVENT_BASE_FLAG_IGNORE_ENV);
    require("IGNORE_ENV, require FDS", EV_FEATURE_FDS, EVENT_BASE_FLAG_IGNORE_ENV);
    require("IGNORE_ENV, require FDS|EARLY_CLOSE", EV_FEATURE_FDS | EV_FEATURE_EARLY_CLOSE, EVENT_BASE_FLAG_IGNORE_ENV);

    /* require_features replaces, not accumulates */
    cfg = event_config_new();
    event_config_require_features(cfg, EV_FEATURE_ET | EV_FEATURE_FDS);
    event_config_require_features(cfg, EV_FEATURE_FDS);
    event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
    try_cfg("IGNORE_ENV, require ET|FDS then FDS", cfg);
    event_config_free(cfg);

    /* avoid + require together */
    cfg = event_config_new();
    event_config_avoid_method(cfg, "epoll");
    event_config_require_features(cfg, EV_FEATURE_ET); /* only epoll has it */
    event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
    try_cfg("IGNORE_ENV, avoid epoll, require ET", cfg);
    event_config_free(cfg);

    cfg = event_config_new();
    event_config_avoid_method(cfg, "poll");
    event_config_require_features(cfg, EV_FEATURE_FDS);
    event_config_set_flag(cfg, EVENT_BASE_FLAG_IGNORE_ENV);
    try_cfg("IGNORE_ENV, avoid poll, require FDS", cfg);
    /* a config can be used for several bases */
    try_cfg("same config again", cfg);
    event_config_free(cfg);

    libevent_global_shutdown();
    printf("done\n");
    return 0;
}
