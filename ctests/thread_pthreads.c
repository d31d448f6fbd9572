/* Covers: evthread_use_pthreads, evthread_enable_lock_debugging (and its old
 * misspelled alias), evthread_make_base_notifiable; a base made after
 * evthread_use_pthreads gets a wake-up channel (one more fd), and another
 * thread can wake a loop that sleeps with nothing to do: event_active and
 * event_base_loopbreak from a second thread. */
/* ctest-libs: -levent_pthreads -lpthread */
#include <event2/event.h>
#include <event2/thread.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static struct event_base *base;
static struct event *manual;
static int fired;

static int next_fd(void)
{
	int fd = open("/dev/null", O_RDONLY);
	close(fd);
	return fd;
}

static void on_manual(evutil_socket_t fd, short what, void *arg)
{
	(void)fd; (void)arg;
	fired++;
	printf("  manual event ran in the loop, what=0x%x\n", what);
}

static void *activate_later(void *arg)
{
	(void)arg;
	usleep(100000);
	event_active(manual, EV_READ, 1);
	return NULL;
}

static void *break_later(void *arg)
{
	(void)arg;
	usleep(100000);
	event_base_loopbreak(base);
	return NULL;
}

int main(void)
{
	pthread_t t;
	struct event *never;
	int before;

	printf("evthread_use_pthreads=%d\n", evthread_use_pthreads());
	evthread_enable_lock_debugging();
	evthread_enable_lock_debuging();
	before = next_fd();
	base = event_base_new();
	printf("fds used by a threaded base=%d\n", next_fd() - before);
	printf("make_base_notifiable again=%d\n", evthread_make_base_notifiable(base));

	/* A persistent read on a pipe nobody writes keeps the loop asleep. */
	{
		int p[2];
		if (pipe(p) != 0)
			return 1;
		never = event_new(base, p[0], EV_READ | EV_PERSIST, on_manual, NULL);
		event_add(never, NULL);
		manual = event_new(base, -1, 0, on_manual, NULL);

		printf("event_active from another thread:\n");
		pthread_create(&t, NULL, activate_later, NULL);
		{
			int r = event_base_loop(base, EVLOOP_ONCE);
			printf("  loop(ONCE)=%d fired=%d\n", r, fired);
		}
		pthread_join(t, NULL);

		printf("event_base_loopbreak from another thread:\n");
		pthread_create(&t, NULL, break_later, NULL);
		{
			int r = event_base_dispatch(base);
			printf("  dispatch=%d got_break=%d\n", r, event_base_got_break(base));
		}
		pthread_join(t, NULL);

		event_free(never);
		event_free(manual);
		close(p[0]);
		close(p[1]);
	}
	event_base_free(base);
	printf("fds left after free=%d\n", next_fd() - before);
	libevent_global_shutdown();
	return 0;
}
