/* Covers: evutil_socketpair (good and bad families/types),
 * evutil_make_socket_nonblocking, evutil_make_socket_closeonexec (flags
 * read back; unopened fds, with the warnings they log),
 * evutil_make_listen_socket_reuseable, evutil_make_listen_socket_reuseable_port,
 * evutil_make_listen_socket_ipv6only, evutil_make_tcp_listen_socket_deferred
 * (options read back with getsockopt; IPv4, IPv6, UDP and non-socket fds,
 * unopened fds: return values and errno), evutil_closesocket (twice, bad
 * fds), and the socket-error macros of util.h.
 */
#include <event2/util.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#define NOFD 1000	/* never open in these tests */

static void logcb(int severity, const char *msg)
{
	printf("  log[%d]: %s\n", severity, msg);
}

static int getopt_int(int fd, int level, int name)
{
	int v = -1;
	socklen_t len = sizeof(v);
	if (getsockopt(fd, level, name, &v, &len) < 0)
		return -errno;
	return v;
}

typedef int (*optfn)(evutil_socket_t);

static void try_opt(const char *what, optfn fn, int fd, const char *fdname, int level, int name)
{
	int r;
	errno = 0;
	r = fn(fd);
	printf("%s(%s) = %d errno=%d", what, fdname, r, r < 0 ? errno : 0);
	if (fd != NOFD && fd >= 0 && level >= 0)
		printf(" readback=%d", getopt_int(fd, level, name) != 0);
	printf("\n");
}

static void all_opts(int fd, const char *fdname)
{
	try_opt("reuseable", evutil_make_listen_socket_reuseable, fd, fdname, SOL_SOCKET, SO_REUSEADDR);
	try_opt("reuseable_port", evutil_make_listen_socket_reuseable_port, fd, fdname, SOL_SOCKET, SO_REUSEPORT);
	try_opt("ipv6only", evutil_make_listen_socket_ipv6only, fd, fdname, -1, 0);
	try_opt("deferred", evutil_make_tcp_listen_socket_deferred, fd, fdname, -1, 0);
}

