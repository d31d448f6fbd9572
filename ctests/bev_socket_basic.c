/* Covers: bufferevent_socket_new defaults (write enabled, read disabled,
 * getfd, get_base, priority, watermarks, single read/write maxima, frozen
 * input end and output front), enable/disable/get_enabled, setcb/getcb, the
 * read callback per received chunk (at most 4096 bytes per read in 2.1),
 * bufferevent_write/write_buffer/read/read_buffer, the write callback once
 * the output drained, enabling write on an empty output (write callback),
 * EOF reported after every byte was delivered, get_input/get_output, the
 * flags of the event callback, and bufferevent_flush on a socket.
 */
#include "bev_common.h"

static int drain_in_read = 1;

static void readcb(struct bufferevent *b, void *arg)
{
    char buf[8192];
    size_t n = inlen(b);
    printf("%s: read in=%zu\n", (const char *)arg, n);
    if (drain_in_read) {
        size_t got = bufferevent_read(b, buf, sizeof(buf));
        printf("  took %zu\n", got);
    }
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *b;
    bufferevent_data_cb r, w;
    bufferevent_event_cb e;
    void *arg;
    size_t lo, hi;
    char big[50000];
    struct evbuffer *tmp;
    int i, rc;

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    bev_socketpair(sv);
    b = bufferevent_socket_new(base, sv[0], 0);
    printf("new: %s\n", b ? "ok" : "NULL");
    printf("enabled=0x%x fd_ok=%d base_ok=%d priority=%d\n", bufferevent_get_enabled(b),
           bufferevent_getfd(b) == sv[0], bufferevent_get_base(b) == base, bufferevent_get_priority(b));
    bufferevent_getwatermark(b, EV_READ, &lo, &hi);
    printf("wm read %zu/%zu", lo, hi);
    bufferevent_getwatermark(b, EV_WRITE, &lo, &hi);
    printf(" write %zu/%zu bad=%d\n", lo, hi, bufferevent_getwatermark(b, EV_READ | EV_WRITE, &lo, &hi));
    printf("max single read=%ld write=%ld to_read=%ld to_write=%ld\n",
           (long)bufferevent_get_max_single_read(b), (long)bufferevent_get_max_single_write(b),
           (long)bufferevent_get_max_to_read(b), (long)bufferevent_get_max_to_write(b));
    printf("underlying=%p partner=%p\n", (void *)bufferevent_get_underlying(b), (void *)bufferevent_pair_get_partner(b));
    rc = evbuffer_add(bufferevent_get_input(b), "x", 1);
    printf("input add=%d\n", rc);
    rc = evbuffer_add(bufferevent_get_output(b), "y", 1);
    printf("output add=%d\n", rc);
    rc = evbuffer_drain(bufferevent_get_output(b), 1);
    printf("output drain=%d\n", rc);
    rc = evbuffer_prepend(bufferevent_get_output(b), "z", 1);
    printf("output prepend=%d len=%zu\n", rc, outlen(b));

    bufferevent_setcb(b, readcb, print_writecb, print_eventcb, "A");
    bufferevent_getcb(b, &r, &w, &e, &arg);
    printf("getcb: %d %d %d %s\n", r == readcb, w == print_writecb, e == print_eventcb, (char *)arg);
    bufferevent_getcb(b, NULL, NULL, NULL, NULL);

    printf("-- loop with write enabled: the queued byte goes out\n");
    run_nonblock(2);
    printf("peer got %d\n", drain_fd(sv[1]));

    printf("-- peer writes 10 bytes, read disabled\n");
    write(sv[1], "0123456789", 10);
    run_nonblock(2);
    printf("in=%zu\n", inlen(b));
    printf("-- enable read\n");
    rc = bufferevent_enable(b, EV_READ);
    printf("enable=%d enabled=0x%x\n", rc, bufferevent_get_enabled(b));
    run_nonblock(2);

    printf("-- peer writes 50000 bytes\n");
    memset(big, 'b', sizeof(big));
    write(sv[1], big, sizeof(big));
    drain_in_read = 0;
    run_nonblock(1);
    printf("in=%zu\n", inlen(b));
    tmp = evbuffer_new();
    rc = bufferevent_read_buffer(b, tmp);
    printf("read_buffer=%d tmp=%zu in=%zu\n", rc, evbuffer_get_length(tmp), inlen(b));
    drain_in_read = 1;

    printf("-- write 3 chunks, write_buffer\n");
    bufferevent_write(b, "hello", 5);
    bufferevent_write(b, " ", 1);
    evbuffer_drain(tmp, evbuffer_get_length(tmp) - 100);
    rc = bufferevent_write_buffer(b, tmp);
    printf("write_buffer=%d tmp=%zu out=%zu\n", rc, evbuffer_get_length(tmp), outlen(b));
    run_nonblock(2);
    printf("peer got %d\n", drain_fd(sv[1]));

    printf("-- disable write, write more\n");
    rc = bufferevent_disable(b, EV_WRITE);
    printf("disable=%d enabled=0x%x\n", rc, bufferevent_get_enabled(b));
    bufferevent_write(b, "abc", 3);
    run_nonblock(2);
    rc = drain_fd(sv[1]);
    printf("out=%zu peer got %d\n", outlen(b), rc);
    printf("-- enable write\n");
    bufferevent_enable(b, EV_WRITE);
    run_nonblock(2);
    rc = drain_fd(sv[1]);
    printf("out=%zu peer got %d\n", outlen(b), rc);
    printf("-- enable write again with empty output\n");
    bufferevent_disable(b, EV_WRITE);
    bufferevent_enable(b, EV_WRITE);
    run_nonblock(2);

    rc = bufferevent_flush(b, EV_READ, BEV_NORMAL);
    printf("-- flush on a socket: %d", rc);
    rc = bufferevent_flush(b, EV_WRITE, BEV_FLUSH);
    printf(" %d", rc);
    rc = bufferevent_flush(b, EV_READ | EV_WRITE, BEV_FINISHED);
    printf(" %d\n", rc);

    printf("-- peer writes then closes\n");
    write(sv[1], "last words", 10);
    close(sv[1]);
    run_nonblock(3);
    printf("enabled=0x%x\n", bufferevent_get_enabled(b));
    printf("-- loop after EOF\n");
    run_nonblock(2);
    printf("-- enable read after EOF\n");
    bufferevent_enable(b, EV_READ);
    run_nonblock(1);

    for (i = 0; i < 2; i++) {
        rc = bufferevent_enable(b, EV_TIMEOUT);
        printf("odd enable bits: %d enabled=0x%x\n", rc, bufferevent_get_enabled(b));
    }
    bufferevent_disable(b, EV_READ | EV_WRITE | EV_TIMEOUT);
    printf("enabled=0x%x\n", bufferevent_get_enabled(b));

    evbuffer_free(tmp);
    bufferevent_free(b);
    close(sv[0]);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
