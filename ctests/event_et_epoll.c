/* ctest-backends: epoll */
/* Covers: EV_ET on the epoll backend (the only one advertising
 * EV_FEATURE_ET): a persistent edge-triggered read event fires once per
 * edge, not once per unread byte; the res passed to callbacks of EV_ET
 * events carries the EV_ET bit; edge-triggered write events; mixing EV_ET
 * and level-triggered events on one fd: the fd's mode follows whichever add
 * last changed what the backend watches (adding a level READ event to an fd
 * that already watches READ edge-triggered keeps it edge-triggered; adding
 * a level READ event to an fd watched only for edge-triggered WRITE turns
 * the fd level-triggered).  See event_et_level.c for poll/select.
 */
#include <event2/event.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/socket.h>

/* Callbacks whose name starts with 'R' consume one byte per call. */
static void cb(evutil_socket_t fd, short what, void *arg)
{
	const char *name = arg;
	char c;
	printf("  cb %s what=0x%x\n", name, what);
	if (name[0] == 'R' && read(fd, &c, 1) != 1)
		printf("  read failed\n");
}

static void passes(struct event_base *base, int n)
{
	for (int i = 0; i < n; i++) {
		int r = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		printf(" pass %d -> %d\n", i, r);
	}
}

static void pair(struct event_base *base, short f1, const char *n1, short f2, const char *n2)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return;
	struct event *e1 = event_new(base, sv[0], f1 | EV_PERSIST, cb, (void *)n1);
	struct event *e2 = event_new(base, sv[0], f2 | EV_PERSIST, cb, (void *)n2);
	int r1 = event_add(e1, NULL);
	int r2 = event_add(e2, NULL);
	printf(" add %s: %d, add %s: %d\n", n1, r1, n2, r2);
	if (write(sv[1], "abc", 3) != 3) printf("write failed\n");
	passes(base, 4);
	event_free(e1); event_free(e2);
	close(sv[0]); close(sv[1]);
}

int main(void)
{
	int sv[2];
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) return 1;
	struct event_base *base = event_base_new();
	printf("EV_FEATURE_ET: %s\n",
	    (event_base_get_features(base) & EV_FEATURE_ET) ? "yes" : "no");

	printf("[edge-triggered persistent read, 3 bytes, 1 consumed per call]\n");
	struct event *et = event_new(base, sv[0], EV_READ | EV_ET | EV_PERSIST, cb, "Ret");
	printf("events: 0x%x\n", event_get_events(et));
	printf("add: %d\n", event_add(et, NULL));
	if (write(sv[1], "abc", 3) != 3) return 1;
	passes(base, 3);
	printf("[new data is a new edge]\n");
	if (write(sv[1], "d", 1) != 1) return 1;
	passes(base, 3);
	event_free(et);

	printf("[edge-triggered write]\n");
	struct event *wet = event_new(base, sv[0], EV_WRITE | EV_ET | EV_PERSIST, cb, "wet");
	printf("add: %d\n", event_add(wet, NULL));
	passes(base, 3);
	event_free(wet);

	printf("[ET read added first, then level read]\n");
	pair(base, EV_READ | EV_ET, "et", EV_READ, "Rlevel");
	printf("[level read added first, then ET read]\n");
	pair(base, EV_READ, "Rlevel", EV_READ | EV_ET, "et");
	printf("[ET write added first, then level read]\n");
	pair(base, EV_WRITE | EV_ET, "wet", EV_READ, "Rlevel");

	event_base_free(base);
	close(sv[0]); close(sv[1]);
	libevent_global_shutdown();
	return 0;
}
