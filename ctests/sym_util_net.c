/* Covers: libevent_core's exported internal address and socket helpers:
 * evutil_format_sockaddr_port_ (v4, v6, other families, short buffers),
 * evutil_sockaddr_is_loopback_, evutil_v4addr_is_local_,
 * evutil_v6addr_is_local_, evutil_socket_connect_ (connected / in progress /
 * refused, making the socket or using the caller's),
 * evutil_socket_finished_connecting_, evutil_socket_, evutil_accept4_,
 * evutil_eventfd_, evutil_make_internal_pipe_, evutil_open_closeonexec_,
 * evutil_read_file_, evutil_getenv_, evutil_memclear_, evutil_usleep_,
 * evutil_configure_monotonic_time_ / evutil_gettime_monotonic_ on the
 * caller's struct evutil_monotonic_timer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include <event2/event.h>
#include <event2/util.h>

/* util-internal.h's flags: the system's on Linux. */
#define EVUTIL_SOCK_NONBLOCK SOCK_NONBLOCK
#define EVUTIL_SOCK_CLOEXEC SOCK_CLOEXEC
#define EVUTIL_EFD_NONBLOCK EFD_NONBLOCK
#define EVUTIL_EFD_CLOEXEC EFD_CLOEXEC
const char *evutil_format_sockaddr_port_(const struct sockaddr *sa, char *out, size_t outlen);
int evutil_sockaddr_is_loopback_(const struct sockaddr *sa);
int evutil_v4addr_is_local_(const struct in_addr *in);
int evutil_v6addr_is_local_(const struct in6_addr *in);
int evutil_socket_connect_(evutil_socket_t *fd_ptr, const struct sockaddr *sa, int socklen);
int evutil_socket_finished_connecting_(evutil_socket_t fd);
evutil_socket_t evutil_socket_(int domain, int type, int protocol);
evutil_socket_t evutil_accept4_(evutil_socket_t sockfd, struct sockaddr *addr, ev_socklen_t *addrlen, int flags);
evutil_socket_t evutil_eventfd_(unsigned initval, int flags);
int evutil_make_internal_pipe_(evutil_socket_t fd[2]);
int evutil_open_closeonexec_(const char *pathname, int flags, unsigned mode);
int evutil_read_file_(const char *filename, char **content_out, size_t *len_out, int is_binary);
const char *evutil_getenv_(const char *name);
void evutil_memclear_(void *mem, size_t len);
void evutil_usleep_(const struct timeval *tv);
/* libevent's private struct on Linux. */
struct evutil_monotonic_timer {
	int monotonic_clock;
	struct timeval adjust_monotonic_clock;
	struct timeval last_time;
};
int evutil_configure_monotonic_time_(struct evutil_monotonic_timer *mt, int flags);
int evutil_gettime_monotonic_(struct evutil_monotonic_timer *mt, struct timeval *tp);

static void fmt(const char *text)
{
	struct sockaddr_storage ss;
	int len = sizeof(ss);
	char out[64], shortbuf[8];
	memset(&ss, 0, sizeof(ss));
	if (evutil_parse_sockaddr_port(text, (struct sockaddr *)&ss, &len) < 0) {
		printf("parse %s failed\n", text);
		return;
	}
	printf("%-26s -> \"%s\" short=\"%s\" loopback=%d\n", text,
	    evutil_format_sockaddr_port_((struct sockaddr *)&ss, out, sizeof(out)),
	    evutil_format_sockaddr_port_((struct sockaddr *)&ss, shortbuf, sizeof(shortbuf)),
	    evutil_sockaddr_is_loopback_((struct sockaddr *)&ss));
}

static void v4(const char *text)
{
	struct in_addr a;
	inet_pton(AF_INET, text, &a);
	printf("v4 %-16s local=%d\n", text, evutil_v4addr_is_local_(&a));
}

static void v6(const char *text)
{
	struct in6_addr a;
	inet_pton(AF_INET6, text, &a);
	printf("v6 %-22s local=%d\n", text, evutil_v6addr_is_local_(&a));
}

