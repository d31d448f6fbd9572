/* Covers: bufferevent_filter_new over a socket bufferevent and over a pair:
 * an uppercasing input filter and output filter; a filter that needs 4-byte
 * records (BEV_NEED_MORE until enough arrived); a filter returning BEV_ERROR
 * (ignored on input: no callback), and one returning a bogus value; NULL
 * filters (plain copy); a chunking output filter honouring dst_limit with
 * the underlying write high watermark; the filter's read high watermark
 * and data held in the underlying input until the program drains;
 * free_context called once at free; bufferevent_flush with BEV_NORMAL,
 * BEV_FLUSH and BEV_FINISHED (the mode the filters see, the return value);
 * get_underlying and getfd through the filter; underlying events passed on;
 * BEV_OPT_CLOSE_ON_FREE freeing the underlying bufferevent and closing its
 * fd, and without it the underlying callbacks cleared and the bufferevent
 * left usable; bufferevent_filter_new(NULL, ...).
 */
#include "bev_common.h"
#include <ctype.h>

static int drain_some = 0;

static void readcb(struct bufferevent *b, void *arg)
{
    char buf[256];
    size_t n = evbuffer_copyout(bufferevent_get_input(b), buf, sizeof(buf) - 1);
    buf[n] = 0;
    printf("%s: read in=%zu \"%s\"\n", (const char *)arg, inlen(b), buf);
    if (drain_some)
        evbuffer_drain(bufferevent_get_input(b), (size_t)drain_some);
}

static const char *mode_name(enum bufferevent_flush_mode m)
{
    return m == BEV_NORMAL ? "NORMAL" : m == BEV_FLUSH ? "FLUSH" : m == BEV_FINISHED ? "FINISHED" : "?";
}

static enum bufferevent_filter_result upper(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
                                            enum bufferevent_flush_mode mode, void *ctx)
{
    char buf[4096];
    size_t n = evbuffer_get_length(src);
    size_t i;
    printf("  [%s] upper lim=%ld mode=%s src=%zu\n", (const char *)ctx, (long)lim, mode_name(mode), n);
    if (n == 0)
        return BEV_NEED_MORE;
    if (lim >= 0 && n > (size_t)lim)
        n = (size_t)lim;
    if (n > sizeof(buf))
        n = sizeof(buf);
    evbuffer_remove(src, buf, n);
    for (i = 0; i < n; i++)
        buf[i] = (char)toupper((unsigned char)buf[i]);
    evbuffer_add(dst, buf, n);
    return BEV_OK;
}

static enum bufferevent_filter_result records(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
                                              enum bufferevent_flush_mode mode, void *ctx)
{
    size_t n = evbuffer_get_length(src);
    (void)ctx;
    printf("  records lim=%ld mode=%s src=%zu\n", (long)lim, mode_name(mode), n);
    if (n < 4)
        return mode == BEV_FINISHED && n > 0 ? (evbuffer_remove_buffer(src, dst, n), BEV_OK) : BEV_NEED_MORE;
    evbuffer_remove_buffer(src, dst, 4);
    evbuffer_add(dst, "|", 1);
    return BEV_OK;
}

static int error_calls = 0;
static enum bufferevent_filter_result failing(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
                                              enum bufferevent_flush_mode mode, void *ctx)
{
    (void)dst; (void)lim;
    printf("  failing mode=%s src=%zu\n", mode_name(mode), evbuffer_get_length(src));
    error_calls++;
    return (enum bufferevent_filter_result)(long)ctx;
}

static enum bufferevent_filter_result chunks(struct evbuffer *src, struct evbuffer *dst, ev_ssize_t lim,
                                             enum bufferevent_flush_mode mode, void *ctx)
{
    size_t n = evbuffer_get_length(src);
    (void)ctx;
    if (n > 5)
        n = 5;
    if (lim >= 0 && n > (size_t)lim)
        n = (size_t)lim;
    printf("  chunk lim=%ld mode=%s src=%zu moving %zu\n", (long)lim, mode_name(mode), evbuffer_get_length(src), n);
    if (n == 0)
        return BEV_NEED_MORE;
    evbuffer_remove_buffer(src, dst, n);
    return BEV_OK;
}

static int freed_contexts = 0;
static void free_ctx(void *ctx)
{
    freed_contexts++;
    printf("free_context(%s)\n", (const char *)ctx);
}

