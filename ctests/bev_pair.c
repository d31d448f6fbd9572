/* Covers: bufferevent_pair_new (callbacks always deferred), data written on
 * one side read on the other, only while the writer has write enabled and
 * the reader read enabled; transfer on enable; the reader's high watermark
 * limiting each transfer and the rest following as the reader drains; the
 * write callback of the sender; bufferevent_flush with BEV_NORMAL (0),
 * BEV_FLUSH (moves past the watermark), BEV_FINISHED (EOF event to the
 * partner, with READING/WRITING from the direction); pair_get_partner;
 * getfd/setfd/get_underlying/priority_set/base_set on a pair; read timeout
 * on a pair; freeing one side: the partner is unlinked, its later writes
 * stay in its output, flush fails; pair_new with THREADSAFE.
 */
#include "bev_common.h"

static int drain_some = 0;

static void readcb(struct bufferevent *b, void *arg)
{
    printf("%s: read in=%zu\n", (const char *)arg, inlen(b));
    if (drain_some)
        evbuffer_drain(bufferevent_get_input(b), (size_t)drain_some);
}

int main(void)
{
    struct bufferevent *p[2], *q[2];
    int rc;
    struct timeval t100 = {0, 100000};

    base = event_base_new();
    rc = bufferevent_pair_new(base, 0, p);
    printf("pair_new=%d partners=%d %d\n", rc, bufferevent_pair_get_partner(p[0]) == p[1],
           bufferevent_pair_get_partner(p[1]) == p[0]);
    printf("enabled=0x%x 0x%x fd=%d under=%p\n", bufferevent_get_enabled(p[0]), bufferevent_get_enabled(p[1]),
           bufferevent_getfd(p[0]), (void *)bufferevent_get_underlying(p[0]));
    rc = bufferevent_setfd(p[0], 3);
    printf("setfd=%d\n", rc);
    rc = bufferevent_priority_set(p[0], 0);
    printf("priority_set=%d priority=%d\n", rc, bufferevent_get_priority(p[0]));
    rc = bufferevent_base_set(base, p[0]);
    printf("base_set=%d base ok=%d\n", rc, bufferevent_get_base(p[0]) == base);
    printf("input add=%d\n", evbuffer_add(bufferevent_get_input(p[0]), "x", 1));

    bufferevent_setcb(p[0], readcb, print_writecb, print_eventcb, "P0");
    bufferevent_setcb(p[1], readcb, print_writecb, print_eventcb, "P1");

    printf("-- P0 writes, P1 not reading\n");
    bufferevent_write(p[0], "hello", 5);
    printf("out0=%zu in1=%zu\n", outlen(p[0]), inlen(p[1]));
    run_nonblock(1);
    printf("-- P1 enables read\n");
    bufferevent_enable(p[1], EV_READ);
    printf("out0=%zu in1=%zu (before loop)\n", outlen(p[0]), inlen(p[1]));
    run_nonblock(1);
    printf("-- P0 writes while P1 reads\n");
    bufferevent_write(p[0], "world", 5);
    printf("out0=%zu in1=%zu (before loop)\n", outlen(p[0]), inlen(p[1]));
    run_nonblock(1);
    evbuffer_drain(bufferevent_get_input(p[1]), inlen(p[1]));

    printf("-- P0 write disabled\n");
    bufferevent_disable(p[0], EV_WRITE);
    bufferevent_write(p[0], "held", 4);
    run_nonblock(1);
    printf("out0=%zu in1=%zu\n", outlen(p[0]), inlen(p[1]));
    bufferevent_enable(p[0], EV_WRITE);
    printf("out0=%zu in1=%zu (after enable)\n", outlen(p[0]), inlen(p[1]));
    run_nonblock(1);
    evbuffer_drain(bufferevent_get_input(p[1]), inlen(p[1]));

    printf("-- P1 high watermark 10, 35 bytes, draining 4 per callback\n");
    bufferevent_setwatermark(p[1], EV_READ, 0, 10);
    drain_some = 4;
    bufferevent_write(p[0], "0123456789abcdefghijklmnopqrstuvwxy", 35);
    printf("out0=%zu in1=%zu\n", outlen(p[0]), inlen(p[1]));
    run_nonblock(6);
    printf("out0=%zu in1=%zu\n", outlen(p[0]), inlen(p[1]));
    drain_some = 0;
    evbuffer_drain(bufferevent_get_input(p[1]), inlen(p[1]));
    run_nonblock(6);
    printf("out0=%zu in1=%zu\n", outlen(p[0]), inlen(p[1]));
    evbuffer_drain(bufferevent_get_input(p[1]), inlen(p[1]));
    run_nonblock(2);

    printf("-- flush modes\n");
    bufferevent_disable(p[1], EV_READ);
    bufferevent_write(p[0], "flushed data here", 17);
    rc = bufferevent_flush(p[0], EV_WRITE, BEV_NORMAL);
    printf("NORMAL=%d out0=%zu in1=%zu\n", rc, outlen(p[0]), inlen(p[1]));
    rc = bufferevent_flush(p[0], EV_WRITE, BEV_FLUSH);
    printf("FLUSH=%d out0=%zu in1=%zu\n", rc, outlen(p[0]), inlen(p[1]));
    run_nonblock(1);
    bufferevent_write(p[1], "back", 4);
    rc = bufferevent_flush(p[0], EV_READ, BEV_FINISHED);
    printf("FINISHED(read)=%d out1=%zu in0=%zu\n", rc, outlen(p[1]), inlen(p[0]));
    run_nonblock(1);
    rc = bufferevent_flush(p[0], EV_READ | EV_WRITE, BEV_FINISHED);
    printf("FINISHED(both)=%d\n", rc);
    run_nonblock(1);
    rc = bufferevent_flush(p[1], EV_WRITE, BEV_FINISHED);
    printf("FINISHED(P1 write)=%d\n", rc);
    run_nonblock(1);
    bufferevent_setwatermark(p[1], EV_READ, 0, 0);
    evbuffer_drain(bufferevent_get_input(p[1]), inlen(p[1]));
    evbuffer_drain(bufferevent_get_input(p[0]), inlen(p[0]));

    printf("-- read timeout on P1\n");
    bufferevent_enable(p[1], EV_READ);
    bufferevent_set_timeouts(p[1], &t100, NULL);
    run_for(250);
    printf("enabled1=0x%x\n", bufferevent_get_enabled(p[1]));
    bufferevent_set_timeouts(p[1], NULL, NULL);
    bufferevent_enable(p[1], EV_READ);

    printf("-- free P1; P0 writes to nobody\n");
    bufferevent_free(p[1]);
    printf("partner=%p\n", (void *)bufferevent_pair_get_partner(p[0]));
    rc = bufferevent_write(p[0], "orphan", 6);
    printf("write=%d out0=%zu\n", rc, outlen(p[0]));
    rc = bufferevent_flush(p[0], EV_WRITE, BEV_FLUSH);
    printf("flush=%d\n", rc);
    run_nonblock(2);
    printf("out0=%zu\n", outlen(p[0]));
    bufferevent_free(p[0]);

    printf("-- pair with THREADSAFE, DEFER given explicitly\n");
    rc = bufferevent_pair_new(base, BEV_OPT_THREADSAFE, q);
    printf("threadsafe pair_new=%d\n", rc);
    rc = bufferevent_pair_new(base, BEV_OPT_DEFER_CALLBACKS | BEV_OPT_CLOSE_ON_FREE, q);
    printf("pair_new=%d\n", rc);
    bufferevent_setcb(q[1], readcb, NULL, NULL, "Q1");
    bufferevent_enable(q[1], EV_READ);
    bufferevent_write(q[0], "q", 1);
    bufferevent_free(q[0]);
    run_nonblock(1);
    bufferevent_free(q[1]);

    run_nonblock(1);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
