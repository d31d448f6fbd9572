/* Covers: libevent_core's exported internal loop functions: event_active_later_
 * (runs in the next iteration, flags OR-ed), event_deferred_cb_init_ /
 * event_deferred_cb_schedule_ (libevent's quota of deferred callbacks per
 * iteration, the rest in the next) / event_deferred_cb_cancel_ /
 * event_deferred_cb_set_priority_, event_callback_activate_,
 * event_callback_cancel_, event_callback_init_, event_callback_finalize_
 * (a bare callback and an event), event_callback_finalize_many_,
 * event_base_assert_ok_ and event_base_start_iocp_ (-1 off Windows).
 */
#include <stdio.h>
#include <string.h>
#include <event2/event.h>
#include <event2/event_struct.h>

typedef void (*deferred_cb_fn)(struct event_callback *, void *);
void event_active_later_(struct event *ev, int res);
void event_deferred_cb_init_(struct event_callback *cb, ev_uint8_t priority, deferred_cb_fn fn, void *arg);
void event_deferred_cb_set_priority_(struct event_callback *cb, ev_uint8_t priority);
int event_deferred_cb_schedule_(struct event_base *base, struct event_callback *cb);
void event_deferred_cb_cancel_(struct event_base *base, struct event_callback *cb);
int event_callback_activate_(struct event_base *base, struct event_callback *evcb);
int event_callback_cancel_(struct event_base *base, struct event_callback *evcb);
void event_callback_init_(struct event_base *base, struct event_callback *cb);
void event_callback_finalize_(struct event_base *base, unsigned flags, struct event_callback *evcb,
    void (*cb)(struct event_callback *, void *));
int event_callback_finalize_many_(struct event_base *base, int n_cbs, struct event_callback **evcbs,
    void (*cb)(struct event_callback *, void *));
void event_base_assert_ok_(struct event_base *base);
int event_base_start_iocp_(struct event_base *base, int n_cpus);

static struct event_base *base;
static struct event ev_a, ev_b, ev_c;
static int ran[64];

static void on_event(evutil_socket_t fd, short what, void *arg)
{
	const char *name = arg;
	(void)fd;
	printf("  event %s res=%#x\n", name, what);
	if (name[0] == 'A') {
		event_active_later_(&ev_b, EV_READ);
		event_active_later_(&ev_b, EV_WRITE);
		event_active(&ev_c, EV_TIMEOUT, 1);
		printf("  B pending=%#x\n", event_pending(&ev_b, EV_READ | EV_WRITE | EV_TIMEOUT, NULL));
	}
}

static void on_deferred(struct event_callback *cb, void *arg)
{
	int i = (int)(long)arg;
	(void)cb;
	ran[i]++;
}

static void on_named(struct event_callback *cb, void *arg)
{
	printf("  callback %s (cb matches=%d)\n", (const char *)arg, cb != NULL);
}

static void on_finalize(struct event_callback *cb, void *arg)
{
	printf("  finalizer for %s, cb is the event's=%d\n", (const char *)arg, cb == &ev_a.ev_evcallback);
}

static struct event_callback spawned[40];

/* Schedules 40 deferred callbacks from inside the loop: libevent queues a
 * limited number for this iteration and the rest for the next. */
static void spawner(struct event_callback *cb, void *arg)
{
	int i, now = 0;
	(void)cb;
	(void)arg;
	for (i = 0; i < 40; i++) {
		event_deferred_cb_init_(&spawned[i], 1, on_deferred, (void *)(long)i);
		now += event_deferred_cb_schedule_(base, &spawned[i]);
	}
	printf("  spawner scheduled %d\n", now);
}

static int iteration(const char *what)
{
	int i, n = 0;
	memset(ran, 0, sizeof(ran));
	printf("%s:\n", what);
	event_base_loop(base, EVLOOP_NONBLOCK);
	for (i = 0; i < 64; i++)
		n += ran[i];
	return n;
}

