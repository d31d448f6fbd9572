/* Covers: ev_token_bucket_cfg_new (argument checks) / cfg_free,
 * bufferevent_set_rate_limit (set, same cfg again, replace, remove),
 * get_token_bucket_cfg, get_read_limit / get_write_limit (SSIZE_MAX without
 * a limit), decrement_read_limit / decrement_write_limit (suspending at
 * zero), get_max_to_read / get_max_to_write with a limit and with
 * set_max_single_*, rate-limit groups (new, set_cfg, set_min_share,
 * get_read_limit / get_write_limit, decrement_read / decrement_write,
 * get_totals / reset_totals, add / remove members, free), and the rates
 * themselves: bytes read and written per second through socketpairs with a
 * per-bufferevent limit and with a group limit, checked within a tolerance
 * (44000 expected; 16000..56000 accepted, as a loaded machine loses ticks:
 * the burst equals the rate).
 * Token values are read with a one-hour tick so no refill happens between
 * two calls.
 */
#include "bev_common.h"

static size_t got_a, got_b;

static void count_read(struct bufferevent *b, void *arg)
{
    size_t n = inlen(b);
    if (*(const char *)arg == 'a')
        got_a += n;
    else
        got_b += n;
    evbuffer_drain(bufferevent_get_input(b), n);
}

static void check(const char *what, size_t got, size_t lo, size_t hi)
{
    printf("%s: %s\n", what, got >= lo && got <= hi ? "within tolerance" : "OUT OF RANGE");
    if (got < lo || got > hi)
        fprintf(stderr, "%s: got %zu, wanted %zu..%zu\n", what, got, lo, hi);
}

static void fill(evutil_socket_t fd)
{
    char buf[65536];
    memset(buf, 'r', sizeof(buf));
    while (write(fd, buf, sizeof(buf)) > 0)
        ;
}