static int peer_state(evutil_socket_t fd)
{
    char c;
    ssize_t n = recv(fd, &c, 1, MSG_DONTWAIT | MSG_PEEK);
    return n > 0 ? 1 : n == 0 ? 0 : -1;
}

static void peer_read(evutil_socket_t fd)
{
    char buf[256];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    if (n < 0)
        n = 0;
    buf[n] = 0;
    printf("peer got \"%s\"\n", buf);
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *u, *f, *p[2], *g;
    int rc;
    bufferevent_data_cb r;
    bufferevent_event_cb e;

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    printf("filter on NULL: %p\n", (void *)bufferevent_filter_new(NULL, upper, upper, 0, NULL, NULL));

    printf("-- uppercasing filter over a socket\n");
    bev_socketpair(sv);
    u = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    printf("u enabled before=0x%x\n", bufferevent_get_enabled(u));
    f = bufferevent_filter_new(u, upper, upper, BEV_OPT_CLOSE_ON_FREE, free_ctx, "up");
    printf("u enabled=0x%x f enabled=0x%x under ok=%d fd ok=%d\n", bufferevent_get_enabled(u),
           bufferevent_get_enabled(f), bufferevent_get_underlying(f) == u, bufferevent_getfd(f) == sv[0]);
    bufferevent_getcb(u, &r, NULL, &e, NULL);
    printf("u callbacks taken: %d %d\n", r != NULL, e != NULL);
    bufferevent_setcb(f, readcb, print_writecb, print_eventcb, "F");
    write(sv[1], "hello", 5);
    run_nonblock(2);
    printf("f in=%zu u in=%zu (read not enabled)\n", inlen(f), inlen(u));
    bufferevent_enable(f, EV_READ);
    run_nonblock(2);
    evbuffer_drain(bufferevent_get_input(f), inlen(f));
    bufferevent_write(f, "shout", 5);
    printf("f out=%zu u out=%zu\n", outlen(f), outlen(u));
    run_nonblock(2);
    peer_read(sv[1]);

    printf("-- filter read high watermark 3, 8 bytes arrive, draining 1 per callback\n");
    bufferevent_setwatermark(f, EV_READ, 0, 3);
    drain_some = 1;
    write(sv[1], "abcdefgh", 8);
    run_nonblock(3);
    printf("f in=%zu u in=%zu\n", inlen(f), inlen(u));
    drain_some = 0;
    evbuffer_drain(bufferevent_get_input(f), inlen(f));
    run_nonblock(2);
    printf("f in=%zu u in=%zu\n", inlen(f), inlen(u));
    bufferevent_setwatermark(f, EV_READ, 0, 0);
    evbuffer_drain(bufferevent_get_input(f), inlen(f));

    printf("-- the same with a deferring filter: held data follows as the program drains\n");
    {
        evutil_socket_t sv2[2];
        struct bufferevent *u2, *f2;
        bev_socketpair(sv2);
        u2 = bufferevent_socket_new(base, sv2[0], 0);
        f2 = bufferevent_filter_new(u2, NULL, NULL, BEV_OPT_DEFER_CALLBACKS, NULL, NULL);
        bufferevent_setcb(f2, readcb, NULL, print_eventcb, "D");
        bufferevent_enable(f2, EV_READ);
        bufferevent_setwatermark(f2, EV_READ, 0, 3);
        drain_some = 1;
        write(sv2[1], "abcdefgh", 8);
        run_nonblock(12);
        printf("f2 in=%zu u2 in=%zu\n", inlen(f2), inlen(u2));
        drain_some = 0;
        shutdown(sv2[1], SHUT_WR);
        run_nonblock(3);
        bufferevent_free(f2);
        bufferevent_free(u2);
        run_nonblock(1);
        close(sv2[0]);
        close(sv2[1]);
    }

    printf("-- flush modes\n");
    bufferevent_disable(f, EV_WRITE);
    bufferevent_write(f, "later", 5);
    rc = bufferevent_flush(f, EV_WRITE, BEV_NORMAL);
    printf("NORMAL=%d u out=%zu\n", rc, outlen(u));
    rc = bufferevent_flush(f, EV_WRITE, BEV_FLUSH);
    printf("FLUSH=%d u out=%zu\n", rc, outlen(u));
    rc = bufferevent_flush(f, EV_READ | EV_WRITE, BEV_FINISHED);
    printf("FINISHED=%d\n", rc);
    bufferevent_enable(f, EV_WRITE);
    run_nonblock(2);
    peer_read(sv[1]);

    printf("-- peer closes: EOF passed on\n");
    write(sv[1], "tail", 4);
    shutdown(sv[1], SHUT_WR);
    run_nonblock(3);

    printf("-- free with CLOSE_ON_FREE\n");
    bufferevent_free(f);
    printf("contexts freed so far=%d\n", freed_contexts);
    run_nonblock(2);
    printf("contexts freed=%d peer=%d\n", freed_contexts, peer_state(sv[1]));
    close(sv[1]);

    printf("-- records filter (NEED_MORE) over a pair, without CLOSE_ON_FREE\n");
    bufferevent_pair_new(base, 0, p);
    f = bufferevent_filter_new(p[0], records, NULL, 0, NULL, NULL);
    bufferevent_setcb(f, readcb, print_writecb, print_eventcb, "R");
    bufferevent_setcb(p[1], readcb, print_writecb, print_eventcb, "P1");
    bufferevent_enable(f, EV_READ);
    bufferevent_enable(p[1], EV_READ);
    bufferevent_write(p[1], "ab", 2);
    run_nonblock(2);
    bufferevent_write(p[1], "cdefghij", 8);
    run_nonblock(2);
    rc = bufferevent_flush(f, EV_READ, BEV_FINISHED);
    printf("FINISHED=%d\n", rc);
    run_nonblock(2);
    printf("-- NULL output filter copies\n");
    bufferevent_write(f, "plain", 5);
    run_nonblock(2);
    printf("-- free the filter: underlying callbacks cleared, still usable\n");
    bufferevent_free(f);
    run_nonblock(1);
    bufferevent_getcb(p[0], &r, NULL, &e, NULL);
    printf("p0 callbacks: %d %d enabled=0x%x\n", r != NULL, e != NULL, bufferevent_get_enabled(p[0]));
    bufferevent_setcb(p[0], readcb, NULL, NULL, "P0");
    bufferevent_write(p[1], "direct", 6);
    run_nonblock(2);

    printf("-- failing and bogus filters\n");
    g = bufferevent_filter_new(p[0], failing, failing, 0, NULL, (void *)(long)BEV_ERROR);
    bufferevent_setcb(g, readcb, print_writecb, print_eventcb, "E");
    bufferevent_enable(g, EV_READ);
    bufferevent_write(p[1], "bad", 3);
    run_nonblock(2);
    rc = bufferevent_write(g, "out", 3);
    printf("write=%d\n", rc);
    run_nonblock(2);
    rc = bufferevent_flush(g, EV_READ | EV_WRITE, BEV_FLUSH);
    printf("flush=%d calls=%d\n", rc, error_calls);
    bufferevent_free(g);
    run_nonblock(1);
    g = bufferevent_filter_new(p[0], failing, failing, 0, NULL, (void *)42L);
    bufferevent_setcb(g, readcb, print_writecb, print_eventcb, "B");
    bufferevent_enable(g, EV_READ);
    bufferevent_write(p[1], "bogus", 5);
    run_nonblock(2);
    bufferevent_write(g, "x", 1);
    rc = bufferevent_flush(g, EV_WRITE, BEV_FINISHED);
    printf("flush=%d calls=%d\n", rc, error_calls);
    bufferevent_free(g);
    run_nonblock(1);

    printf("-- chunking output filter with the underlying write high watermark 7\n");
    g = bufferevent_filter_new(p[0], NULL, chunks, 0, NULL, NULL);
    bufferevent_setcb(g, NULL, print_writecb, print_eventcb, "K");
    bufferevent_disable(p[1], EV_READ);
    bufferevent_setwatermark(p[0], EV_WRITE, 0, 7);
    bufferevent_write(g, "0123456789ABCDEFGHIJ", 20);
    printf("g out=%zu p0 out=%zu\n", outlen(g), outlen(p[0]));
    run_nonblock(2);
    bufferevent_enable(p[1], EV_READ);
    run_nonblock(6);
    printf("g out=%zu p0 out=%zu p1 in=%zu\n", outlen(g), outlen(p[0]), inlen(p[1]));
    bufferevent_free(g);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);

    run_nonblock(2);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