int main(void)
{
	evutil_socket_t sv[2] = { -1, -1 };
	int r, fl;
	char c = 0;
	int fds[2];
	int tcp4, tcp6, udp4;
	setvbuf(stdout, NULL, _IOLBF, 0);
	event_set_log_callback(logcb);

	printf("[socketpair]\n");
	r = evutil_socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	printf("socketpair(AF_UNIX, STREAM) = %d valid=%d\n", r, sv[0] >= 0 && sv[1] >= 0 && sv[0] != sv[1]);
	r = (int)send(sv[0], "x", 1, 0);
	printf("send %d", r);
	r = (int)recv(sv[1], &c, 1, 0);
	printf(" recv %d byte '%c'\n", r, c);
	{
		evutil_socket_t bad[2] = { -7, -7 };
		errno = 0;
		r = evutil_socketpair(AF_INET, SOCK_STREAM, 0, bad);
		printf("socketpair(AF_INET) = %d errno=%d\n", r, errno);
		errno = 0;
		r = evutil_socketpair(AF_UNIX, 12345, 0, bad);
		printf("socketpair(type 12345) = %d errno=%d\n", r, errno);
		r = evutil_socketpair(AF_UNIX, SOCK_DGRAM, 0, bad);
		printf("socketpair(AF_UNIX, DGRAM) = %d\n", r);
		if (r == 0) { evutil_closesocket(bad[0]); evutil_closesocket(bad[1]); }
	}

	printf("[nonblocking / closeonexec]\n");
	fl = fcntl(sv[0], F_GETFL);
	printf("before: nonblock=%d cloexec=%d\n", (fl & O_NONBLOCK) != 0, (fcntl(sv[0], F_GETFD) & FD_CLOEXEC) != 0);
	printf("make_socket_nonblocking = %d\n", evutil_make_socket_nonblocking(sv[0]));
	printf("again = %d\n", evutil_make_socket_nonblocking(sv[0]));
	printf("make_socket_closeonexec = %d\n", evutil_make_socket_closeonexec(sv[0]));
	printf("again = %d\n", evutil_make_socket_closeonexec(sv[0]));
	fl = fcntl(sv[0], F_GETFL);
	printf("after: nonblock=%d cloexec=%d\n", (fl & O_NONBLOCK) != 0, (fcntl(sv[0], F_GETFD) & FD_CLOEXEC) != 0);
	printf("other end untouched: nonblock=%d\n", (fcntl(sv[1], F_GETFL) & O_NONBLOCK) != 0);
	errno = 0;
	r = evutil_make_socket_nonblocking(-1);
	printf("make_socket_nonblocking(-1) = %d errno=%d\n", r, errno);
	errno = 0;
	r = evutil_make_socket_nonblocking(NOFD);
	printf("make_socket_nonblocking(unopened) = %d errno=%d\n", r, errno);
	errno = 0;
	r = evutil_make_socket_closeonexec(-1);
	printf("make_socket_closeonexec(-1) = %d errno=%d\n", r, errno);
	errno = 0;
	r = evutil_make_socket_closeonexec(NOFD);
	printf("make_socket_closeonexec(unopened) = %d errno=%d\n", r, errno);
	if (pipe(fds) == 0) {
		r = evutil_make_socket_nonblocking(fds[0]);
		printf("pipe: nonblocking=%d", r);
		r = evutil_make_socket_closeonexec(fds[0]);
		printf(" closeonexec=%d\n", r);
		printf("pipe flags: nonblock=%d cloexec=%d\n", (fcntl(fds[0], F_GETFL) & O_NONBLOCK) != 0,
		    (fcntl(fds[0], F_GETFD) & FD_CLOEXEC) != 0);
	}

	printf("[listen socket options]\n");
	tcp4 = socket(AF_INET, SOCK_STREAM, 0);
	tcp6 = socket(AF_INET6, SOCK_STREAM, 0);
	udp4 = socket(AF_INET, SOCK_DGRAM, 0);
	all_opts(tcp4, "tcp4");
	printf("tcp4 deferred readback=%d\n", getopt_int(tcp4, IPPROTO_TCP, TCP_DEFER_ACCEPT) > 0);
	all_opts(tcp6, "tcp6");
	printf("tcp6 v6only readback=%d deferred readback=%d\n", getopt_int(tcp6, IPPROTO_IPV6, IPV6_V6ONLY),
	    getopt_int(tcp6, IPPROTO_TCP, TCP_DEFER_ACCEPT) > 0);
	all_opts(udp4, "udp4");
	all_opts(fds[0], "pipe");
	all_opts(-1, "-1");
	all_opts(NOFD, "unopened");

	printf("[closesocket]\n");
	printf("close tcp4 = %d\n", evutil_closesocket(tcp4));
	errno = 0;
	r = evutil_closesocket(tcp4);
	printf("close tcp4 again = %d errno=%d\n", r, errno);
	errno = 0;
	r = EVUTIL_CLOSESOCKET(-1);
	printf("close -1 = %d errno=%d\n", r, errno);
	evutil_closesocket(tcp6);
	evutil_closesocket(udp4);
	evutil_closesocket(sv[0]);
	evutil_closesocket(sv[1]);
	close(fds[0]);
	close(fds[1]);

	printf("[error macros]\n");
	EVUTIL_SET_SOCKET_ERROR(ECONNREFUSED);
	printf("EVUTIL_SOCKET_ERROR=%d geterror=%d text=%s\n", EVUTIL_SOCKET_ERROR(),
	    evutil_socket_geterror(-1), evutil_socket_error_to_string(ECONNREFUSED));
	printf("EVUTIL_INVALID_SOCKET=%d\n", (int)EVUTIL_INVALID_SOCKET);

	libevent_global_shutdown();
	return 0;
}
