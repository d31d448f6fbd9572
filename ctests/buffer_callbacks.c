/* Covers: evbuffer_add_cb (newest first), the orig_size / n_added /
 * n_deleted each operation reports (add, prepend, drain, remove, readln,
 * add_buffer, prepend_buffer, remove_buffer, commit, printf, references,
 * and operations that report nothing: pullup, reserve, expand, failed
 * frozen operations), evbuffer_cb_clear_flags / evbuffer_cb_set_flags
 * (EVBUFFER_CB_ENABLED), evbuffer_remove_cb_entry, evbuffer_remove_cb,
 * callbacks that remove themselves or change the buffer while running,
 * evbuffer_setcb (1.x old/new lengths), evbuffer_defer_callbacks
 * (coalesced in the loop, the non-deferred flag, freeing a buffer whose
 * deferred callback is pending) and a callback counting drained MiB.
 */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cb(struct evbuffer *b, const struct evbuffer_cb_info *i, void *arg)
{
	printf("    cb %s: orig=%zu added=%zu deleted=%zu now=%zu\n", (const char *)arg,
	    i->orig_size, i->n_added, i->n_deleted, evbuffer_get_length(b));
}

static struct evbuffer_cb_entry *self_entry;
static void self_removing(struct evbuffer *b, const struct evbuffer_cb_info *i, void *arg)
{
	printf("    self-removing cb: deleted=%zu added=%zu, remove -> %d\n", i->n_deleted, i->n_added,
	    evbuffer_remove_cb_entry(b, self_entry));
	(void)arg;
}

static int depth;
static void adding(struct evbuffer *b, const struct evbuffer_cb_info *i, void *arg)
{
	printf("    adding cb depth %d: orig=%zu added=%zu deleted=%zu\n", depth, i->orig_size, i->n_added, i->n_deleted);
	(void)arg;
	if (depth < 2) {
		depth++;
		evbuffer_add(b, "+", 1);
		depth--;
	}
}

static void old_cb(struct evbuffer *b, size_t old_len, size_t new_len, void *arg)
{
	(void)b;
	printf("    old-style cb %s: %zu -> %zu\n", (const char *)arg, old_len, new_len);
}

/* Prints a dot for every MiB crossed by the running total of deletions. */
static void mib_dots(struct evbuffer *b, const struct evbuffer_cb_info *i, void *arg)
{
	size_t *total = arg, before = *total;
	(void)b;
	*total += i->n_deleted;
	for (before >>= 20; before < (*total >> 20); before++)
		putchar('.');
}

