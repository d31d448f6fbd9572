/* Covers: evconnlistener_new_bind on 127.0.0.1 and [::1] (port 0) with real
 * connections: callback arguments (listener, address family/length, the
 * peer's address and port, user pointer), accepted sockets' O_NONBLOCK and
 * FD_CLOEXEC under LEV_OPT_LEAVE_SOCKETS_BLOCKING / LEV_OPT_CLOSE_ON_EXEC,
 * the listening socket's own options (SO_KEEPALIVE, SO_REUSEADDR,
 * non-blocking, close-on-exec), evconnlistener_get_base/get_fd,
 * evconnlistener_disable/enable stopping and resuming accepts,
 * LEV_OPT_DISABLED, a listener created without a callback and given one
 * with evconnlistener_set_cb, evconnlistener_set_cb(NULL) closing new
 * connections, a callback that disables the listener or frees it,
 * LEV_OPT_CLOSE_ON_FREE vs. not, evconnlistener_new on an existing socket
 * with backlog > 0, 0 and -1.
 */
#include <event2/event.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#define MAXC 16
static int client_fd[MAXC];
static int client_port[MAXC];
static int nclients;
static int accepted;
static struct evconnlistener *expect_lev;
static struct event_base *base;
static const char *tag;

enum { ACT_NONE, ACT_DISABLE, ACT_FREE };
static int action;

static int port_of(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET) return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6) return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return -1;
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0) return -1;
	return port_of((struct sockaddr *)&ss);
}

static void run(int ms)
{
	struct timeval tv = { 0, ms * 1000 };
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int socklen, void *arg)
{
	char text[64] = "?";
	int i, who = -1, fl, fdfl;
	int port = port_of(sa);
	if (sa->sa_family == AF_INET)
		evutil_inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, text, sizeof(text));
	else if (sa->sa_family == AF_INET6)
		evutil_inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof(text));
	for (i = 0; i < nclients; i++)
		if (client_port[i] == port) who = i;
	fl = fcntl(fd, F_GETFL);
	fdfl = fcntl(fd, F_GETFD);
	accepted++;
	printf("  accept: client #%d family=%s socklen=%d addr=%s lev_ok=%d arg=%s nonblock=%d cloexec=%d\n",
	    who, sa->sa_family == AF_INET ? "inet" : sa->sa_family == AF_INET6 ? "inet6" : "?", socklen, text,
	    lev == expect_lev, arg ? (const char *)arg : "NULL", (fl & O_NONBLOCK) != 0, (fdfl & FD_CLOEXEC) != 0);
	evutil_closesocket(fd);
	if (action == ACT_DISABLE) {
		printf("  (callback disables the listener: %d)\n", evconnlistener_disable(lev));
	} else if (action == ACT_FREE) {
		printf("  (callback frees the listener)\n");
		evconnlistener_free(lev);
		expect_lev = NULL;
	}
}

