/* Covers: deferred evbuffer callbacks of many buffers changed inside one
 * loop iteration (from a callback): libevent queues at most 33 of them for
 * that iteration and the rest for the next, so an event activated right
 * after the changes runs between the two groups; the order is printed.
 * Also: changes of a buffer made before the loop, all run in its first
 * iteration, and several changes of one buffer coalesced into one call.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define NBUF 40

static void cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	(void)b;
	printf("cb %ld (+%zu -%zu)\n", (long)arg, info->n_added, info->n_deleted);
}

static struct evbuffer *bufs[NBUF];
static struct event *after;

static void change_all(evutil_socket_t fd, short what, void *arg)
{
	int i;
	(void)fd;
	(void)what;
	(void)arg;
	printf("changing all buffers\n");
	for (i = 0; i < NBUF; i++)
		evbuffer_add(bufs[i], "de", 2);
	evbuffer_add(bufs[5], "f", 1);
	event_active(after, EV_READ, 0);
}

static void on_after(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	(void)arg;
	printf("event activated after the changes\n");
}

static void on_read(evutil_socket_t fd, short what, void *arg)
{
	char c;
	(void)what;
	(void)arg;
	if (read(fd, &c, 1) == 1)
		printf("io %c\n", c);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct event *ev, *changer;
	struct timeval tv = {0, 1000};
	int sv[2], i;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	ev = event_new(base, sv[1], EV_READ | EV_PERSIST, on_read, NULL);
	event_add(ev, NULL);
	for (i = 0; i < NBUF; i++) {
		bufs[i] = evbuffer_new();
		evbuffer_defer_callbacks(bufs[i], base);
		evbuffer_add_cb(bufs[i], cb, (void *)(long)i);
	}
	for (i = 0; i < NBUF; i++)
		evbuffer_add(bufs[i], "abc", 3);
	evbuffer_drain(bufs[0], 1);
	write(sv[0], "x", 1);
	printf("loop 1\n");
	event_base_loop(base, EVLOOP_ONCE);
	printf("loop 2\n");
	event_base_loop(base, EVLOOP_NONBLOCK);
	after = event_new(base, -1, 0, on_after, NULL);
	changer = evtimer_new(base, change_all, NULL);
	evtimer_add(changer, &tv);
	printf("loop 3\n");
	event_base_loop(base, EVLOOP_ONCE);
	printf("loop 4\n");
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("done\n");
	event_free(after);
	event_free(changer);
	for (i = 0; i < NBUF; i++)
		evbuffer_free(bufs[i]);
	event_free(ev);
	event_base_free(base);
	close(sv[0]);
	close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
