/* Covers: EVENT_BASE_FLAG_PRECISE_TIMER and EVENT_PRECISE_TIMER: a 1.5 ms
 * timer never fires early, and the descriptors a base allocates (epoll fd,
 * the precise-timer timerfd, the signal pipe) are the same ones libevent
 * allocates, so the next fd a program opens has the same number. */
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <unistd.h>

static struct timeval t0;

static void cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval t;
	long us;
	(void)fd; (void)arg;
	gettimeofday(&t, NULL);
	us = (t.tv_sec - t0.tv_sec) * 1000000L + (t.tv_usec - t0.tv_usec);
	printf("  fired what=0x%x not-early=%s within-1s=%s\n", what, us >= 1500 ? "yes" : "no",
	    us < 1000000 ? "yes" : "no");
}

static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);
	close(fd);
	return fd;
}

static void run(const char *label, int flag)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base;
	struct event *ev;
	struct timeval tv = {0, 1500};
	int before = next_fd();

	if (flag)
		event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER);
	base = event_base_new_with_config(cfg);
	event_config_free(cfg);
	printf("%s: method=%s fds used by the base=%d\n", label, event_base_get_method(base),
	    next_fd() - before);
	ev = evtimer_new(base, cb, NULL);
	gettimeofday(&t0, NULL);
	evtimer_add(ev, &tv);
	printf("  dispatch=%d\n", event_base_dispatch(base));
	event_free(ev);
	event_base_free(base);
	printf("  fds left open after free=%d\n", next_fd() - before);
}

int main(void)
{
	run("default", 0);
	run("PRECISE_TIMER flag", 1);
	setenv("EVENT_PRECISE_TIMER", "1", 1);
	run("EVENT_PRECISE_TIMER env", 0);
	libevent_global_shutdown();
	return 0;
}
