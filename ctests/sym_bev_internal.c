/* Covers: libevent_core's exported internal bufferevent functions that
 * libevent_extra uses: bufferevent_get_options_, bufferevent_disable_hard_,
 * bufferevent_incref_and_lock_ / bufferevent_decref_and_unlock_,
 * bufferevent_suspend_read_ / unsuspend_read_ (and write), bufferevent_run_readcb_ /
 * writecb_ / eventcb_ (now, or deferred by the option), bufferevent_add_event_,
 * bufferevent_get_read_max_ / get_write_max_, bufferevent_decrement_read_buckets_,
 * and the connection address: bufferevent_socket_get_conn_address_ /
 * set_conn_address_ / set_conn_address_fd_, and connect_hostname recording it.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <event2/event.h>
#include <event2/event_struct.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_struct.h>

int bufferevent_get_options_(struct bufferevent *bev);
int bufferevent_disable_hard_(struct bufferevent *bufev, short event);
void bufferevent_incref_and_lock_(struct bufferevent *bufev);
int bufferevent_decref_and_unlock_(struct bufferevent *bufev);
void bufferevent_suspend_read_(struct bufferevent *bufev, ev_uint16_t what);
void bufferevent_unsuspend_read_(struct bufferevent *bufev, ev_uint16_t what);
void bufferevent_suspend_write_(struct bufferevent *bufev, ev_uint16_t what);
void bufferevent_unsuspend_write_(struct bufferevent *bufev, ev_uint16_t what);
void bufferevent_run_readcb_(struct bufferevent *bufev, int options);
void bufferevent_run_writecb_(struct bufferevent *bufev, int options);
void bufferevent_run_eventcb_(struct bufferevent *bufev, short what, int options);
int bufferevent_add_event_(struct event *ev, const struct timeval *tv);
ev_ssize_t bufferevent_get_read_max_(struct bufferevent *bev);
ev_ssize_t bufferevent_get_write_max_(struct bufferevent *bev);
int bufferevent_decrement_read_buckets_(struct bufferevent *bev, ev_ssize_t bytes);
const struct sockaddr *bufferevent_socket_get_conn_address_(struct bufferevent *bev);
void bufferevent_socket_set_conn_address_(struct bufferevent *bev, struct sockaddr *addr, size_t addrlen);
void bufferevent_socket_set_conn_address_fd_(struct bufferevent *bev, evutil_socket_t fd);

static struct event_base *base;

static void readcb(struct bufferevent *b, void *arg)
{
	printf("  %s: read cb, %zu bytes waiting\n", (const char *)arg, evbuffer_get_length(bufferevent_get_input(b)));
}
static void writecb(struct bufferevent *b, void *arg) { (void)b; printf("  %s: write cb\n", (const char *)arg); }
static void eventcb(struct bufferevent *b, short what, void *arg)
{
	(void)b;
	printf("  %s: event cb %#x\n", (const char *)arg, what);
}
static void on_timer(evutil_socket_t fd, short what, void *arg) { (void)fd; (void)what; (void)arg; printf("  timer\n"); }

static void run_ms(int ms)
{
	struct timeval tv = { 0, ms * 1000 };
	event_base_loopexit(base, &tv);
	event_base_dispatch(base);
}

static void show_addr(const char *what, const struct sockaddr *sa)
{
	char buf[64] = "";
	const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;
	if (!sa) {
		printf("%s: NULL\n", what);
		return;
	}
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &sin->sin_addr, buf, sizeof(buf));
	printf("%s: family=%d addr=%s port set=%d\n", what, sa->sa_family, buf, sa->sa_family == AF_INET && sin->sin_port != 0);
}

int main(void)
{
	evutil_socket_t pair[2], lfd;
	struct bufferevent *b, *d, *c;
	struct event ev;
	struct timeval zero = { 0, 0 };
	struct sockaddr_in sin;
	socklen_t slen = sizeof(sin);
	int port;

	base = event_base_new();
	socketpair(AF_UNIX, SOCK_STREAM, 0, pair);
	evutil_make_socket_nonblocking(pair[0]);
	b = bufferevent_socket_new(base, pair[0], BEV_OPT_CLOSE_ON_FREE);
	d = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE | BEV_OPT_DEFER_CALLBACKS | BEV_OPT_UNLOCK_CALLBACKS);
	printf("options=%#x deferred one=%#x\n", bufferevent_get_options_(b), bufferevent_get_options_(d));
	bufferevent_setcb(b, readcb, writecb, eventcb, "b");
	bufferevent_setcb(d, readcb, writecb, eventcb, "d");

	printf("run callbacks directly:\n");
	bufferevent_run_readcb_(b, 0);
	bufferevent_run_writecb_(b, 0);
	bufferevent_run_eventcb_(b, BEV_EVENT_EOF, 0);
	printf("  (deferring ones follow)\n");
	bufferevent_run_eventcb_(b, BEV_EVENT_ERROR, BEV_OPT_DEFER_CALLBACKS);
	bufferevent_run_readcb_(d, 0);
	printf("  nothing yet\n");
	run_ms(10);

	printf("suspended reading:\n");
	bufferevent_enable(b, EV_READ);
	bufferevent_suspend_read_(b, 0x01);
	bufferevent_suspend_read_(b, 0x08);
	write(pair[1], "hello", 5);
	run_ms(20);
	bufferevent_unsuspend_read_(b, 0x01);
	run_ms(20);
	printf("  one reason left, still nothing\n");
	bufferevent_unsuspend_read_(b, 0x08);
	run_ms(20);
	bufferevent_suspend_write_(b, 0x02);
	bufferevent_write(b, "x", 1);
	run_ms(20);
	printf("  write suspended: output %zu\n", evbuffer_get_length(bufferevent_get_output(b)));
	bufferevent_unsuspend_write_(b, 0x02);
	run_ms(20);
	printf("  resumed: output %zu\n", evbuffer_get_length(bufferevent_get_output(b)));

	printf("references:\n");
	bufferevent_incref_and_lock_(b);
	printf("  decref_and_unlock=%d\n", bufferevent_decref_and_unlock_(b));
	printf("  read max=%ld write max=%ld\n", (long)bufferevent_get_read_max_(b), (long)bufferevent_get_write_max_(b));
	printf("  decrement buckets (no limit)=%d\n", bufferevent_decrement_read_buckets_(b, 100));
	{
		struct ev_token_bucket_cfg *cfg = ev_token_bucket_cfg_new(1000, 1000, 500, 500, NULL);
		bufferevent_set_rate_limit(b, cfg);
		printf("  limited: read max=%ld\n", (long)bufferevent_get_read_max_(b));
		bufferevent_decrement_read_buckets_(b, 300);
		printf("  after 300: read max=%ld limit=%ld\n", (long)bufferevent_get_read_max_(b),
		    (long)bufferevent_get_read_limit(b));
		bufferevent_set_rate_limit(b, NULL);
		ev_token_bucket_cfg_free(cfg);
	}

	printf("add_event_ with a zero timeval: ");
	evtimer_assign(&ev, base, on_timer, NULL);
	printf("r=%d pending timeout=%d\n", bufferevent_add_event_(&ev, &zero), event_pending(&ev, EV_TIMEOUT, NULL));
	event_del(&ev);

	printf("connection address:\n");
	show_addr("  fresh", bufferevent_socket_get_conn_address_(d));
	lfd = socket(AF_INET, SOCK_STREAM, 0);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	bind(lfd, (struct sockaddr *)&sin, sizeof(sin));
	listen(lfd, 4);
	getsockname(lfd, (struct sockaddr *)&sin, &slen);
	port = ntohs(sin.sin_port);
	{
		evutil_socket_t cfd = socket(AF_INET, SOCK_STREAM, 0), afd;
		connect(cfd, (struct sockaddr *)&sin, sizeof(sin));
		afd = accept(lfd, NULL, NULL);
		bufferevent_socket_set_conn_address_fd_(d, cfd);
		show_addr("  set_fd on an unset record", bufferevent_socket_get_conn_address_(d));
		sin.sin_addr.s_addr = htonl(0x0a000001);
		bufferevent_socket_set_conn_address_(d, (struct sockaddr *)&sin, sizeof(sin));
		show_addr("  set", bufferevent_socket_get_conn_address_(d));
		bufferevent_socket_set_conn_address_(d, (struct sockaddr *)&sin, 200);
		show_addr("  too long ignored", bufferevent_socket_get_conn_address_(d));
		bufferevent_socket_set_conn_address_fd_(d, cfd);
		show_addr("  set_fd after", bufferevent_socket_get_conn_address_(d));
		close(cfd);
		close(afd);
	}
	c = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	bufferevent_setcb(c, NULL, NULL, eventcb, "c");
	printf("  connect_hostname=%d\n", bufferevent_socket_connect_hostname(c, NULL, AF_INET, "127.0.0.1", port));
	show_addr("  after connect_hostname", bufferevent_socket_get_conn_address_(c));
	printf("  connecting; disable_hard(EV_WRITE)=%d\n", bufferevent_disable_hard_(c, EV_WRITE));
	run_ms(30);
	printf("  enabled=%#x\n", bufferevent_get_enabled(c));
	bufferevent_free(c);
	close(lfd);

	bufferevent_free(b);
	bufferevent_free(d);
	close(pair[1]);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
