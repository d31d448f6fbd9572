/* Covers: event_global_current_base_, the 1.x API's current base that
 * libevent_core exports as a data object: NULL at first, event_init's base,
 * NULL again when that base is freed, and a base the program stores there
 * itself is the one event_set / event_dispatch / event_loopexit use.
 */
#include <stdio.h>
#include <event2/event.h>
#include <event2/event_compat.h>
#include <event2/event_struct.h>

extern struct event_base *event_global_current_base_;

static int fired;

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)arg;
	fired++;
	printf("timer fired what=%#x\n", what);
}

int main(void)
{
	struct event_base *b1, *b2;
	struct event ev;
	struct timeval tv = { 0, 1000 };

	printf("at start null=%d\n", event_global_current_base_ == NULL);
	b1 = event_init();
	printf("after event_init is it=%d\n", event_global_current_base_ == b1);
	event_base_free(b1);
	printf("after freeing it null=%d\n", event_global_current_base_ == NULL);

	b2 = event_base_new();
	printf("event_base_new leaves it null=%d\n", event_global_current_base_ == NULL);
	event_global_current_base_ = b2; /* the program's own store */
	evtimer_set(&ev, on_timer, NULL);
	printf("event_set used it=%d\n", ev.ev_base == b2);
	evtimer_add(&ev, &tv);
	{
		int r = event_dispatch();
		printf("dispatch=%d fired=%d\n", r, fired);
	}
	event_global_current_base_ = NULL;
	event_base_free(b2);
	libevent_global_shutdown();
	return 0;
}
