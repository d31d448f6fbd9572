/* Covers: event_priority_set return values (not added, added/pending,
 * active, out of range, negative), the default priority (middle queue) and
 * event_get_priority, callback order across priorities (lower number first)
 * and FIFO order within one priority, I/O events with different priorities
 * becoming ready together, and a higher-priority event activated from a
 * lower-priority callback: it runs before the remaining callbacks of the
 * lower-priority queue that was being processed.
 */
#include <event2/event.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>

static struct event *evs[8];
static const char *names[8] = { "A", "B", "C", "D", "E", "F", "G", "H" };

static void cb(evutil_socket_t fd, short what, void *arg)
{
	int i = (int)(long)arg;
	printf("  %s (prio %d) what=0x%x\n", names[i], event_get_priority(evs[i]), what);
}

static struct event *chain_target;
static void chain_cb(evutil_socket_t fd, short what, void *arg)
{
	int i = (int)(long)arg;
	printf("  %s (prio %d) activates %s\n", names[i], event_get_priority(evs[i]),
	    names[(int)(long)event_get_callback_arg(chain_target)]);
	event_active(chain_target, EV_TIMEOUT, 0);
}

int main(void)
{
	int p1[2], p2[2], r;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, p1) < 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, p2) < 0) return 1;

	printf("[single-queue base]\n");
	struct event_base *b1 = event_base_new();
	struct event *x = evtimer_new(b1, cb, 0);
	printf("default prio: %d\n", event_get_priority(x));
	printf("set 0: %d\n", event_priority_set(x, 0));
	printf("set 1: %d\n", event_priority_set(x, 1));
	printf("set -1: %d\n", event_priority_set(x, -1));
	event_free(x);
	event_base_free(b1);

	printf("[base with 3 priorities]\n");
	struct event_base *base = event_base_new();
	r = event_base_priority_init(base, 3);
	printf("priority_init(3): %d\n", r);
	for (int i = 0; i < 8; i++)
		evs[i] = evtimer_new(base, cb, (void *)(long)i);
	printf("default prio after init: %d\n", event_get_priority(evs[0]));
	printf("set 3 (out of range): %d\n", event_priority_set(evs[0], 3));
	printf("set -1: %d\n", event_priority_set(evs[0], -1));
	printf("prio unchanged: %d\n", event_get_priority(evs[0]));

	struct timeval tv = { 5, 0 };
	event_add(evs[1], &tv);
	r = event_priority_set(evs[1], 0);
	printf("set on pending event: %d -> prio %d\n", r, event_get_priority(evs[1]));
	event_del(evs[1]);
	event_active(evs[2], EV_TIMEOUT, 0);
	r = event_priority_set(evs[2], 0);
	printf("set on active event: %d -> prio %d\n", r, event_get_priority(evs[2]));
	event_base_loop(base, EVLOOP_NONBLOCK);
	r = event_priority_set(evs[2], 0);
	printf("set after it ran: %d -> prio %d\n", r, event_get_priority(evs[2]));

	printf("[activation order across priorities]\n");
	int prios[8] = { 2, 0, 1, 2, 0, 1, 0, 2 };
	for (int i = 0; i < 8; i++)
		event_priority_set(evs[i], prios[i]);
	for (int i = 0; i < 8; i++)
		event_active(evs[i], EV_TIMEOUT, 0);
	event_base_loop(base, EVLOOP_ONCE);

	printf("[reverse activation order]\n");
	for (int i = 7; i >= 0; i--)
		event_active(evs[i], EV_TIMEOUT, 0);
	event_base_loop(base, EVLOOP_ONCE);

	printf("[prio-1 callback activates a prio-0 event]\n");
	/* B, C at prio 1 (B activates A at prio 0), D at prio 2 */
	event_priority_set(evs[0], 0);
	event_priority_set(evs[1], 1);
	event_priority_set(evs[2], 1);
	event_priority_set(evs[3], 2);
	event_assign(evs[1], base, -1, 0, chain_cb, (void *)1L);
	event_priority_set(evs[1], 1);
	chain_target = evs[0];
	event_active(evs[3], EV_TIMEOUT, 0);
	event_active(evs[1], EV_TIMEOUT, 0);
	event_active(evs[2], EV_TIMEOUT, 0);
	event_base_loop(base, EVLOOP_ONCE);

	printf("[I/O events ready together]\n");
	struct event *io_low = event_new(base, p1[0], EV_READ, cb, (void *)6L);
	struct event *io_high = event_new(base, p2[0], EV_READ, cb, (void *)7L);
	event_free(evs[6]); event_free(evs[7]);
	evs[6] = io_low; evs[7] = io_high;
	event_priority_set(io_low, 2);
	event_priority_set(io_high, 0);
	event_add(io_low, NULL);
	event_add(io_high, NULL);
	if (write(p1[1], "a", 1) != 1 || write(p2[1], "b", 1) != 1) return 1;
	event_base_loop(base, EVLOOP_ONCE);

	for (int i = 0; i < 8; i++)
		event_free(evs[i]);
	event_base_free(base);
	close(p1[0]); close(p1[1]); close(p2[0]); close(p2[1]);
	libevent_global_shutdown();
	return 0;
}
