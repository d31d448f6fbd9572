/* Covers: evconnlistener's error path when accept fails with EMFILE (the
 * process fd limit lowered with setrlimit so no descriptor is free): the
 * error callback runs with the listener, its user pointer and
 * EVUTIL_SOCKET_ERROR() == EMFILE, the loop stays alive, and once the limit
 * is raised again the queued connections are accepted; without an error
 * callback the failure is logged as a warning instead, and accepting
 * resumes the same way; an error callback that exits the loop (as the
 * echo-server example does); an error callback that frees the listener.
 */
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/resource.h>

static struct event_base *base;
static struct rlimit saved;
static int limited;
static int accepted, errors, warnings;
static struct evconnlistener *the_lev;
static char the_arg[] = "arg";
static int exit_on_error;
static int free_on_error;

static void restore_limit(void)
{
	if (limited) {
		setrlimit(RLIMIT_NOFILE, &saved);
		limited = 0;
	}
}

/* Lower the soft limit to the lowest free descriptor: nothing new can open. */
static void exhaust_fds(void)
{
	struct rlimit rl;
	int lowest = dup(0);
	close(lowest);
	getrlimit(RLIMIT_NOFILE, &saved);
	rl = saved;
	rl.rlim_cur = (rlim_t)lowest;
	if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
		printf("setrlimit failed: errno=%d\n", errno);
	limited = 1;
	errno = 0;
	printf("  limit lowered; dup(0) now fails with %s\n", dup(0) < 0 && errno == EMFILE ? "EMFILE" : "something else");
}

static void logcb(int severity, const char *msg)
{
	printf("  log[%d]: %s\n", severity, msg);
	if (strstr(msg, "accept")) {
		warnings++;
		restore_limit();
	}
}

static void run(int ms)
{
	struct timeval tv = { 0, ms * 1000 };
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int socklen, void *arg)
{
	accepted++;
	printf("  accepted a connection (family=%d socklen=%d)\n", sa->sa_family, socklen);
	evutil_closesocket(fd);
}

static void error_cb(struct evconnlistener *lev, void *arg)
{
	int err = EVUTIL_SOCKET_ERROR();
	errors++;
	printf("  error callback: errno=%s lev_ok=%d arg_ok=%d text='%s'\n", err == EMFILE ? "EMFILE" : "other",
	    lev == the_lev, arg == the_arg, evutil_socket_error_to_string(err));
	restore_limit();
	if (exit_on_error)
		event_base_loopexit(base, NULL);
	if (free_on_error) {
		evconnlistener_free(lev);
		the_lev = NULL;
		printf("  (error callback freed the listener)\n");
	}
}

static int connect_client(int port)
{
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		printf("connect failed: errno=%d\n", errno);
	return fd;
}

int main(void)
{
	struct sockaddr_in sin;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int port, c1, c2, c3, c4, c5;
	setvbuf(stdout, NULL, _IOLBF, 0);
	event_set_log_callback(logcb);
	base = event_base_new();

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	the_lev = evconnlistener_new_bind(base, accept_cb, the_arg, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1,
	    (struct sockaddr *)&sin, sizeof(sin));
	getsockname(evconnlistener_get_fd(the_lev), (struct sockaddr *)&ss, &len);
	port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
	evconnlistener_set_error_cb(the_lev, error_cb);

	printf("[error callback]\n");
	c1 = connect_client(port);
	c2 = connect_client(port);
	exhaust_fds();
	run(150);
	printf("  errors=%d accepted=%d\n", errors, accepted);

	printf("[no error callback: warning]\n");
	evconnlistener_set_error_cb(the_lev, NULL);
	c3 = connect_client(port);
	exhaust_fds();
	run(150);
	printf("  warnings=%d accepted=%d\n", warnings, accepted);

	printf("[error callback exits the loop]\n");
	evconnlistener_set_error_cb(the_lev, error_cb);
	exit_on_error = 1;
	c4 = connect_client(port);
	exhaust_fds();
	event_base_dispatch(base);
	printf("  loop returned; errors=%d accepted=%d\n", errors, accepted);
	run(100);
	printf("  after another run: accepted=%d\n", accepted);

	printf("[error callback frees the listener]\n");
	exit_on_error = 0;
	free_on_error = 1;
	c5 = connect_client(port);
	exhaust_fds();
	printf("  dispatch = %d\n", event_base_dispatch(base));
	printf("  errors=%d accepted=%d listener=%s\n", errors, accepted, the_lev ? "alive" : "freed");
	restore_limit();

	close(c1);
	close(c2);
	close(c3);
	close(c4);
	close(c5);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