static int nonblocking(int fd) { return (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0; }
static int cloexec(int fd) { return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0; }

static void connects(void)
{
	struct sockaddr_in sin, bound;
	socklen_t blen = sizeof(bound);
	evutil_socket_t lfd, fd = -1, fd2, a;
	int r;
	struct pollfd p;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	lfd = evutil_socket_(AF_INET, SOCK_STREAM | EVUTIL_SOCK_NONBLOCK | EVUTIL_SOCK_CLOEXEC, 0);
	printf("socket_: ok=%d nonblock=%d cloexec=%d\n", lfd >= 0, nonblocking(lfd), cloexec(lfd));
	bind(lfd, (struct sockaddr *)&sin, sizeof(sin));
	listen(lfd, 8);
	getsockname(lfd, (struct sockaddr *)&bound, &blen);

	r = evutil_socket_connect_(&fd, (struct sockaddr *)&bound, sizeof(bound));
	printf("connect_ made a socket: r in {0,1}=%d fd set=%d nonblock=%d\n", r == 0 || r == 1, fd >= 0,
	    nonblocking(fd));
	p.fd = fd;
	p.events = POLLOUT;
	poll(&p, 1, 2000);
	printf("finished_connecting=%d\n", evutil_socket_finished_connecting_(fd));
	a = evutil_accept4_(lfd, NULL, NULL, EVUTIL_SOCK_NONBLOCK | EVUTIL_SOCK_CLOEXEC);
	printf("accept4_: ok=%d nonblock=%d cloexec=%d\n", a >= 0, nonblocking(a), cloexec(a));
	evutil_closesocket(a);
	evutil_closesocket(fd);

	/* A refused port: the listener closed. */
	evutil_closesocket(lfd);
	fd = -1;
	r = evutil_socket_connect_(&fd, (struct sockaddr *)&bound, sizeof(bound));
	/* The kernel may say so at once (2) or only later (0, then -1 with
	 * ECONNREFUSED from finished_connecting_); either is a refusal. */
	if (r == 0) {
		p.fd = fd;
		p.events = POLLOUT;
		poll(&p, 1, 2000);
		errno = 0;
		r = evutil_socket_finished_connecting_(fd);
		printf("refused: %d\n", r == -1 && errno == ECONNREFUSED);
	} else {
		printf("refused: %d\n", r == 2 && fd >= 0);
	}
	if (fd >= 0)
		evutil_closesocket(fd);

	/* The caller's own socket, of the wrong family: error, socket kept. */
	fd2 = socket(AF_UNIX, SOCK_STREAM, 0);
	fd = fd2;
	r = evutil_socket_connect_(&fd, (struct sockaddr *)&bound, sizeof(bound));
	printf("caller's AF_UNIX socket: r=%d fd kept=%d\n", r, fd == fd2);
	close(fd2);
	/* A family socket() refuses: error, *fd back to -1. */
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = 12345;
	fd = -1;
	r = evutil_socket_connect_(&fd, (struct sockaddr *)&sin, sizeof(sin));
	printf("bad family: r=%d fd=%d\n", r, fd);
}

static void files(void)
{
	char path[] = "/tmp/sym_util_netXXXXXX";
	int fd = mkstemp(path), rfd, r;
	char *content = (char *)1;
	size_t len = 99;
	evutil_socket_t pipefd[2], efd;
	ev_uint64_t v = 0;

	write(fd, "line one\nline\0two\n", 19);
	close(fd);
	rfd = evutil_open_closeonexec_(path, O_RDONLY, 0);
	printf("open_closeonexec: ok=%d cloexec=%d\n", rfd >= 0, cloexec(rfd));
	close(rfd);
	r = evutil_read_file_(path, &content, &len, 0);
	printf("read_file=%d len=%zu terminated=%d second part=\"%s\"\n", r, len, content[len] == 0, content + 14);
	free(content);
	content = (char *)1;
	len = 7;
	unlink(path);
	r = evutil_read_file_(path, &content, &len, 1);
	printf("read_file missing=%d content null=%d len=%zu\n", r, content == NULL, len);
	printf("open missing=%d\n", evutil_open_closeonexec_(path, O_RDONLY, 0));

	r = evutil_make_internal_pipe_(pipefd);
	printf("internal pipe=%d nonblock=%d,%d cloexec=%d,%d\n", r, nonblocking(pipefd[0]), nonblocking(pipefd[1]),
	    cloexec(pipefd[0]), cloexec(pipefd[1]));
	write(pipefd[1], "x", 1);
	printf("pipe carries=%d\n", (int)read(pipefd[0], &v, 8));
	close(pipefd[0]);
	close(pipefd[1]);
	efd = evutil_eventfd_(3, EVUTIL_EFD_NONBLOCK | EVUTIL_EFD_CLOEXEC);
	v = 0;
	printf("eventfd: ok=%d nonblock=%d cloexec=%d", efd >= 0, nonblocking(efd), cloexec(efd));
	r = (int)read(efd, &v, 8);
	printf(" read=%d value=%llu\n", r, (unsigned long long)v);
	close(efd);
}

static void clocks(void)
{
	static const int flags[] = { 0, EV_MONOT_PRECISE, EV_MONOT_FALLBACK, EV_MONOT_PRECISE | EV_MONOT_FALLBACK };
	int i;
	for (i = 0; i < 4; i++) {
		struct evutil_monotonic_timer mt;
		struct timeval a, b, now;
		struct timespec ts;
		long diff;
		int r;
		memset(&mt, 0, sizeof(mt));
		r = evutil_configure_monotonic_time_(&mt, flags[i]);
		evutil_gettime_monotonic_(&mt, &a);
		evutil_gettime_monotonic_(&mt, &b);
		if (mt.monotonic_clock >= 0) {
			clock_gettime(CLOCK_MONOTONIC, &ts);
			now.tv_sec = ts.tv_sec;
			now.tv_usec = ts.tv_nsec / 1000;
		} else {
			gettimeofday(&now, NULL);
		}
		diff = (now.tv_sec - b.tv_sec) * 1000000L + (now.tv_usec - b.tv_usec);
		printf("flags=%d: configure=%d clock=%d ordered=%d near the clock=%d\n", flags[i], r, mt.monotonic_clock,
		    !evutil_timercmp(&b, &a, <), diff > -100000 && diff < 100000);
	}
	{
		/* The fallback clock never goes back: a recorded later time holds. */
		struct evutil_monotonic_timer mt;
		struct timeval t;
		memset(&mt, 0, sizeof(mt));
		evutil_configure_monotonic_time_(&mt, EV_MONOT_FALLBACK);
		gettimeofday(&mt.last_time, NULL);
		mt.last_time.tv_sec += 100;
		evutil_gettime_monotonic_(&mt, &t);
		printf("fallback held at the later time=%d adjust>=99s=%d\n", evutil_timercmp(&t, &mt.last_time, ==),
		    mt.adjust_monotonic_clock.tv_sec >= 99);
	}
}

int main(void)
{
	struct sockaddr_un sun;
	char out[40], secret[16];
	struct timeval tv = { 0, 20000 }, t0, t1;
	long waited;
	int i, zero = 1;

	fmt("1.2.3.4:80");
	fmt("127.0.0.1:65535");
	fmt("127.255.0.1");
	fmt("128.0.0.1:1");
	fmt("[::1]:8080");
	fmt("[::2]:1");
	fmt("[fe80::1:2]:443");
	fmt("[::ffff:127.0.0.1]:9");
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	printf("unix -> \"%s\" loopback=%d\n", evutil_format_sockaddr_port_((struct sockaddr *)&sun, out, sizeof(out)),
	    evutil_sockaddr_is_loopback_((struct sockaddr *)&sun));
	printf("unix into 5 bytes -> \"%s\"\n", evutil_format_sockaddr_port_((struct sockaddr *)&sun, out, 5));

	v4("0.0.0.0"); v4("0.0.0.1"); v4("127.0.0.1"); v4("126.255.255.255"); v4("169.254.3.4");
	v4("169.253.0.1"); v4("224.0.0.1"); v4("239.255.255.255"); v4("240.0.0.1"); v4("10.0.0.1");
	v4("255.255.255.255"); v4("8.8.8.8");
	v6("::"); v6("::1"); v6("::ffff:1.2.3.4"); v6("0:0:0:1::"); v6("fc00::1"); v6("fd12::1"); v6("fe00::1");
	v6("fe80::1"); v6("febf::1"); v6("fec0::1"); v6("feff::1"); v6("ff02::1"); v6("2001:db8::1");
	v6("1::"); v6("e000::1");

	connects();
	files();
	clocks();

	printf("getenv_ PATH set=%d, missing=%d\n", evutil_getenv_("PATH") != NULL,
	    evutil_getenv_("SYM_UTIL_NET_NOT_SET") == NULL);
	memset(secret, 0x5a, sizeof(secret));
	evutil_memclear_(secret, sizeof(secret));
	for (i = 0; i < (int)sizeof(secret); i++)
		if (secret[i]) zero = 0;
	printf("memclear zeroed=%d\n", zero);
	gettimeofday(&t0, NULL);
	evutil_usleep_(&tv);
	gettimeofday(&t1, NULL);
	waited = (t1.tv_sec - t0.tv_sec) * 1000000L + (t1.tv_usec - t0.tv_usec);
	printf("usleep 20ms waited >=20ms=%d\n", waited >= 20000);
	evutil_usleep_(NULL);
	libevent_global_shutdown();
	return 0;
}
