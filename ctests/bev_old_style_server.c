/* Covers: the old-style server of shared/examples 062/063 (accept_handle /
 * buffered_on_read), repaired only where the document does not compile
 * (missing semicolons and declarations, the stray comment, the "bef" typo;
 * the echo writes what was read instead of always 4096 bytes): event_init,
 * event_set/event_add on the listening socket, bufferevent_new with an int
 * fd as cbarg, buf_ev->wm_read.high = 4096 poked into the struct,
 * bufferevent_base_set, bufferevent_enable, bufferevent_read and
 * bufferevent_write from the read callback, event_base_dispatch. A client
 * on 127.0.0.1 sends 20000 bytes in pieces and checks the echo.
 */
#include <event.h>
#include <event2/bufferevent_struct.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

static struct event_base *main_base;
static struct bufferevent *buf_ev;
static int reads, max_seen;

void buffered_on_read(struct bufferevent *bev, void *arg)
{
    char buffer[4096];
    int ret;

    if (evbuffer_get_length(EVBUFFER_INPUT(bev)) > (size_t)max_seen)
        max_seen = (int)evbuffer_get_length(EVBUFFER_INPUT(bev));
    reads++;
    ret = bufferevent_read(bev, &buffer, 4096);
    bufferevent_write(bev, (void *)&buffer, ret);
    (void)arg;
}

void accept_handle(const int sfd, const short event, void *arg)
{
    struct sockaddr_in addr;
    socklen_t addrlen = sizeof(addr);
    int fd = accept(sfd, (struct sockaddr *)&addr, &addrlen);
    (void)event; (void)arg;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    buf_ev = bufferevent_new(fd, buffered_on_read, NULL, NULL, (void *)(intptr_t)fd);
    buf_ev->wm_read.high = 4096;
    bufferevent_base_set(main_base, buf_ev);
    bufferevent_enable(buf_ev, EV_READ);
    printf("accepted; cbarg is the fd: %d\n", (int)(intptr_t)buf_ev->cbarg == fd);
}

static int client;
static char sent[20000];
static size_t nsent, nrecv;
static int mismatch;

static void client_io(int fd, short what, void *arg)
{
    char buf[8192];
    struct event *self = arg;
    if (what & EV_WRITE) {
        if (nsent < sizeof(sent)) {
            size_t k = sizeof(sent) - nsent > 3000 ? 3000 : sizeof(sent) - nsent;
            ssize_t w = write(fd, sent + nsent, k);
            if (w > 0)
                nsent += (size_t)w;
        }
    }
    if (what & EV_READ) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0) {
            if (memcmp(buf, sent + nrecv, (size_t)n) != 0)
                mismatch = 1;
            nrecv += (size_t)n;
        }
        if (nrecv == sizeof(sent)) {
            event_del(self);
            event_base_loopexit(main_base, NULL);
        }
    }
}

int main(void)
{
    struct sockaddr_in sin;
    socklen_t len = sizeof(sin);
    int sfd, i;
    struct event listen_ev, *cev;

    main_base = event_init();
    sfd = socket(AF_INET, SOCK_STREAM, 0);
    memset(&sin, 0, sizeof(sin));
    sin.sin_family = AF_INET;
    sin.sin_addr.s_addr = htonl(0x7f000001);
    bind(sfd, (struct sockaddr *)&sin, sizeof(sin));
    listen(sfd, 8);
    getsockname(sfd, (struct sockaddr *)&sin, &len);

    event_set(&listen_ev, sfd, EV_READ | EV_PERSIST, (void (*)(int, short, void *))accept_handle, NULL);
    event_add(&listen_ev, NULL);

    for (i = 0; i < (int)sizeof(sent); i++)
        sent[i] = (char)('a' + i % 26);
    client = socket(AF_INET, SOCK_STREAM, 0);
    connect(client, (struct sockaddr *)&sin, sizeof(sin));
    fcntl(client, F_SETFL, fcntl(client, F_GETFL) | O_NONBLOCK);
    cev = event_new(main_base, client, EV_READ | EV_WRITE | EV_PERSIST, client_io, event_self_cbarg());
    event_add(cev, NULL);

    event_base_loopexit(main_base, &(struct timeval){5, 0});
    event_base_dispatch(main_base);
    printf("echoed %zu of %zu bytes, %s; input never above the poked high watermark: %d; reads>=5: %d\n",
           nrecv, sizeof(sent), mismatch ? "MISMATCH" : "identical", max_seen <= 4096, reads >= 5);

    event_free(cev);
    event_del(&listen_ev);
    close(bufferevent_getfd(buf_ev));
    bufferevent_free(buf_ev);
    event_base_loop(main_base, EVLOOP_NONBLOCK);
    close(client);
    close(sfd);
    event_base_free(main_base);
    libevent_global_shutdown();
    return 0;
}
