/* Covers: EV_READ and EV_WRITE events on a socketpair under each backend,
 * EV_PERSIST reads across several writes, EOF seen as a readable fd with a
 * zero-length read, and event_base_loopbreak from inside a callback. */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct event *rd_ev, *wr_ev;
static evutil_socket_t pair[2];
static int writes_left = 3;

static void on_write(evutil_socket_t fd, short what, void *arg)
{
    char msg[32];
    (void)arg;
    snprintf(msg, sizeof(msg), "chunk-%d", 4 - writes_left);
    printf("writable (what=0x%x), sending %s\n", what, msg);
    if (write(fd, msg, strlen(msg)) < 0)
        perror("write");
    if (--writes_left > 0)
        return;
    event_del(wr_ev);
    shutdown(fd, SHUT_WR);
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
    char buf[64];
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    (void)arg;
    if (n > 0) {
        buf[n] = 0;
        printf("readable (what=0x%x): %s\n", what, buf);
        /* Re-enable the writer only after each chunk arrives, so reads and
         * writes strictly alternate. */
        if (writes_left > 0)
            event_add(wr_ev, NULL);
    } else {
        printf("readable (what=0x%x): eof n=%d\n", what, (int)n);
        event_base_loopbreak(event_get_base(rd_ev));
    }
}

static void on_write_once(evutil_socket_t fd, short what, void *arg)
{
    on_write(fd, what, arg);
    if (writes_left > 0)
        event_del(wr_ev);
}

int main(void)
{
    struct event_base *base = event_base_new();
    int r;

    if (!base || evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, pair) < 0)
        return 1;
    rd_ev = event_new(base, pair[1], EV_READ | EV_PERSIST, on_read, NULL);
    wr_ev = event_new(base, pair[0], EV_WRITE | EV_PERSIST, on_write_once, NULL);
    event_add(rd_ev, NULL);
    event_add(wr_ev, NULL);
    r = event_base_dispatch(base);
    printf("dispatch returned %d, got_break=%d\n", r, event_base_got_break(base));

    event_free(rd_ev);
    event_free(wr_ev);
    evutil_closesocket(pair[0]);
    evutil_closesocket(pair[1]);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
