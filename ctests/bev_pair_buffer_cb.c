/* Covers: program callbacks on a pair's buffers while data moves between
 * the partners: an evbuffer callback on the receiver's input sees each
 * transfer at once (before the deferred read callback); one that frees the
 * receiver in the middle of a transfer, and one on the sender's output that
 * frees the sender, leave both libraries consistent (the other side is
 * unlinked, later writes stay in its output).  Run under valgrind too.
 */
#include "bev_common.h"

static struct bufferevent *p[2];

static void readcb(struct bufferevent *b, void *arg)
{
    printf("%s: read in=%zu\n", (const char *)arg, inlen(b));
}

static void input_cb(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    printf("%s input cb: +%zu -%zu (was %zu)\n", (const char *)arg, info->n_added, info->n_deleted, info->orig_size);
}

static void input_cb_frees(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    printf("%s input cb: +%zu, freeing the receiver\n", (const char *)arg, info->n_added);
    bufferevent_free(p[1]);
    p[1] = NULL;
}

static void output_cb_frees(struct evbuffer *buf, const struct evbuffer_cb_info *info, void *arg)
{
    (void)buf;
    printf("%s output cb: +%zu -%zu\n", (const char *)arg, info->n_added, info->n_deleted);
    if (info->n_deleted > 0 && p[0]) {
        printf("  freeing the sender\n");
        bufferevent_free(p[0]);
        p[0] = NULL;
    }
}

static void make_pair(void)
{
    if (bufferevent_pair_new(base, 0, p) != 0) {
        printf("pair_new failed\n");
        exit(1);
    }
    bufferevent_setcb(p[0], readcb, NULL, NULL, "a");
    bufferevent_setcb(p[1], readcb, NULL, NULL, "b");
    bufferevent_enable(p[0], EV_READ | EV_WRITE);
    bufferevent_enable(p[1], EV_READ | EV_WRITE);
}

int main(void)
{
    base = event_base_new();

    printf("-- a callback on the receiver's input\n");
    make_pair();
    evbuffer_add_cb(bufferevent_get_input(p[1]), input_cb, "b");
    bufferevent_write(p[0], "hello", 5);
    printf("after write: b in=%zu\n", inlen(p[1]));
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_write(p[1], "back", 4);
    event_base_loop(base, EVLOOP_NONBLOCK);
    bufferevent_free(p[0]);
    bufferevent_free(p[1]);

    printf("-- the receiver freed from its input callback during a transfer\n");
    make_pair();
    evbuffer_add_cb(bufferevent_get_input(p[1]), input_cb_frees, "b");
    bufferevent_write(p[0], "hello", 5);
    printf("after write: a out=%zu partner=%s\n", outlen(p[0]),
           bufferevent_pair_get_partner(p[0]) ? "linked" : "none");
    event_base_loop(base, EVLOOP_NONBLOCK);
    printf("after loop: partner=%s\n", bufferevent_pair_get_partner(p[0]) ? "linked" : "none");
    bufferevent_write(p[0], "more", 4);
    printf("write after the partner went: a out=%zu\n", outlen(p[0]));
    bufferevent_free(p[0]);

    printf("-- the sender freed from its output callback during a transfer\n");
    make_pair();
    evbuffer_add_cb(bufferevent_get_output(p[0]), output_cb_frees, "a");
    bufferevent_write(p[0], "hello", 5);
    printf("after write: b in=%zu partner=%s\n", inlen(p[1]),
           bufferevent_pair_get_partner(p[1]) ? "linked" : "none");
    event_base_loop(base, EVLOOP_NONBLOCK);
    printf("after loop: partner=%s b in=%zu\n", bufferevent_pair_get_partner(p[1]) ? "linked" : "none", inlen(p[1]));
    bufferevent_free(p[1]);

    event_base_loop(base, EVLOOP_NONBLOCK);
    event_base_free(base);
    printf("done\n");
    return 0;
}
