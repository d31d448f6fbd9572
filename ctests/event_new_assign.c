/* Covers: event_new, event_assign (stack and heap struct event),
 * event_get_struct_event_size() == sizeof(struct event), event_free,
 * event_self_cbarg, event_initialized, the accessors event_get_fd/base/
 * events/callback/callback_arg/priority, event_get_assignment (with NULL
 * out-params too), event_debug_unassign (outside debug mode), and an
 * event_assign'd event actually firing (stack and heap).
 */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

static struct event *self_seen;
static int self_ok;

static void self_cb(evutil_socket_t fd, short what, void *arg)
{
	self_ok = (arg == self_seen);
	printf("self_cb: what=0x%x arg_is_event=%s\n", what, self_ok ? "yes" : "no");
}

static int fired_stack, fired_heap;
static void plain_cb(evutil_socket_t fd, short what, void *arg)
{
	int *counter = arg;
	(*counter)++;
	printf("plain_cb: what=0x%x counter=%d\n", what, *counter);
}

static void other_cb(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; }

int main(void)
{
	int sv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) { perror("socketpair"); return 1; }

	printf("struct size matches: %s\n",
	    event_get_struct_event_size() == sizeof(struct event) ? "yes" : "no");

	struct event_base *base = event_base_new();
	if (!base) return 1;

	/* event_initialized on zeroed storage */
	struct event zeroed;
	memset(&zeroed, 0, sizeof(zeroed));
	printf("zeroed initialized: %d\n", event_initialized(&zeroed));

	/* event_new + accessors */
	int token = 42;
	struct event *ev = event_new(base, sv[0], EV_READ | EV_PERSIST, plain_cb, &token);
	printf("event_new ok: %s\n", ev ? "yes" : "no");
	printf("initialized: %d\n", event_initialized(ev) ? 1 : 0);
	printf("get_fd matches: %s\n", event_get_fd(ev) == sv[0] ? "yes" : "no");
	printf("get_base matches: %s\n", event_get_base(ev) == base ? "yes" : "no");
	printf("get_events: 0x%x\n", event_get_events(ev));
	printf("get_callback matches: %s\n", event_get_callback(ev) == plain_cb ? "yes" : "no");
	printf("get_callback_arg matches: %s\n", event_get_callback_arg(ev) == &token ? "yes" : "no");
	printf("get_priority: %d\n", event_get_priority(ev));

	/* event_get_assignment with all out params */
	struct event_base *ab = NULL; evutil_socket_t afd = -5; short aev = 0;
	event_callback_fn acb = NULL; void *aarg = NULL;
	event_get_assignment(ev, &ab, &afd, &aev, &acb, &aarg);
	printf("assignment: base=%s fd=%s events=0x%x cb=%s arg=%s\n",
	    ab == base ? "yes" : "no", afd == sv[0] ? "yes" : "no", aev,
	    acb == plain_cb ? "yes" : "no", aarg == &token ? "yes" : "no");
	/* and with NULL out params (must not crash) */
	aev = 0;
	event_get_assignment(ev, NULL, NULL, &aev, NULL, NULL);
	printf("assignment events only: 0x%x\n", aev);
	event_free(ev);

	/* pure timer via event_new with fd -1 */
	ev = event_new(base, -1, 0, other_cb, NULL);
	printf("timer-style event: fd=%d events=0x%x\n", (int)event_get_fd(ev), event_get_events(ev));
	event_free(ev);

	/* event_self_cbarg */
	self_seen = event_new(base, -1, EV_TIMEOUT, self_cb, event_self_cbarg());
	printf("self cbarg stored as event: %s\n",
	    event_get_callback_arg(self_seen) == self_seen ? "yes" : "no");
	printf("event_self_cbarg() is not NULL: %s\n", event_self_cbarg() != NULL ? "yes" : "no");
	event_active(self_seen, EV_TIMEOUT, 0);
	event_base_loop(base, EVLOOP_ONCE);
	event_free(self_seen);

	/* event_assign on a stack struct */
	struct event sev;
	memset(&sev, 0xa5, sizeof(sev)); /* garbage first: assign must fully init */
	int r = event_assign(&sev, base, sv[0], EV_READ, plain_cb, &fired_stack);
	printf("event_assign stack: %d initialized=%d events=0x%x prio=%d\n",
	    r, event_initialized(&sev) ? 1 : 0, event_get_events(&sev), event_get_priority(&sev));
	printf("stack pending before add: 0x%x\n", event_pending(&sev, EV_READ | EV_WRITE | EV_TIMEOUT | EV_SIGNAL, NULL));

	/* event_assign on a heap struct sized via event_get_struct_event_size */
	struct event *hev = malloc(event_get_struct_event_size());
	r = event_assign(hev, base, sv[0], EV_WRITE, plain_cb, &fired_heap);
	printf("event_assign heap: %d events=0x%x\n", r, event_get_events(hev));

	event_add(&sev, NULL);
	event_add(hev, NULL);
	if (write(sv[1], "x", 1) != 1) return 1;
	event_base_loop(base, EVLOOP_ONCE);
	printf("fired stack=%d heap=%d\n", fired_stack, fired_heap);
	printf("stack pending after fire (non-persist): 0x%x\n", event_pending(&sev, EV_READ, NULL));
	printf("still initialized after fire: %d\n", event_initialized(&sev) ? 1 : 0);

	/* re-assign a non-pending event to different parameters */
	r = event_assign(&sev, base, -1, 0, other_cb, NULL);
	printf("re-assign: %d events=0x%x cb=%s\n", r, event_get_events(&sev),
	    event_get_callback(&sev) == other_cb ? "yes" : "no");

	/* event_debug_unassign outside debug mode */
	event_debug_unassign(&sev);
	printf("after debug_unassign initialized: %d\n", event_initialized(&sev) ? 1 : 0);

	event_del(hev);
	event_debug_unassign(hev);
	free(hev);

	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
