/* Covers: signal events on two event bases.  Only one base at a time
 * receives signals: adding a signal event to a second base while the first
 * has signal events logs a warning (printed here with pointers and the
 * backend name masked) and moves signal delivery to the second base; a
 * signal raised then is delivered to the second base only (lost for an
 * event on the first base); running event_base_loop on a base that has
 * signal events makes it the receiving base again; a signal delivered to
 * the base with no event for it is dropped; after one base deleted its
 * signal events and re-adds while the other owns signals, it warns again and
 * takes over delivery.
 */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <ctype.h>
#include <signal.h>

static const char *method;

/* Print a log message with "0x..." pointers and the backend name masked. */
static void logcb(int severity, const char *msg)
{
	char out[1024];
	size_t o = 0, ml = strlen(method);
	for (const char *p = msg; *p && o < sizeof(out) - 16; ) {
		if (p[0] == '0' && p[1] == 'x') {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "<ptr>");
			p += 2;
			while (isxdigit((unsigned char)*p)) p++;
		} else if (ml && strncmp(p, method, ml) == 0) {
			o += (size_t)snprintf(out + o, sizeof(out) - o, "<backend>");
			p += ml;
		} else {
			out[o++] = *p++;
		}
	}
	out[o] = '\0';
	printf("  log[%d]: %s\n", severity, out);
}

static void cb(evutil_socket_t fd, short what, void *arg)
{
	printf("  callback %s (%s)\n", (const char *)arg, fd == SIGUSR1 ? "SIGUSR1" : "SIGUSR2");
}

static void loop(struct event_base *b, const char *name)
{
	int r = event_base_loop(b, EVLOOP_NONBLOCK);
	printf(" loop %s -> %d\n", name, r);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	event_set_log_callback(logcb);
	struct event_base *b1 = event_base_new(), *b2 = event_base_new();
	method = event_base_get_method(b1);

	struct event *b1u1 = evsignal_new(b1, SIGUSR1, cb, "b1/USR1");
	struct event *b2u2 = evsignal_new(b2, SIGUSR2, cb, "b2/USR2");
	struct event *b2u1 = evsignal_new(b2, SIGUSR1, cb, "b2/USR1");
	struct event *b1u2 = evsignal_new(b1, SIGUSR2, cb, "b1/USR2");

	printf("[add to b1, then to b2]\n");
	printf("add b1/USR1: %d\n", evsignal_add(b1u1, NULL));
	printf("add b2/USR2: %d\n", evsignal_add(b2u2, NULL));

	printf("[raise USR1 and USR2: b2 receives both]\n");
	raise(SIGUSR1); raise(SIGUSR2);
	loop(b1, "b1");
	loop(b2, "b2");
	loop(b1, "b1");

	printf("[b1 looped last, so it receives now]\n");
	raise(SIGUSR1);
	loop(b1, "b1");

	printf("[add b2/USR1 while b1 has signals]\n");
	printf("add b2/USR1: %d\n", evsignal_add(b2u1, NULL));
	raise(SIGUSR1);
	loop(b1, "b1");
	loop(b2, "b2");

	printf("[b1 loops again, then USR2 raised: b1 has no USR2 event]\n");
	loop(b1, "b1");
	raise(SIGUSR2);
	loop(b1, "b1");
	loop(b2, "b2");
	raise(SIGUSR2);
	loop(b2, "b2");

	printf("[b1 deletes its signal events, then adds again]\n");
	evsignal_del(b1u1);
	printf("add b1/USR2 after b1 emptied: %d\n", evsignal_add(b1u2, NULL));
	raise(SIGUSR2);
	loop(b1, "b1");
	loop(b2, "b2");

	/* (Not covered: the warning after every event of both bases has been
	 * deleted; libevent's bookkeeping there depends on which base happened
	 * to own signals when each delete ran.) */
	evsignal_del(b1u2);
	evsignal_del(b2u1);
	evsignal_del(b2u2);

	event_free(b1u1); event_free(b2u2); event_free(b2u1); event_free(b1u2);
	event_base_free(b1);
	event_base_free(b2);
	event_set_log_callback(NULL);
	libevent_global_shutdown();
	return 0;
}
