/* Covers: bufferevent_set_timeouts on a socket bufferevent: a read timeout
 * reports BEV_EVENT_TIMEOUT|READING and disables reading; data before the
 * deadline pushes it back; no timeout while reading is disabled; a write
 * timeout (peer not reading, socket buffer full) reports TIMEOUT|WRITING
 * and disables writing; no write timeout with an empty output;
 * set_timeouts(NULL, NULL) removes them while reading continues; the compat
 * bufferevent_settimeout (seconds). Deadlines are 150+ ms apart.
 * ctest-timeout: 20
 */
#include "bev_common.h"

static void readcb(struct bufferevent *b, void *arg)
{
    printf("%s: read in=%zu\n", (const char *)arg, inlen(b));
    evbuffer_drain(bufferevent_get_input(b), inlen(b));
}

static void eventcb(struct bufferevent *b, short what, void *arg)
{
    printf("%s: event 0x%02x enabled=0x%x\n", (const char *)arg, what, bufferevent_get_enabled(b));
}

static evutil_socket_t peer;

static void peer_write(evutil_socket_t fd, short what, void *arg)
{
    (void)fd; (void)what;
    printf("peer writes\n");
    write(peer, (const char *)arg, strlen((const char *)arg));
}

static void at(int ms, const char *text)
{
    struct timeval tv;
    tv.tv_sec = ms / 1000;
    tv.tv_usec = (ms % 1000) * 1000;
    event_base_once(base, -1, EV_TIMEOUT, peer_write, (void *)text, &tv);
}

int main(void)
{
    evutil_socket_t sv[2];
    struct bufferevent *b;
    struct timeval t150 = {0, 150000}, t400 = {0, 400000};
    char big[65536];
    int n, rc;

    signal(SIGPIPE, SIG_IGN);
    base = event_base_new();
    bev_socketpair(sv);
    peer = sv[1];
    b = bufferevent_socket_new(base, sv[0], 0);
    bufferevent_setcb(b, readcb, print_writecb, eventcb, "A");

    printf("-- read timeout 400ms, data at 100 and 300, then silence\n");
    bufferevent_set_timeouts(b, &t400, NULL);
    bufferevent_enable(b, EV_READ);
    at(100, "x");
    at(300, "y");
    run_for(900);
    printf("enabled=0x%x\n", bufferevent_get_enabled(b));

    printf("-- read disabled: no timeout\n");
    run_for(600);

    printf("-- enable again: timeout again\n");
    bufferevent_enable(b, EV_READ);
    run_for(600);

    printf("-- timeouts removed while reading: data still read, no timeout\n");
    bufferevent_enable(b, EV_READ);
    rc = bufferevent_set_timeouts(b, NULL, NULL);
    printf("set_timeouts=%d\n", rc);
    at(100, "z");
    run_for(600);

    printf("-- write timeout 150ms with empty output: nothing\n");
    bufferevent_set_timeouts(b, NULL, &t150);
    run_for(300);

    printf("-- fill the socket: write timeout\n");
    memset(big, 'q', sizeof(big));
    for (n = 0; n < 64; n++)
        bufferevent_write(b, big, sizeof(big));
    run_for(500);
    printf("enabled=0x%x out>0=%d\n", bufferevent_get_enabled(b), outlen(b) > 0);

    printf("-- peer drains, write enabled again: writes resume, and the event keeps its old persistent timeout\n");
    bufferevent_set_timeouts(b, NULL, NULL);
    evbuffer_drain(bufferevent_get_output(b), outlen(b) - 1000);
    while (drain_fd(sv[1]) > 0)
        ;
    bufferevent_enable(b, EV_WRITE);
    run_for(200);
    printf("peer got>0=%d\n", drain_fd(sv[1]) > 0);

    printf("-- compat bufferevent_settimeout(1, 0)\n");
    bufferevent_settimeout(b, 1, 0);
    printf("read enabled bit=%d\n", bufferevent_get_enabled(b) & EV_READ);
    bufferevent_enable(b, EV_READ);
    run_for(1300);
    bufferevent_settimeout(b, 0, 0);

    bufferevent_free(b);
    close(sv[0]);
    close(sv[1]);
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
