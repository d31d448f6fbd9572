/* Covers: evconnlistener_new_bind flags and bad input: LEV_OPT_REUSEABLE_PORT
 * (two listeners on one port, connections reach them), a port already in
 * use (NULL, errno EADDRINUSE, with and without LEV_OPT_REUSEABLE),
 * LEV_OPT_BIND_IPV6ONLY on [::] (IPv4 peers refused; dual stack without
 * it), LEV_OPT_DEFERRED_ACCEPT (option set on the socket),
 * LEV_OPT_THREADSAFE (accepted, works without threads), an AF_UNIX
 * listener (socket length of an unnamed peer), NULL sockaddr, socket
 * lengths too small, backlog 0, a NULL base (warnings, no crash).
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
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <sys/socket.h>
#include <sys/un.h>

static struct event_base *base;
static int accepted[2];
static int quiet;	/* which of two REUSEPORT listeners gets a peer is the kernel's choice */

static void logcb(int severity, const char *msg)
{
	printf("  log[%d]: %s\n", severity, msg);
}

static void run(int ms)
{
	struct timeval tv = { 0, ms * 1000 };
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void accept_cb(struct evconnlistener *lev, evutil_socket_t fd, struct sockaddr *sa, int socklen, void *arg)
{
	int which = arg ? *(int *)arg : 0;
	char text[64] = "";
	accepted[which]++;
	if (sa->sa_family == AF_INET)
		evutil_inet_ntop(AF_INET, &((struct sockaddr_in *)sa)->sin_addr, text, sizeof(text));
	else if (sa->sa_family == AF_INET6)
		evutil_inet_ntop(AF_INET6, &((struct sockaddr_in6 *)sa)->sin6_addr, text, sizeof(text));
	if (!quiet)
		printf("  accept on #%d: family=%d socklen=%d %s\n", which, sa->sa_family, socklen, text);
	evutil_closesocket(fd);
}

static int local_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	getsockname(fd, (struct sockaddr *)&ss, &len);
	if (ss.ss_family == AF_INET) return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static struct sockaddr_in v4(int port)
{
	struct sockaddr_in sin;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons(port);
	return sin;
}

static struct sockaddr_in6 v6(const struct in6_addr *a, int port)
{
	struct sockaddr_in6 sin6;
	memset(&sin6, 0, sizeof(sin6));
	sin6.sin6_family = AF_INET6;
	sin6.sin6_addr = *a;
	sin6.sin6_port = htons(port);
	return sin6;
}

/* Connect and keep the socket open; -errno on failure. */
static int client(const struct sockaddr *sa, socklen_t len)
{
	int fd = socket(sa->sa_family, SOCK_STREAM, 0);
	if (connect(fd, sa, len) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static struct evconnlistener *bind_v4(unsigned flags, int port, int *which)
{
	struct sockaddr_in sin = v4(port);
	return evconnlistener_new_bind(base, accept_cb, which, flags, -1, (struct sockaddr *)&sin, sizeof(sin));
}

int main(void)
{
	struct evconnlistener *a, *b;
	int port, i, fds[8], r;
	static int zero = 0, one = 1;
	setvbuf(stdout, NULL, _IOLBF, 0);
	event_set_log_callback(logcb);
	base = event_base_new();

	printf("[REUSEABLE_PORT]\n");
	a = bind_v4(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE_PORT, 0, &zero);
	port = local_port(evconnlistener_get_fd(a));
	b = bind_v4(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE_PORT, port, &one);
	printf("  first %s, second on the same port %s\n", a ? "ok" : "NULL", b ? "ok" : "NULL");
	{
		int v = 0;
		socklen_t len = sizeof(v);
		getsockopt(evconnlistener_get_fd(a), SOL_SOCKET, SO_REUSEPORT, &v, &len);
		printf("  SO_REUSEPORT=%d\n", v != 0);
	}
	for (i = 0; i < 6; i++) {
		struct sockaddr_in sin = v4(port);
		fds[i] = client((struct sockaddr *)&sin, sizeof(sin));
	}
	quiet = 1;
	run(150);
	quiet = 0;
	printf("  accepted in total %d\n", accepted[0] + accepted[1]);
	for (i = 0; i < 6; i++) close(fds[i]);
	evconnlistener_free(b);

	printf("[port in use]\n");
	errno = 0;
	b = bind_v4(LEV_OPT_CLOSE_ON_FREE, port, &one);
	printf("  plain: %s errno=%s\n", b ? "ok" : "NULL", errno == EADDRINUSE ? "EADDRINUSE" : "other");
	errno = 0;
	b = bind_v4(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE, port, &one);
	printf("  REUSEABLE: %s errno=%s\n", b ? "ok" : "NULL", errno == EADDRINUSE ? "EADDRINUSE" : "other");
	evconnlistener_free(a);
	accepted[0] = accepted[1] = 0;

	printf("[BIND_IPV6ONLY]\n");
	for (i = 0; i < 2; i++) {
		struct sockaddr_in6 any = v6(&in6addr_any, 0);
		struct sockaddr_in sin;
		struct sockaddr_in6 lo6;
		int fd4, fd6, only = -1;
		socklen_t len = sizeof(only);
		a = evconnlistener_new_bind(base, accept_cb, &zero, LEV_OPT_CLOSE_ON_FREE | (i ? LEV_OPT_BIND_IPV6ONLY : 0),
		    -1, (struct sockaddr *)&any, sizeof(any));
		getsockopt(evconnlistener_get_fd(a), IPPROTO_IPV6, IPV6_V6ONLY, &only, &len);
		printf(" %s: listener %s, IPV6_V6ONLY=%d\n", i ? "with flag" : "without flag", a ? "ok" : "NULL", only);
		port = local_port(evconnlistener_get_fd(a));
		sin = v4(port);
		lo6 = v6(&in6addr_loopback, port);
		fd4 = client((struct sockaddr *)&sin, sizeof(sin));
		printf("  connect 127.0.0.1: %s\n", fd4 >= 0 ? "ok" : fd4 == -ECONNREFUSED ? "ECONNREFUSED" : "other error");
		fd6 = client((struct sockaddr *)&lo6, sizeof(lo6));
		printf("  connect ::1: %s\n", fd6 >= 0 ? "ok" : "error");
		run(100);
		if (fd4 >= 0) close(fd4);
		if (fd6 >= 0) close(fd6);
		evconnlistener_free(a);
	}

	printf("[DEFERRED_ACCEPT, THREADSAFE]\n");
	a = bind_v4(LEV_OPT_CLOSE_ON_FREE | LEV_OPT_DEFERRED_ACCEPT | LEV_OPT_THREADSAFE, 0, &zero);
	{
		int v = 0;
		socklen_t len = sizeof(v);
		getsockopt(evconnlistener_get_fd(a), IPPROTO_TCP, TCP_DEFER_ACCEPT, &v, &len);
		printf("  listener %s TCP_DEFER_ACCEPT set=%d\n", a ? "ok" : "NULL", v > 0);
	}
	port = local_port(evconnlistener_get_fd(a));
	{
		struct sockaddr_in sin = v4(port);
		fds[0] = client((struct sockaddr *)&sin, sizeof(sin));
		r = (int)send(fds[0], "hi", 2, 0);
		printf("  client sent %d\n", r);
		run(150);
		close(fds[0]);
	}
	evconnlistener_free(a);

	printf("[AF_UNIX]\n");
	{
		struct sockaddr_un sun;
		int c;
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		snprintf(sun.sun_path, sizeof(sun.sun_path), "listener_flags.sock.%d", (int)getpid());
		unlink(sun.sun_path);
		a = evconnlistener_new_bind(base, accept_cb, &zero, LEV_OPT_CLOSE_ON_FREE, 4, (struct sockaddr *)&sun, sizeof(sun));
		printf("  listener %s\n", a ? "ok" : "NULL");
		c = client((struct sockaddr *)&sun, sizeof(sun));
		run(100);
		if (c >= 0) close(c);
		if (a) evconnlistener_free(a);
		unlink(sun.sun_path);
	}

	printf("[bad input]\n");
	errno = 0;
	a = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE, -1, NULL, 0);
	printf("  NULL sockaddr: %s errno=%s\n", a ? "ok" : "NULL", errno == EAFNOSUPPORT ? "EAFNOSUPPORT" : "other");
	{
		struct sockaddr_in sin = v4(0);
		struct sockaddr_in6 sin6 = v6(&in6addr_loopback, 0);
		int lens[] = { 0, 1, 2, (int)sizeof(sin) - 1 };
		for (i = 0; i < 4; i++) {
			errno = 0;
			a = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE, -1, (struct sockaddr *)&sin, lens[i]);
			printf("  v4 socklen %d: %s errno=%s\n", lens[i], a ? "ok" : "NULL", errno == EINVAL ? "EINVAL" : "other");
			if (a) evconnlistener_free(a);
		}
		errno = 0;
		a = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE, -1, (struct sockaddr *)&sin6, sizeof(sin6) - 1);
		printf("  v6 socklen %d: %s errno=%s\n", (int)sizeof(sin6) - 1, a ? "ok" : "NULL", errno == EINVAL ? "EINVAL" : "other");
		if (a) evconnlistener_free(a);
		errno = 0;
		a = evconnlistener_new_bind(base, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE, 0, (struct sockaddr *)&sin, sizeof(sin));
		printf("  backlog 0: %s errno=%d\n", a ? "ok" : "NULL", errno);
		printf("  NULL base:\n");
		a = evconnlistener_new_bind(NULL, accept_cb, NULL, LEV_OPT_CLOSE_ON_FREE, -1, (struct sockaddr *)&sin, sizeof(sin));
		printf("  -> %s, base %s\n", a ? "ok" : "NULL", a && evconnlistener_get_base(a) == NULL ? "NULL" : "set");
		if (a) {
			printf("  disable = %d\n", evconnlistener_disable(a));
			evconnlistener_free(a);
		}
	}

	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