static void cleanup(const void *data, size_t len, void *arg)
{
	(void)data;
	printf("    cleanup %s len=%zu\n", (const char *)arg, len);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
	struct evbuffer_cb_entry *e1, *e2;
	struct evbuffer_iovec v;
	char tmp[64];
	char *line;
	static char big[1 << 20];

	e1 = evbuffer_add_cb(a, cb, "one");
	e2 = evbuffer_add_cb(a, cb, "two");
	evbuffer_add_cb(b, cb, "B");
	printf("add 5\n");
	evbuffer_add(a, "hello", 5);
	printf("add 0\n");
	evbuffer_add(a, "", 0);
	printf("prepend 3\n");
	evbuffer_prepend(a, ">> ", 3);
	printf("drain 2\n");
	evbuffer_drain(a, 2);
	printf("drain 0\n");
	evbuffer_drain(a, 0);
	printf("remove 3\n");
	evbuffer_remove(a, tmp, 3);
	printf("add line\n");
	evbuffer_add(a, "\r\nsecond\r\nthird", 15);
	printf("readln (empty line first)\n");
	line = evbuffer_readln(a, NULL, EVBUFFER_EOL_CRLF);
	free(line);
	printf("readln\n");
	line = evbuffer_readln(a, NULL, EVBUFFER_EOL_CRLF);
	printf("  got '%s'\n", line);
	free(line);
	printf("pullup, reserve, expand (nothing)\n");
	evbuffer_pullup(a, -1);
	evbuffer_reserve_space(a, 100, &v, 1);
	evbuffer_expand(a, 5000);
	printf("commit 4\n");
	evbuffer_reserve_space(a, 100, &v, 1);
	memcpy(v.iov_base, "4444", 4);
	v.iov_len = 4;
	evbuffer_commit_space(a, &v, 1);
	printf("printf\n");
	evbuffer_add_printf(a, "[%d]", 42);
	printf("add_reference\n");
	evbuffer_add_reference(a, "ref", 3, cleanup, "ref");
	printf("add_buffer(b, a)\n");
	evbuffer_add_buffer(b, a);
	printf("prepend_buffer(a, b)\n");
	evbuffer_prepend_buffer(a, b);
	printf("remove_buffer(a, b, 4)\n");
	evbuffer_remove_buffer(a, b, 4);
	printf("remove_buffer(a, b, 100)\n");
	evbuffer_remove_buffer(a, b, 100);
	printf("frozen add (nothing)\n");
	evbuffer_freeze(b, 0);
	evbuffer_add(b, "x", 1);
	evbuffer_unfreeze(b, 0);

	printf("disable 'one'\n");
	printf("  clear -> %d\n", evbuffer_cb_clear_flags(a, e1, EVBUFFER_CB_ENABLED));
	evbuffer_add(a, "x", 1);
	printf("enable 'one', remove 'two' entry\n");
	printf("  set -> %d, remove -> %d\n", evbuffer_cb_set_flags(a, e1, EVBUFFER_CB_ENABLED),
	    evbuffer_remove_cb_entry(a, e2));
	evbuffer_add(a, "y", 1);
	printf("remove_cb(one) -> %d, again -> %d, wrong arg -> %d\n", evbuffer_remove_cb(a, cb, "one"),
	    evbuffer_remove_cb(a, cb, "one"), evbuffer_remove_cb(b, cb, "nope"));
	evbuffer_add(a, "z", 1);

	printf("self-removing callback\n");
	evbuffer_add_cb(a, cb, "after");
	self_entry = evbuffer_add_cb(a, self_removing, NULL);
	evbuffer_add_cb(a, cb, "before");
	evbuffer_drain(a, 1);
	evbuffer_drain(a, 1);
	evbuffer_remove_cb(a, cb, "after");
	evbuffer_remove_cb(a, cb, "before");

	printf("callback that adds\n");
	evbuffer_add_cb(a, adding, NULL);
	evbuffer_add(a, "!", 1);
	evbuffer_remove_cb(a, adding, NULL);

	printf("setcb\n");
	printf("  setcb -> %d\n", evbuffer_setcb(a, old_cb, "old"));
	evbuffer_add(a, "12345", 5);
	evbuffer_drain(a, 3);
	printf("  setcb replaces -> %d\n", evbuffer_setcb(a, old_cb, "old2"));
	evbuffer_add(a, "6", 1);
	printf("  setcb NULL -> %d\n", evbuffer_setcb(a, NULL, NULL));
	evbuffer_add(a, "7", 1);

	printf("deferred callbacks\n");
	evbuffer_add_cb(a, cb, "deferred");
	printf("  defer -> %d\n", evbuffer_defer_callbacks(a, base));
	evbuffer_add(a, "abc", 3);
	evbuffer_drain(a, 2);
	evbuffer_add(a, "defg", 4);
	printf("  before loop\n");
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("  after loop\n");
	e1 = evbuffer_add_cb(a, cb, "nodefer");
	evbuffer_cb_set_flags(a, e1, 2);
	evbuffer_add(a, "h", 1);
	evbuffer_drain(a, 1);
	printf("  before loop\n");
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("  after loop\n");
	evbuffer_add_reference(a, "deferred-ref", 12, cleanup, "deferred-ref");
	evbuffer_add(a, "i", 1);
	printf("  free with a deferred callback pending\n");
	evbuffer_free(a);
	printf("  loop\n");
	event_base_loop(base, EVLOOP_NONBLOCK);
	printf("  after loop\n");

	printf("MiB counter\n");
	{
		size_t total = 0;
		struct evbuffer *m = evbuffer_new();
		int k;
		evbuffer_add_cb(m, mib_dots, &total);
		for (k = 0; k < 5; k++) {
			evbuffer_add(m, big, sizeof(big) / 2 + 1000);
			evbuffer_drain(m, sizeof(big) / 2 + 700);
		}
		evbuffer_drain(m, evbuffer_get_length(m));
		printf("\n  total %zu\n", total);
		evbuffer_free(m);
	}

	evbuffer_free(b);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
