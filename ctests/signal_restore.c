/* Covers: the process signal disposition around signal events.  Adding the
 * first event for a signal replaces a handler the program installed with
 * sigaction (the program's handler no longer runs; libevent's handler has
 * SA_RESTART); deleting one of two events keeps libevent's handler;
 * deleting the last one restores the program's handler exactly (same
 * function, SA_SIGINFO/SA_RESTART flags as installed) and raising the
 * signal runs it again; SIG_IGN is restored too; event_free of the last
 * event restores; and event_base_free with a signal event still pending
 * restores the original disposition.
 */
#include <event2/event.h>
#include <event2/event_struct.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>

static volatile sig_atomic_t my_handler_runs;
static void my_handler(int sig, siginfo_t *si, void *ctx) { (void)sig; (void)si; (void)ctx; my_handler_runs++; }

static int ev_calls;
static void cb(evutil_socket_t fd, short what, void *arg)
{
	ev_calls++;
	printf("  event callback %s\n", (const char *)arg);
}

static void show(const char *when, int sig)
{
	struct sigaction cur;
	sigaction(sig, NULL, &cur);
	const char *who;
	if (cur.sa_flags & SA_SIGINFO)
		who = cur.sa_sigaction == my_handler ? "my_handler" : "other(siginfo)";
	else if (cur.sa_handler == SIG_IGN)
		who = "SIG_IGN";
	else if (cur.sa_handler == SIG_DFL)
		who = "SIG_DFL";
	else
		who = "libevent's handler";
	printf("%s: %s SA_SIGINFO=%d SA_RESTART=%d\n", when, who,
	    (cur.sa_flags & SA_SIGINFO) ? 1 : 0, (cur.sa_flags & SA_RESTART) ? 1 : 0);
}

static void pass(struct event_base *base)
{
	int r = event_base_loop(base, EVLOOP_NONBLOCK);
	printf("  loop -> %d; my_handler runs=%d event calls=%d\n", r, (int)my_handler_runs, ev_calls);
}

int main(void)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	struct sigaction mine;
	memset(&mine, 0, sizeof(mine));
	mine.sa_sigaction = my_handler;
	mine.sa_flags = SA_SIGINFO;
	sigemptyset(&mine.sa_mask);
	sigaction(SIGUSR1, &mine, NULL);
	signal(SIGUSR2, SIG_IGN);

	struct event_base *base = event_base_new();
	show("SIGUSR1 before any event", SIGUSR1);

	printf("[one event]\n");
	struct event *a = evsignal_new(base, SIGUSR1, cb, "a");
	evsignal_add(a, NULL);
	show("SIGUSR1 with event a", SIGUSR1);
	raise(SIGUSR1);
	pass(base);
	evsignal_del(a);
	show("SIGUSR1 after deleting a", SIGUSR1);
	raise(SIGUSR1);
	pass(base);

	printf("[two events]\n");
	struct event *b = evsignal_new(base, SIGUSR1, cb, "b");
	evsignal_add(a, NULL);
	evsignal_add(b, NULL);
	evsignal_del(a);
	show("SIGUSR1 after deleting a, b still added", SIGUSR1);
	raise(SIGUSR1);
	pass(base);
	event_free(b);
	show("SIGUSR1 after event_free(b)", SIGUSR1);
	raise(SIGUSR1);
	pass(base);

	printf("[SIG_IGN]\n");
	show("SIGUSR2 before", SIGUSR2);
	struct event *c = evsignal_new(base, SIGUSR2, cb, "c");
	evsignal_add(c, NULL);
	show("SIGUSR2 with event c", SIGUSR2);
	raise(SIGUSR2);
	pass(base);
	evsignal_del(c);
	show("SIGUSR2 after deleting c", SIGUSR2);
	raise(SIGUSR2);
	pass(base);

	printf("[event_base_free with a signal event still added]\n");
	struct event_base *b2 = event_base_new();
	struct event left;
	evsignal_assign(&left, b2, SIGUSR1, cb, "left");
	evsignal_add(&left, NULL);
	show("SIGUSR1 with event on second base", SIGUSR1);
	event_base_free(b2);
	show("SIGUSR1 after freeing that base", SIGUSR1);
	raise(SIGUSR1);
	printf("  my_handler runs=%d\n", (int)my_handler_runs);

	event_free(a); event_free(c);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
