/* Covers: awkward but defined uses: a socket bufferevent with fd -1
 * (enable, write and a read timeout do not crash; the timeout still fires),
 * then bufferevent_setfd to a real socket (reading and writing start with
 * what was enabled and queued), setfd(-1) stopping everything, setfd on the
 * same bufferevent twice; zero-length writes and reads, NULL data with size
 * 0; negative and huge timeouts; watermarks with low above high; a filter
 * whose underlying bufferevent is freed first (the filter keeps it alive);
 * ev_token_bucket_cfg_free(NULL); group set_cfg with NULL group or cfg;
 * bufferevent_getwatermark with both or neither direction.
 */
#include "bev_common.h"

static void eventcb(struct bufferevent *b, short what, void *arg)
{
    printf("%s: event 0x%02x enabled=0x%x\n", (const char *)arg, what, bufferevent_get_enabled(b));
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *b, *u, *f;
    struct timeval t100 = {0, 100000}, neg = {-1, 0};
    size_t lo = 99, hi = 99;
    int rc;
    char buf[16];

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();

    printf("-- fd -1\n");
    b = bufferevent_socket_new(base, -1, 0);
    bufferevent_setcb(b, print_readcb, print_writecb, eventcb, "N");
    rc = bufferevent_enable(b, EV_READ | EV_WRITE);
    printf("enable=%d getfd=%d\n", rc, bufferevent_getfd(b));
    rc = bufferevent_write(b, "queued", 6);
    printf("write=%d out=%zu\n", rc, outlen(b));
    run_nonblock(2);
    bufferevent_set_timeouts(b, &t100, NULL);
    run_for(250);
    printf("enabled=0x%x\n", bufferevent_get_enabled(b));
    bufferevent_enable(b, EV_READ);
    bufferevent_set_timeouts(b, NULL, NULL);

    printf("-- setfd to a socket\n");
    bev_socketpair(sv);
    write(sv[1], "incoming", 8);
    rc = bufferevent_setfd(b, sv[0]);
    printf("setfd=%d getfd ok=%d\n", rc, bufferevent_getfd(b) == sv[0]);
    rc = evbuffer_add(bufferevent_get_input(b), "!", 1);
    printf("input add after setfd=%d\n", rc);
    run_nonblock(2);
    printf("peer got %d\n", drain_fd(sv[1]));
    rc = bufferevent_setfd(b, sv[0]);
    printf("setfd again=%d\n", rc);
    run_nonblock(1);
    printf("-- setfd(-1)\n");
    rc = bufferevent_setfd(b, -1);
    printf("setfd(-1)=%d getfd=%d enabled=0x%x\n", rc, bufferevent_getfd(b), bufferevent_get_enabled(b));
    write(sv[1], "ignored", 7);
    bufferevent_write(b, "stuck", 5);
    run_nonblock(2);
    printf("in=%zu out=%zu\n", inlen(b), outlen(b));

    printf("-- zero sizes\n");
    rc = bufferevent_write(b, NULL, 0);
    printf("write(NULL, 0)=%d\n", rc);
    rc = bufferevent_write(b, "x", 0);
    printf("write(x, 0)=%d\n", rc);
    printf("read(0)=%zu\n", bufferevent_read(b, buf, 0));
    printf("read(empty)=%zu\n", bufferevent_read(b, buf, 0));

    printf("-- odd timeouts and watermarks\n");
    bufferevent_setfd(b, sv[0]);
    drain_fd(sv[0]);
    rc = bufferevent_set_timeouts(b, &neg, NULL);
    printf("negative=%d\n", rc);
    run_for(100);
    bufferevent_enable(b, EV_READ);
    {
        struct timeval huge = {100000000, 0};
        rc = bufferevent_set_timeouts(b, &huge, &huge);
        printf("huge=%d\n", rc);
        run_for(50);
    }
    bufferevent_setwatermark(b, EV_READ, 100, 10);
    rc = bufferevent_getwatermark(b, EV_READ, &lo, &hi);
    printf("low>high: %d %zu/%zu\n", rc, lo, hi);
    write(sv[1], "0123456789abcdef", 16);
    run_nonblock(2);
    printf("in=%zu\n", inlen(b));
    rc = bufferevent_getwatermark(b, 0, &lo, &hi);
    printf("getwatermark(0)=%d\n", rc);
    rc = bufferevent_getwatermark(b, EV_READ | EV_WRITE, &lo, &hi);
    printf("getwatermark(both)=%d\n", rc);
    bufferevent_free(b);
    run_nonblock(1);
    close(sv[0]);
    close(sv[1]);

    printf("-- underlying freed before its filter\n");
    bev_socketpair(sv);
    u = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    f = bufferevent_filter_new(u, NULL, NULL, 0, NULL, NULL);
    bufferevent_setcb(f, print_readcb, print_writecb, eventcb, "F");
    bufferevent_enable(f, EV_READ);
    bufferevent_free(u);
    run_nonblock(1);
    write(sv[1], "still here", 10);
    bufferevent_write(f, "out", 3);
    run_nonblock(2);
    printf("peer got %d\n", drain_fd(sv[1]));
    bufferevent_free(f);
    run_nonblock(2);
    printf("peer after filter free: %d\n", drain_fd(sv[1]));
    close(sv[1]);

    printf("-- rate-limit odds\n");
    ev_token_bucket_cfg_free(NULL);
    {
        struct ev_token_bucket_cfg *cfg = ev_token_bucket_cfg_new(10, 10, 10, 10, NULL);
        rc = bufferevent_rate_limit_group_set_cfg(NULL, cfg);
        printf("set_cfg(NULL group)=%d\n", rc);
        ev_token_bucket_cfg_free(cfg);
    }

    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
