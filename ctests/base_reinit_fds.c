/* Covers: event_reinit in a forked child replaces the descriptors it shares
 * with the parent (epoll fd, signal pipe, the threads wake-up eventfd) in
 * libevent's order, so the child's next fd is numbered as on libevent, and
 * a timer and a signal still fire in the child afterwards. */
/* ctest-libs: -levent_pthreads -lpthread */
#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);
	close(fd);
	return fd;
}

static int timer_fired;

static void on_event(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	printf("  child: %s fired what=0x%x\n", (const char *)arg, what);
	if (what & EV_TIMEOUT)
		timer_fired = 1;
}

static void scenario(const char *label, int with_signal)
{
	struct event_base *base = event_base_new();
	struct event *sig = NULL;
	pid_t pid;
	int status = 0;

	if (with_signal) {
		sig = evsignal_new(base, SIGUSR2, on_event, "signal");
		event_add(sig, NULL);
	}
	printf("%s: base fds in use, next fd=%d\n", label, next_fd());
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct event *t = evtimer_new(base, on_event, "timer");
		/* Long enough that a raised signal always comes first. */
		struct timeval tv = {0, 200000};
		int r = event_reinit(base);
		printf("  child: reinit=%d next fd=%d\n", r, next_fd());
		evtimer_add(t, &tv);
		if (with_signal)
			raise(SIGUSR2);
		while (!timer_fired)
			if (event_base_loop(base, EVLOOP_ONCE) < 0)
				break;
		event_free(t);
		if (sig)
			event_free(sig);
		event_base_free(base);
		fflush(stdout);
		_exit(0);
	}
	waitpid(pid, &status, 0);
	if (sig)
		event_free(sig);
	event_base_free(base);
}

int main(void)
{
	scenario("plain base", 0);
	scenario("base with a signal event", 1);
	evthread_use_pthreads();
	scenario("threaded base", 0);
	scenario("threaded base with a signal event", 1);
	libevent_global_shutdown();
	return 0;
}
