/* Covers: BEV_OPT_THREADSAFE with evthread lock callbacks installed (the
 * program's own, counting): one recursive lock per socket bufferevent,
 * shared with its input and output evbuffers (bufferevent_lock and
 * evbuffer_lock reach the same lock), bufferevent_lock / bufferevent_unlock
 * nesting, a pair sharing one lock between both sides, a filter getting a
 * lock of its own, locks balanced (every lock released) after callbacks,
 * data still flowing, and each bufferevent's lock freed once finalized;
 * DEFER|UNLOCK_CALLBACKS callbacks with the lock released.
 */
#include "bev_common.h"
#include <event2/thread.h>

struct mylock {
    unsigned type;
    int depth;
};

static int allocs, frees, recursive_allocs;
static void *last_locked;
static int max_depth;

static void *my_alloc(unsigned type)
{
    struct mylock *l = calloc(1, sizeof(*l));
    l->type = type;
    allocs++;
    if (type & EVTHREAD_LOCKTYPE_RECURSIVE)
        recursive_allocs++;
    return l;
}

static void my_free(void *p, unsigned type)
{
    (void)type;
    frees++;
    free(p);
}

static int my_lock(unsigned mode, void *p)
{
    struct mylock *l = p;
    (void)mode;
    l->depth++;
    if (l->depth > max_depth)
        max_depth = l->depth;
    last_locked = p;
    return 0;
}

static int my_unlock(unsigned mode, void *p)
{
    struct mylock *l = p;
    (void)mode;
    l->depth--;
    if (l->depth < 0)
        printf("unlock of a lock not held!\n");
    return 0;
}

static void *lock_of_bev(struct bufferevent *b)
{
    bufferevent_lock(b);
    bufferevent_unlock(b);
    return last_locked;
}

static void *lock_of_buffer(struct evbuffer *buf)
{
    last_locked = NULL;
    evbuffer_lock(buf);
    evbuffer_unlock(buf);
    return last_locked;
}

static struct mylock *watched;

static void readcb(struct bufferevent *b, void *arg)
{
    printf("%s: read in=%zu lock held=%d\n", (const char *)arg, inlen(b), watched ? watched->depth : -1);
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
}

int main(void)
{
    struct evthread_lock_callbacks cbs = {EVTHREAD_LOCK_API_VERSION, EVTHREAD_LOCKTYPE_RECURSIVE,
                                          my_alloc, my_free, my_lock, my_unlock};
    evutil_socket_t sv[2];
    struct bufferevent *b, *p[2], *f, *u;
    int before, rc;
    void *lb;

    rc = evthread_set_lock_callbacks(&cbs);
    printf("set_lock_callbacks=%d\n", rc);
    base = event_base_new();

    printf("-- socket\n");
    bev_socketpair(sv);
    before = allocs;
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE);
    printf("new: %s locks made=%d\n", b ? "ok" : "NULL", allocs - before);
    lb = lock_of_bev(b);
    printf("bev has a lock=%d recursive=%d\n", lb != NULL, lb ? !!(((struct mylock *)lb)->type & EVTHREAD_LOCKTYPE_RECURSIVE) : 0);
    printf("input shares it=%d output shares it=%d\n", lock_of_buffer(bufferevent_get_input(b)) == lb,
           lock_of_buffer(bufferevent_get_output(b)) == lb);
    bufferevent_lock(b);
    bufferevent_lock(b);
    printf("nested depth=%d\n", ((struct mylock *)lb)->depth);
    bufferevent_unlock(b);
    bufferevent_unlock(b);
    printf("depth after=%d\n", ((struct mylock *)lb)->depth);
    watched = lb;
    bufferevent_setcb(b, readcb, print_writecb, print_eventcb, "S");
    bufferevent_enable(b, EV_READ);
    write(sv[1], "locked data", 11);
    bufferevent_write(b, "reply", 5);
    run_nonblock(2);
    printf("peer got %d depth=%d\n", drain_fd(sv[1]), ((struct mylock *)lb)->depth);
    before = frees;
    bufferevent_free(b);
    run_nonblock(1);
    watched = NULL;
    printf("locks freed=%d\n", frees - before);

    printf("-- pair\n");
    before = allocs;
    rc = bufferevent_pair_new(base, BEV_OPT_THREADSAFE, p);
    printf("pair_new=%d locks made=%d shared=%d\n", rc, allocs - before, lock_of_bev(p[0]) == lock_of_bev(p[1]));
    watched = lock_of_bev(p[1]);
    bufferevent_setcb(p[1], readcb, NULL, NULL, "P1");
    bufferevent_enable(p[1], EV_READ);
    bufferevent_write(p[0], "via pair", 8);
    run_nonblock(2);
    before = frees;
    bufferevent_free(p[0]);
    run_nonblock(1);
    bufferevent_write(p[1], "after", 5);
    bufferevent_free(p[1]);
    run_nonblock(1);
    watched = NULL;
    printf("locks freed=%d\n", frees - before);

    printf("-- filter\n");
    u = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE);
    before = allocs;
    f = bufferevent_filter_new(u, NULL, NULL, BEV_OPT_THREADSAFE | BEV_OPT_CLOSE_ON_FREE, NULL, NULL);
    printf("filter: %s locks made=%d own lock=%d\n", f ? "ok" : "NULL", allocs - before, lock_of_bev(f) != lock_of_bev(u));
    watched = lock_of_bev(f);
    bufferevent_setcb(f, readcb, NULL, print_eventcb, "F");
    bufferevent_enable(f, EV_READ);
    write(sv[1], "filtered", 8);
    run_nonblock(2);
    before = frees;
    bufferevent_free(f);
    run_nonblock(2);
    watched = NULL;
    printf("locks freed=%d\n", frees - before);

    printf("-- unlocked deferred callbacks\n");
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], BEV_OPT_THREADSAFE | BEV_OPT_DEFER_CALLBACKS | BEV_OPT_UNLOCK_CALLBACKS |
                                                 BEV_OPT_CLOSE_ON_FREE);
    lb = lock_of_bev(b);
    watched = lb;
    bufferevent_setcb(b, readcb, NULL, print_eventcb, "U");
    bufferevent_enable(b, EV_READ);
    write(sv[1], "x", 1);
    close(sv[1]);
    run_nonblock(3);
    printf("depth=%d\n", ((struct mylock *)lb)->depth);
    bufferevent_free(b);
    run_nonblock(1);

    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