int main(void)
{
	struct event_callback cbs[40], one, two, three;
	struct event_callback *many[2];
	int i, n;

	base = event_base_new();
	event_base_priority_init(base, 3);
	printf("start_iocp=%d\n", event_base_start_iocp_(base, 2));

	event_assign(&ev_a, base, -1, 0, on_event, "A");
	event_assign(&ev_b, base, -1, 0, on_event, "B");
	event_assign(&ev_c, base, -1, 0, on_event, "C");
	event_active(&ev_a, EV_TIMEOUT, 1);
	iteration("iteration 1");
	iteration("iteration 2");
	event_active_later_(&ev_c, EV_READ);
	event_active_later_(&ev_c, EV_SIGNAL);
	printf("C pending=%#x\n", event_pending(&ev_c, EV_READ | EV_SIGNAL, NULL));
	event_base_assert_ok_(base);
	iteration("iteration 3");

	for (i = 0; i < 40; i++) {
		event_deferred_cb_init_(&cbs[i], 1, on_deferred, (void *)(long)i);
		n = event_deferred_cb_schedule_(base, &cbs[i]);
		if (n != 1)
			printf("schedule %d = %d\n", i, n);
	}
	printf("schedule again=%d\n", event_deferred_cb_schedule_(base, &cbs[0]));
	event_deferred_cb_cancel_(base, &cbs[5]);
	event_deferred_cb_cancel_(base, &cbs[39]);
	event_base_assert_ok_(base);
	n = iteration("40 deferred, two cancelled");
	printf("  ran %d (5:%d 39:%d)\n", n, ran[5], ran[39]);
	n = iteration("next");
	printf("  ran %d (38:%d)\n", n, ran[38]);

	event_deferred_cb_init_(&one, 0, spawner, NULL);
	event_deferred_cb_schedule_(base, &one);
	n = iteration("spawning 40 from the loop");
	printf("  ran %d (0:%d 39:%d)\n", n, ran[0], ran[39]);
	n = iteration("next");
	printf("  ran %d (0:%d 39:%d)\n", n, ran[0], ran[39]);
	n = iteration("next");
	printf("  ran %d\n", n);

	event_deferred_cb_init_(&one, 2, on_named, "low");
	event_deferred_cb_init_(&two, 2, on_named, "raised");
	event_deferred_cb_set_priority_(&two, 0);
	event_callback_init_(base, &three);
	printf("init: pri=%d closure=%d flags=%d\n", three.evcb_pri, three.evcb_closure, three.evcb_flags);
	event_deferred_cb_init_(&three, 1, on_named, "cancelled");
	n = event_callback_activate_(base, &one);
	printf("activate=%d", n);
	printf(" again=%d\n", event_callback_activate_(base, &one));
	event_callback_activate_(base, &two);
	event_callback_activate_(base, &three);
	printf("cancel=%d\n", event_callback_cancel_(base, &three));
	iteration("priorities");

	event_callback_activate_(base, &one);
	event_callback_finalize_(base, 0, &one, on_finalize);
	printf("finalizing flags set=%d activate now=%d\n", (one.evcb_flags & 0x40) != 0,
	    event_callback_activate_(base, &one));
	iteration("finalize a bare callback");
	{
		struct timeval tv = { 10, 0 };
		event_add(&ev_a, &tv);
		event_callback_finalize_(base, 0, &ev_a.ev_evcallback, on_finalize);
		printf("event pending after finalize=%d\n", event_pending(&ev_a, EV_TIMEOUT, NULL));
		iteration("finalize an event");
	}
	event_deferred_cb_init_(&one, 1, on_named, "one");
	event_deferred_cb_init_(&two, 1, on_named, "two");
	event_callback_activate_(base, &one);
	event_callback_activate_(base, &two);
	many[0] = &one;
	many[1] = &two;
	printf("finalize_many=%d\n", event_callback_finalize_many_(base, 2, many, on_named));
	iteration("finalize many");
	event_base_assert_ok_(base);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
