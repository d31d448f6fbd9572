/* Covers: what a program's own callbacks on a bufferevent's buffers see
 * next to the bufferevent's internal ones. A callback added to a socket
 * bufferevent's output runs before the bufferevent schedules its write
 * (libevent's internal entry is the oldest, so the last to run), with the
 * counts of each change; a pair's output callback sees data before it moves
 * to the partner; deferred callbacks on the output (evbuffer_defer_callbacks)
 * delay the write until the loop runs them; and evbuffer_setcb on the output
 * removes every callback, the bufferevent's own included, so writes are then
 * not sent until the write event is enabled again.
 */
#include "bev_common.h"
#include <event2/buffer_compat.h>
#include <event2/bufferevent_struct.h>

static struct bufferevent *watched;

static void out_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    printf("%s: out cb orig=%zu added=%zu deleted=%zu len=%zu write_pending=%d\n", (const char *)arg,
           info->orig_size, info->n_added, info->n_deleted, evbuffer_get_length(buf),
           event_pending(&watched->ev_write, EV_WRITE, NULL) ? 1 : 0);
}

static void old_cb(struct evbuffer *buf, size_t old_len, size_t new_len, void *arg)
{
    (void)buf;
    printf("%s: old-style cb %zu -> %zu\n", (const char *)arg, old_len, new_len);
}

static void peer_read(struct bufferevent *b, void *arg)
{
    char tmp[256];
    size_t n = bufferevent_read(b, tmp, sizeof(tmp));
    printf("%s: peer got %zu\n", (const char *)arg, n);
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *a, *b, *pa, *pb;
    struct evbuffer_cb_entry *ent;

    base = event_base_new();

    /* Socket bufferevent with a callback on its output. */
    bev_socketpair(sv);
    a = bufferevent_socket_new(base, sv[0], BEV_OPT_CLOSE_ON_FREE);
    b = bufferevent_socket_new(base, sv[1], BEV_OPT_CLOSE_ON_FREE);
    bufferevent_setcb(a, NULL, print_writecb, print_eventcb, "a");
    bufferevent_setcb(b, peer_read, NULL, print_eventcb, "b");
    bufferevent_enable(b, EV_READ);
    watched = a;
    ent = evbuffer_add_cb(bufferevent_get_output(a), out_cb, "a");
    printf("write: %d\n", bufferevent_write(a, "hello", 5));
    printf("after write: pending=%d out=%zu\n", event_pending(&a->ev_write, EV_WRITE, NULL) ? 1 : 0, outlen(a));
    run_nonblock(4);
    printf("after loop: pending=%d out=%zu\n", event_pending(&a->ev_write, EV_WRITE, NULL) ? 1 : 0, outlen(a));

    /* Deferred callbacks on the output: the bufferevent's own goes too. */
    evbuffer_defer_callbacks(bufferevent_get_output(a), base);
    printf("write: %d\n", bufferevent_write(a, "world!", 6));
    printf("deferred: pending=%d out=%zu\n", event_pending(&a->ev_write, EV_WRITE, NULL) ? 1 : 0, outlen(a));
    run_nonblock(4);
    printf("after loop: pending=%d out=%zu\n", event_pending(&a->ev_write, EV_WRITE, NULL) ? 1 : 0, outlen(a));
    evbuffer_remove_cb_entry(bufferevent_get_output(a), ent);

    /* evbuffer_setcb replaces every callback, the bufferevent's as well. */
    evbuffer_setcb(bufferevent_get_output(b), old_cb, "b");
    watched = b;
    printf("write: %d\n", bufferevent_write(b, "abc", 3));
    printf("after setcb: pending=%d out=%zu\n", event_pending(&b->ev_write, EV_WRITE, NULL) ? 1 : 0, outlen(b));
    run_nonblock(3);
    printf("still queued: out=%zu\n", outlen(b));
    bufferevent_disable(b, EV_WRITE);
    bufferevent_enable(b, EV_WRITE);
    printf("re-enabled: pending=%d\n", event_pending(&b->ev_write, EV_WRITE, NULL) ? 1 : 0);
    bufferevent_enable(a, EV_READ);
    bufferevent_setcb(a, peer_read, NULL, print_eventcb, "a");
    run_nonblock(4);
    printf("sent: out=%zu\n", outlen(b));
    evbuffer_setcb(bufferevent_get_output(b), NULL, NULL);
    bufferevent_free(a);
    bufferevent_free(b);

    /* A pair: the program's callback sees the data before it moves. */
    {
        struct bufferevent *pair[2];
        bufferevent_pair_new(base, 0, pair);
        pa = pair[0];
        pb = pair[1];
        bufferevent_setcb(pb, peer_read, NULL, print_eventcb, "pb");
        bufferevent_enable(pb, EV_READ);
        watched = pa;
        evbuffer_add_cb(bufferevent_get_output(pa), out_cb, "pa");
        evbuffer_add_cb(bufferevent_get_input(pb), out_cb, "pb-in");
        printf("pair write: %d\n", bufferevent_write(pa, "xyz", 3));
        printf("pair: out=%zu partner in=%zu\n", outlen(pa), inlen(pb));
        run_nonblock(3);
        bufferevent_free(pa);
        bufferevent_free(pb);
    }

    run_nonblock(2);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
