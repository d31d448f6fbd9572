/* Covers: bufferevent_setwatermark / getwatermark; the read callback only
 * once the input reaches the low watermark; reading suspended at the high
 * watermark (reads sized to stop exactly there) and resumed when the program
 * drains below it; the read callback fired again (deferred) while the input
 * stays at the high watermark with reading enabled; a high watermark lowered
 * below what is buffered; removing the high watermark; the write callback
 * only when the output drains to the write low watermark; a watermark poked
 * straight into the struct (bev->wm_read.high) without setwatermark;
 * bufferevent_set_max_single_read limiting each read (below the 4096 bytes
 * one evbuffer_read takes in libevent 2.1; above it changes nothing).
 */
#include "bev_common.h"
#include <event2/bufferevent_struct.h>

static int drain_each = 0;
static int calls = 0;
#define SECTION(text) (calls = 0, printf("-- %s\n", text))

static void readcb(struct bufferevent *b, void *arg)
{
    size_t n = inlen(b);
    calls++;
    printf("%s: read in=%zu\n", (const char *)arg, n);
    if (drain_each)
        evbuffer_drain(bufferevent_get_input(b), (size_t)drain_each);
    if (calls > 12) {
        printf("too many calls, breaking\n");
        event_base_loopbreak(base);
    }
}

static void fill(evutil_socket_t fd, size_t n)
{
    char buf[65536];
    memset(buf, 'w', sizeof(buf));
    while (n > 0) {
        size_t k = n > sizeof(buf) ? sizeof(buf) : n;
        ssize_t w = write(fd, buf, k);
        if (w <= 0) {
            printf("fill: short\n");
            return;
        }
        n -= (size_t)w;
    }
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *b;
    size_t lo, hi;
    int rc;

    base = event_base_new();
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], 0);
    bufferevent_setcb(b, readcb, print_writecb, print_eventcb, "A");
    bufferevent_enable(b, EV_READ);

    SECTION("low watermark 10: 4 bytes then 4 then 4");
    bufferevent_setwatermark(b, EV_READ, 10, 0);
    rc = bufferevent_getwatermark(b, EV_READ, &lo, &hi);
    printf("getwatermark=%d %zu/%zu\n", rc, lo, hi);
    write(sv[1], "aaaa", 4);
    run_nonblock(2);
    write(sv[1], "bbbb", 4);
    run_nonblock(2);
    write(sv[1], "cccc", 4);
    run_nonblock(2);
    evbuffer_drain(bufferevent_get_input(b), inlen(b));

    SECTION("high watermark 10000, 30000 bytes arrive, no draining");
    bufferevent_setwatermark(b, EV_READ, 0, 10000);
    fill(sv[1], 30000);
    calls = 0;
    run_nonblock(1);
    printf("in=%zu (calls=%d)\n", inlen(b), calls);
    SECTION("disable read stops the re-firing");
    bufferevent_disable(b, EV_READ);
    run_nonblock(2);
    SECTION("drain 5000 while disabled, enable");
    evbuffer_drain(bufferevent_get_input(b), 5000);
    bufferevent_enable(b, EV_READ);
    calls = 0;
    drain_each = 3000;
    run_nonblock(1);
    printf("in=%zu\n", inlen(b));
    drain_each = 0;
    SECTION("drain all");
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    run_nonblock(1);
    printf("in=%zu\n", inlen(b));
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    run_nonblock(1);
    printf("in=%zu\n", inlen(b));

    SECTION("lower the high watermark below the buffered amount by poking the struct");
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    run_nonblock(3);
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    bufferevent_setwatermark(b, EV_READ, 0, 0);
    fill(sv[1], 3000);
    run_nonblock(1);
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    fill(sv[1], 600);
    b->wm_read.high = 100;
    run_nonblock(2);
    printf("in=%zu\n", inlen(b));
    SECTION("poked high watermark: reads stop at it, and stay stopped");
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    run_nonblock(3);
    printf("in=%zu\n", inlen(b));
    b->wm_read.high = 0;
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    run_nonblock(2);
    printf("in=%zu\n", inlen(b));
    SECTION("setwatermark again resumes");
    bufferevent_setwatermark(b, EV_READ, 0, 0);
    run_nonblock(2);
    printf("in=%zu\n", inlen(b));
    evbuffer_drain(bufferevent_get_input(b), inlen(b));

    SECTION("high watermark 50 with 200 buffered, then removed");
    bufferevent_disable(b, EV_READ);
    fill(sv[1], 200);
    bufferevent_setwatermark(b, EV_READ, 0, 0);
    bufferevent_enable(b, EV_READ);
    run_nonblock(1);
    bufferevent_setwatermark(b, EV_READ, 0, 50);
    fill(sv[1], 10);
    run_nonblock(1);
    printf("in=%zu\n", inlen(b));
    bufferevent_disable(b, EV_READ);
    bufferevent_setwatermark(b, EV_READ, 0, 0);
    bufferevent_enable(b, EV_READ);
    run_nonblock(1);
    printf("in=%zu\n", inlen(b));
    evbuffer_drain(bufferevent_get_input(b), inlen(b));

    SECTION("max single read 100");
    printf("set=%d\n", bufferevent_set_max_single_read(b, 100));
    printf("get=%ld\n", (long)bufferevent_get_max_single_read(b));
    fill(sv[1], 250);
    run_nonblock(1);
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    SECTION("max single read 10000: evbuffer_read still takes at most 4096 per call");
    bufferevent_set_max_single_read(b, 10000);
    fill(sv[1], 12000);
    run_nonblock(1);
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
    bufferevent_set_max_single_read(b, 0);
    printf("reset get=%ld\n", (long)bufferevent_get_max_single_read(b));
    bufferevent_set_max_single_write(b, 7);
    printf("write get=%ld\n", (long)bufferevent_get_max_single_write(b));

    SECTION("write low watermark 100: written in 7-byte writes");
    bufferevent_setwatermark(b, EV_WRITE, 100, 0);
    bufferevent_write(b, "0123456789012345678901234567890123456789", 40);
    run_nonblock(3);
    printf("peer got %d\n", drain_fd(sv[1]));
    bufferevent_setwatermark(b, EV_WRITE, 10, 0);
    bufferevent_write(b, "0123456789012345678901234567890123456789", 40);
    run_nonblock(8);
    printf("peer got %d\n", drain_fd(sv[1]));
    rc = bufferevent_getwatermark(b, EV_WRITE, &lo, NULL);
    printf("write wm %d low=%zu\n", rc, lo);

    bufferevent_free(b);
    close(sv[0]);
    close(sv[1]);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
