/* Covers: the remaining internal names libevent_core exports that programs
 * (libevent's own tests among them) use: the data objects event_debug_mode_on_
 * and event_debug_created_threadable_ctx_, event_disable_debug_mode,
 * evbuffer_incref_ / evbuffer_incref_and_lock_ / evbuffer_decref_and_unlock_ /
 * evbuffer_invoke_callbacks_, evbuffer_get_callbacks_ (the deferred callback of
 * evbuffer_defer_callbacks), and evutil_ersatz_socketpair_.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/event_struct.h>
#include <event2/util.h>

extern int event_debug_mode_on_;
extern int event_debug_created_threadable_ctx_;
void event_disable_debug_mode(void);
void evbuffer_incref_(struct evbuffer *buf);
void evbuffer_incref_and_lock_(struct evbuffer *buf);
void evbuffer_decref_and_unlock_(struct evbuffer *buffer);
void evbuffer_invoke_callbacks_(struct evbuffer *buf);
int evbuffer_get_callbacks_(struct evbuffer *buffer, struct event_callback **cbs, int max_cbs);
int evutil_ersatz_socketpair_(int family, int type, int protocol, evutil_socket_t fd[2]);

static void on_change(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	(void)b;
	printf("  %s: added=%zu deleted=%zu orig=%zu\n", (const char *)arg, info->n_added, info->n_deleted,
	    info->orig_size);
}

static void flags(const char *when)
{
	printf("%s: debug_mode_on=%d created_threadable_ctx=%d\n", when, event_debug_mode_on_,
	    event_debug_created_threadable_ctx_);
}

int main(void)
{
	struct event_base *base;
	struct evbuffer *buf;
	evutil_socket_t fds[2] = { -1, -1 };
	char c[8];
	int r;

	flags("start");
	event_enable_debug_mode();
	flags("enabled");
	base = event_base_new();
	flags("after a base");
	event_base_free(base);
	event_disable_debug_mode();
	flags("disabled");

	buf = evbuffer_new();
	evbuffer_add_cb(buf, on_change, "cb");
	evbuffer_incref_(buf);
	evbuffer_add(buf, "abc", 3);
	evbuffer_free(buf); /* one reference left */
	printf("after free with a reference: length=%zu\n", evbuffer_get_length(buf));
	evbuffer_incref_and_lock_(buf);
	evbuffer_drain(buf, 1);
	evbuffer_decref_and_unlock_(buf); /* still one left */
	evbuffer_invoke_callbacks_(buf);
	printf("invoked again with nothing new\n");
	evbuffer_incref_and_lock_(buf);
	evbuffer_decref_and_unlock_(buf);
	evbuffer_decref_and_unlock_(buf); /* the last: frees it */
	printf("freed\n");

	{
		struct event_callback *cbs[2] = { NULL, NULL };
		struct event_base *b2 = event_base_new();
		buf = evbuffer_new();
		printf("get_callbacks_ not deferred=%d\n", evbuffer_get_callbacks_(buf, cbs, 2));
		evbuffer_defer_callbacks(buf, b2);
		r = evbuffer_get_callbacks_(buf, cbs, 2);
		printf("deferred=%d got one=%d second untouched=%d\n", r, cbs[0] != NULL, cbs[1] == NULL);
		printf("no room=%d\n", evbuffer_get_callbacks_(buf, cbs, 0));
		evbuffer_add_cb(buf, on_change, "deferred cb");
		evbuffer_add(buf, "xy", 2);
		printf("queued: pending flags active=%d\n", (cbs[0]->evcb_flags & 0x08) != 0);
		event_base_loop(b2, EVLOOP_NONBLOCK);
		evbuffer_free(buf);
		event_base_free(b2);
	}

	errno = 0;
	r = evutil_ersatz_socketpair_(AF_INET6, SOCK_STREAM, 0, fds);
	printf("ersatz AF_INET6=%d eafnosupport=%d\n", r, errno == EAFNOSUPPORT);
	errno = 0;
	r = evutil_ersatz_socketpair_(AF_INET, SOCK_STREAM, 6, fds);
	printf("ersatz protocol 6=%d eafnosupport=%d\n", r, errno == EAFNOSUPPORT);
	r = evutil_ersatz_socketpair_(AF_UNIX, SOCK_STREAM, 0, fds);
	printf("ersatz AF_UNIX=%d\n", r);
	write(fds[0], "ping", 4);
	memset(c, 0, sizeof(c));
	read(fds[1], c, 4);
	printf("  one way: %s\n", c);
	write(fds[1], "pong", 4);
	read(fds[0], c, 4);
	printf("  other way: %s\n", c);
	close(fds[0]);
	close(fds[1]);
	libevent_global_shutdown();
	return 0;
}