static struct evconnlistener *bind_loopback(int family, unsigned flags, int backlog, void *arg, int *port)
{
	struct evconnlistener *lev;
	if (family == AF_INET) {
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		lev = evconnlistener_new_bind(base, accept_cb, arg, flags, backlog, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		struct sockaddr_in6 sin6;
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_addr = in6addr_loopback;
		lev = evconnlistener_new_bind(base, accept_cb, arg, flags, backlog, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	if (lev)
		*port = local_port(evconnlistener_get_fd(lev));
	return lev;
}

/* A blocking client connected to the loopback port (queued in the backlog). */
static int connect_client(int family, int port)
{
	int fd = socket(family, SOCK_STREAM, 0);
	int r;
	if (family == AF_INET) {
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		sin.sin_port = htons(port);
		r = connect(fd, (struct sockaddr *)&sin, sizeof(sin));
	} else {
		struct sockaddr_in6 sin6;
		memset(&sin6, 0, sizeof(sin6));
		sin6.sin6_family = AF_INET6;
		sin6.sin6_addr = in6addr_loopback;
		sin6.sin6_port = htons(port);
		r = connect(fd, (struct sockaddr *)&sin6, sizeof(sin6));
	}
	if (r < 0) {
		printf("  connect failed: errno=%d\n", errno);
		close(fd);
		return -1;
	}
	client_fd[nclients] = fd;
	client_port[nclients] = local_port(fd);
	nclients++;
	return fd;
}

static void close_clients(void)
{
	int i;
	for (i = 0; i < nclients; i++)
		if (client_fd[i] >= 0) close(client_fd[i]);
	nclients = 0;
}

/* What a client sees when it reads: data, EOF, or an error. */
static void client_reads(int i)
{
	char c;
	struct timeval tv = { 1, 0 };
	int r;
	setsockopt(client_fd[i], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	r = (int)recv(client_fd[i], &c, 1, 0);
	if (r < 0)
		printf("  client #%d reads: error %s\n", i, errno == ECONNRESET ? "ECONNRESET" : errno == EAGAIN ? "EAGAIN(timeout)" : "other");
	else
		printf("  client #%d reads: %d\n", i, r);
}

static void show_listener_fd(struct evconnlistener *lev)
{
	int fd = evconnlistener_get_fd(lev);
	int ka = 0, ra = 0;
	socklen_t len = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &ka, &len);
	len = sizeof(int);
	getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &ra, &len);
	printf("  listener fd: valid=%d keepalive=%d reuseaddr=%d nonblock=%d cloexec=%d base_ok=%d\n", fd >= 0,
	    ka != 0, ra != 0, (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0,
	    evconnlistener_get_base(lev) == base);
}

static void section(const char *name)
{
	printf("[%s]\n", name);
	accepted = 0;
	action = ACT_NONE;
	tag = name;
}

int main(void)
{
	struct evconnlistener *lev, *lev2;
	int port, fd, r, i;
	static char arg_v4[] = "v4", arg_v6[] = "v6", arg_x[] = "x";
	setvbuf(stdout, NULL, _IOLBF, 0);
	base = event_base_new();

	section("v4, CLOSE_ON_FREE|REUSEABLE, backlog -1");
	lev = expect_lev = bind_loopback(AF_INET, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, -1, arg_v4, &port);
	printf("  listener %s\n", lev ? "ok" : "NULL");
	show_listener_fd(lev);
	for (i = 0; i < 3; i++) connect_client(AF_INET, port);
	run(100);
	printf("  accepted %d\n", accepted);

	section("disable / enable");
	printf("  disable = %d\n", evconnlistener_disable(lev));
	printf("  disable again = %d\n", evconnlistener_disable(lev));
	connect_client(AF_INET, port);
	run(100);
	printf("  accepted while disabled %d\n", accepted);
	printf("  enable = %d\n", evconnlistener_enable(lev));
	run(100);
	printf("  accepted after enable %d\n", accepted);
	printf("  enable again = %d\n", evconnlistener_enable(lev));
	connect_client(AF_INET, port);
	run(100);
	printf("  accepted %d\n", accepted);

	section("callback disables the listener");
	action = ACT_DISABLE;
	for (i = 0; i < 3; i++) connect_client(AF_INET, port);
	run(100);
	printf("  accepted %d\n", accepted);
	action = ACT_NONE;
	printf("  enable = %d\n", evconnlistener_enable(lev));
	run(100);
	printf("  accepted %d\n", accepted);

	section("set_cb(NULL) closes new connections");
	evconnlistener_set_cb(lev, NULL, NULL);
	connect_client(AF_INET, port);
	run(100);
	printf("  accepted %d\n", accepted);
	client_reads(nclients - 1);
	evconnlistener_set_cb(lev, accept_cb, arg_x);
	connect_client(AF_INET, port);
	run(100);
	printf("  accepted %d\n", accepted);

	section("free with CLOSE_ON_FREE");
	fd = evconnlistener_get_fd(lev);
	evconnlistener_free(lev);
	errno = 0;
	r = fcntl(fd, F_GETFD);
	printf("  listener fd after free: %s\n", r < 0 && errno == EBADF ? "closed" : "open");
	close_clients();

	section("v6 [::1], CLOSE_ON_EXEC|LEAVE_SOCKETS_BLOCKING, no CLOSE_ON_FREE");
	lev = expect_lev = bind_loopback(AF_INET6, LEV_OPT_CLOSE_ON_EXEC | LEV_OPT_LEAVE_SOCKETS_BLOCKING, 16, arg_v6, &port);
	printf("  listener %s\n", lev ? "ok" : "NULL");
	show_listener_fd(lev);
	for (i = 0; i < 2; i++) connect_client(AF_INET6, port);
	run(100);
	printf("  accepted %d\n", accepted);
	fd = evconnlistener_get_fd(lev);
	evconnlistener_free(lev);
	r = fcntl(fd, F_GETFD);
	printf("  listener fd after free: %s\n", r < 0 ? "closed" : "open");
	close(fd);
	close_clients();

	section("LEV_OPT_DISABLED");
	lev = expect_lev = bind_loopback(AF_INET, LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DISABLED, -1, arg_x, &port);
	connect_client(AF_INET, port);
	run(100);
	printf("  accepted before enable %d\n", accepted);
	printf("  enable = %d\n", evconnlistener_enable(lev));
	run(100);
	printf("  accepted after enable %d\n", accepted);
	evconnlistener_free(lev);
	close_clients();

	section("no callback at creation, set_cb later");
	{
		struct sockaddr_in sin;
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		lev = expect_lev = evconnlistener_new_bind(base, NULL, NULL, LEV_OPT_CLOSE_ON_FREE, -1,
		    (struct sockaddr *)&sin, sizeof(sin));
		port = local_port(evconnlistener_get_fd(lev));
	}
	connect_client(AF_INET, port);
	run(100);
	printf("  accepted without callback %d\n", accepted);
	evconnlistener_set_cb(lev, accept_cb, arg_x);
	run(100);
	printf("  accepted after set_cb %d\n", accepted);
	section("set_error_cb(NULL) and disable before any connection");
	evconnlistener_set_error_cb(lev, NULL);
	printf("  disable = %d\n", evconnlistener_disable(lev));
	printf("  enable = %d\n", evconnlistener_enable(lev));
	evconnlistener_free(lev);
	close_clients();

	section("callback frees the listener with connections pending");
	lev = expect_lev = bind_loopback(AF_INET, LEV_OPT_CLOSE_ON_FREE, -1, arg_x, &port);
	for (i = 0; i < 3; i++) connect_client(AF_INET, port);
	action = ACT_FREE;
	run(100);
	printf("  accepted %d\n", accepted);
	printf("  loop still runs: %d\n", event_base_loop(base, EVLOOP_NONBLOCK));
	close_clients();

	section("evconnlistener_new on existing sockets");
	for (i = 0; i < 3; i++) {
		int backlog = i == 0 ? 8 : i == 1 ? 0 : -1;
		struct sockaddr_in sin;
		int s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
		memset(&sin, 0, sizeof(sin));
		sin.sin_family = AF_INET;
		sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		bind(s, (struct sockaddr *)&sin, sizeof(sin));
		if (backlog == 0)
			listen(s, 4);	/* backlog 0: the caller already listens */
		lev = expect_lev = evconnlistener_new(base, accept_cb, arg_x, LEV_OPT_CLOSE_ON_FREE, backlog, s);
		printf("  backlog %d: %s fd_same=%d\n", backlog, lev ? "ok" : "NULL", lev && evconnlistener_get_fd(lev) == s);
		port = local_port(s);
		connect_client(AF_INET, port);
		connect_client(AF_INET, port);
		run(100);
		printf("  accepted %d\n", accepted);
		accepted = 0;
		evconnlistener_free(lev);
		close_clients();
	}
	lev2 = evconnlistener_new(base, accept_cb, NULL, 0, 8, -1);
	printf("  fd -1, backlog 8: %s errno=%d\n", lev2 ? "ok" : "NULL", errno);
	{
		int p[2];
		if (pipe(p) == 0) {
			errno = 0;
			lev2 = evconnlistener_new(base, accept_cb, NULL, 0, 8, p[0]);
			printf("  pipe, backlog 8: %s errno=%d\n", lev2 ? "ok" : "NULL", errno);
			close(p[0]);
			close(p[1]);
		}
	}

	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