int main(void)
{
    struct timeval hour = {3600, 0}, tick100 = {0, 100000};
    struct ev_token_bucket_cfg *cfg, *cfg2, *fast;
    struct bufferevent_rate_limit_group *grp;
    evutil_socket_t sv[2], sv2[2];
    struct bufferevent *b, *c;
    ev_uint64_t tr, tw;
    int rc;
    char big[65536];

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();

    printf("-- cfg_new checks\n");
    printf("rate 0: %s\n", ev_token_bucket_cfg_new(0, 10, 10, 10, NULL) ? "cfg" : "NULL");
    printf("rate > burst: %s\n", ev_token_bucket_cfg_new(10, 5, 10, 10, NULL) ? "cfg" : "NULL");
    printf("write rate > burst: %s\n", ev_token_bucket_cfg_new(10, 10, 11, 10, NULL) ? "cfg" : "NULL");
    printf("huge: %s\n", ev_token_bucket_cfg_new(10, (size_t)-1, 10, 10, NULL) ? "cfg" : "NULL");
    cfg = ev_token_bucket_cfg_new(1000, 1000, 2000, 3000, &hour);
    printf("valid: %s\n", cfg ? "cfg" : "NULL");
    cfg2 = ev_token_bucket_cfg_new(10, 20, 10, 20, NULL);
    printf("default tick: %s\n", cfg2 ? "cfg" : "NULL");
    ev_token_bucket_cfg_free(cfg2);

    printf("-- one bufferevent\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], 0);
    printf("no limit: read=%ld write=%ld cfg=%p\n", (long)bufferevent_get_read_limit(b),
           (long)bufferevent_get_write_limit(b), (void *)bufferevent_get_token_bucket_cfg(b));
    rc = bufferevent_set_rate_limit(b, cfg);
    printf("set=%d cfg ok=%d read=%ld write=%ld\n", rc, bufferevent_get_token_bucket_cfg(b) == cfg,
           (long)bufferevent_get_read_limit(b), (long)bufferevent_get_write_limit(b));
    printf("max to read=%ld write=%ld\n", (long)bufferevent_get_max_to_read(b), (long)bufferevent_get_max_to_write(b));
    bufferevent_set_max_single_read(b, 100);
    bufferevent_set_max_single_write(b, 50000);
    printf("with single maxima: to read=%ld write=%ld\n", (long)bufferevent_get_max_to_read(b),
           (long)bufferevent_get_max_to_write(b));
    rc = bufferevent_set_rate_limit(b, cfg);
    printf("same cfg again=%d\n", rc);
    rc = bufferevent_decrement_read_limit(b, 300);
    printf("decrement read 300=%d read=%ld\n", rc, (long)bufferevent_get_read_limit(b));
    rc = bufferevent_decrement_write_limit(b, -500);
    printf("decrement write -500=%d write=%ld\n", rc, (long)bufferevent_get_write_limit(b));
    rc = bufferevent_decrement_read_limit(b, 800);
    printf("decrement read 800=%d read=%ld max to read=%ld\n", rc, (long)bufferevent_get_read_limit(b),
           (long)bufferevent_get_max_to_read(b));
    bufferevent_setcb(b, count_read, NULL, NULL, "a");
    bufferevent_enable(b, EV_READ);
    write(sv[1], "suspended?", 10);
    run_nonblock(2);
    printf("read while exhausted=%zu\n", got_a);
    rc = bufferevent_decrement_read_limit(b, -200);
    printf("give back 200=%d read=%ld\n", rc, (long)bufferevent_get_read_limit(b));
    run_nonblock(2);
    printf("read after refill=%zu\n", got_a);
    cfg2 = ev_token_bucket_cfg_new(50, 60, 70, 80, &hour);
    rc = bufferevent_set_rate_limit(b, cfg2);
    printf("replace=%d read=%ld write=%ld\n", rc, (long)bufferevent_get_read_limit(b), (long)bufferevent_get_write_limit(b));
    rc = bufferevent_set_rate_limit(b, NULL);
    printf("remove=%d read=%ld cfg=%p max to read=%ld\n", rc, (long)bufferevent_get_read_limit(b),
           (void *)bufferevent_get_token_bucket_cfg(b), (long)bufferevent_get_max_to_read(b));
    bufferevent_set_max_single_read(b, 0);
    ev_token_bucket_cfg_free(cfg2);

    printf("-- groups\n");
    grp = bufferevent_rate_limit_group_new(base, cfg);
    printf("group read=%ld write=%ld\n", (long)bufferevent_rate_limit_group_get_read_limit(grp),
           (long)bufferevent_rate_limit_group_get_write_limit(grp));
    bev_socketpair(sv2);
    c = bufferevent_socket_new(base, sv2[0], 0);
    rc = bufferevent_add_to_rate_limit_group(b, grp);
    printf("add b=%d\n", rc);
    rc = bufferevent_add_to_rate_limit_group(c, grp);
    printf("add c=%d\n", rc);
    rc = bufferevent_add_to_rate_limit_group(c, grp);
    printf("add c again=%d\n", rc);
    printf("b to read=%ld write=%ld\n", (long)bufferevent_get_max_to_read(b), (long)bufferevent_get_max_to_write(b));
    rc = bufferevent_rate_limit_group_set_min_share(grp, 700);
    printf("min share 700=%d b to read=%ld write=%ld\n", rc, (long)bufferevent_get_max_to_read(b),
           (long)bufferevent_get_max_to_write(b));
    rc = bufferevent_rate_limit_group_set_min_share(grp, 5000);
    printf("min share 5000=%d b to read=%ld write=%ld\n", rc, (long)bufferevent_get_max_to_read(b),
           (long)bufferevent_get_max_to_write(b));
    bufferevent_rate_limit_group_set_min_share(grp, 0);
    rc = bufferevent_rate_limit_group_decrement_read(grp, 400);
    printf("group decrement read 400=%d read=%ld b to read=%ld\n", rc,
           (long)bufferevent_rate_limit_group_get_read_limit(grp), (long)bufferevent_get_max_to_read(b));
    rc = bufferevent_rate_limit_group_decrement_write(grp, 2500);
    printf("group decrement write 2500=%d write=%ld c to write=%ld\n", rc,
           (long)bufferevent_rate_limit_group_get_write_limit(grp), (long)bufferevent_get_max_to_write(c));
    rc = bufferevent_rate_limit_group_decrement_write(grp, -2500);
    printf("give back=%d write=%ld c to write=%ld\n", rc, (long)bufferevent_rate_limit_group_get_write_limit(grp),
           (long)bufferevent_get_max_to_write(c));
    write(sv2[1], "group data", 10);
    bufferevent_setcb(c, count_read, NULL, NULL, "b");
    bufferevent_enable(c, EV_READ);
    run_nonblock(2);
    bufferevent_rate_limit_group_get_totals(grp, &tr, &tw);
    printf("totals read=%lu written=%lu got_b=%zu\n", (unsigned long)tr, (unsigned long)tw, got_b);
    bufferevent_rate_limit_group_get_totals(grp, NULL, NULL);
    bufferevent_rate_limit_group_reset_totals(grp);
    bufferevent_rate_limit_group_get_totals(grp, &tr, &tw);
    printf("after reset read=%lu written=%lu\n", (unsigned long)tr, (unsigned long)tw);
    cfg2 = ev_token_bucket_cfg_new(100, 200, 100, 200, &hour);
    rc = bufferevent_rate_limit_group_set_cfg(grp, cfg2);
    printf("set_cfg=%d read=%ld write=%ld\n", rc, (long)bufferevent_rate_limit_group_get_read_limit(grp),
           (long)bufferevent_rate_limit_group_get_write_limit(grp));
    rc = bufferevent_rate_limit_group_set_cfg(grp, NULL);
    printf("set_cfg(NULL)=%d\n", rc);
    rc = bufferevent_remove_from_rate_limit_group(b);
    printf("remove b=%d\n", rc);
    rc = bufferevent_remove_from_rate_limit_group(b);
    printf("remove b again=%d\n", rc);
    rc = bufferevent_remove_from_rate_limit_group(c);
    printf("remove c=%d\n", rc);
    bufferevent_rate_limit_group_free(grp);
    bufferevent_free(b);
    bufferevent_free(c);
    close(sv[1]);
    close(sv2[1]);
    run_nonblock(1);

    printf("-- rates over one second (4000 bytes per 100 ms tick)\n");
    fast = ev_token_bucket_cfg_new(4000, 4000, 4000, 4000, &tick100);
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, count_read, NULL, NULL, "a");
    bufferevent_set_rate_limit(b, fast);
    bufferevent_enable(b, EV_READ);
    fill(sv[1]);
    got_a = 0;
    run_for(1000);
    check("limited read", got_a, 16000, 56000);
    bufferevent_disable(b, EV_READ);
    memset(big, 'w', sizeof(big));
    bufferevent_write(b, big, sizeof(big));
    bufferevent_write(b, big, sizeof(big));
    run_for(1000);
    check("limited write", sizeof(big) * 2 - outlen(b), 16000, 56000);
    bufferevent_free(b);
    close(sv[1]);

    grp = bufferevent_rate_limit_group_new(base, fast);
    bev_socketpair(sv);
    bev_socketpair(sv2);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    c = bufferevent_socket_new(base, sv2[0], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(b, count_read, NULL, NULL, "a");
    bufferevent_setcb(c, count_read, NULL, NULL, "b");
    bufferevent_add_to_rate_limit_group(b, grp);
    bufferevent_add_to_rate_limit_group(c, grp);
    bufferevent_enable(b, EV_READ);
    bufferevent_enable(c, EV_READ);
    fill(sv[1]);
    fill(sv2[1]);
    got_a = got_b = 0;
    run_for(1000);
    check("group read total", got_a + got_b, 16000, 60000);
    check("group member a got some", got_a, 4000, 52000);
    check("group member b got some", got_b, 4000, 52000);
    bufferevent_rate_limit_group_get_totals(grp, &tr, &tw);
    check("group totals", (size_t)tr, got_a + got_b, got_a + got_b);
    bufferevent_free(b);
    bufferevent_free(c);
    run_nonblock(1);
    bufferevent_rate_limit_group_free(grp);
    close(sv[1]);
    close(sv2[1]);

    ev_token_bucket_cfg_free(fast);
    ev_token_bucket_cfg_free(cfg);
    ev_token_bucket_cfg_free(cfg2);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
