/* Covers: evbuffer_add_reference (no copy; the cleanup runs exactly once,
 * when the last byte is gone: partial drains, full drains, remove,
 * pullup copying it out, add_buffer / remove_buffer moving it, buffer
 * free; a frozen end refuses it without cleanup; zero-length and NULL
 * cleanup references), evbuffer_add_buffer_reference (the target sees the
 * bytes, the source keeps them and stops appending into shared chains,
 * cleanups wait for every view, views of views and self references are
 * refused, empty sources, frozen targets, freeing the source first), and
 * one block shared by reference among several buffers.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void cleanup(const void *data, size_t len, void *arg)
{
	printf("    cleanup %s (len %zu, data %s)\n", (const char *)arg, len, data ? "set" : "NULL");
}

static void show(const char *tag, struct evbuffer *b)
{
	struct evbuffer_iovec v[16];
	int n = evbuffer_peek(b, -1, NULL, v, 16), i;
	char tmp[64];
	size_t l = evbuffer_get_length(b);
	if (l > 60) l = 60;
	evbuffer_copyout(b, tmp, l);
	printf("  %-3s len=%zu chains=%d:", tag, evbuffer_get_length(b), n);
	for (i = 0; i < n && i < 16; i++)
		printf(" %zu", v[i].iov_len);
	printf(" '%.*s'\n", (int)l, tmp);
}

/* One big block shared by several buffers, freed with its last user. */
struct shared_block {
	int users;
	char bytes[1 << 20];
};
static void block_release(const void *data, size_t len, void *arg)
{
	struct shared_block *sb = arg;
	(void)data;
	(void)len;
	printf("    block users %d\n", --sb->users);
	if (sb->users == 0)
		free(sb);
}
static void block_send(struct evbuffer *b, struct shared_block *sb)
{
	sb->users++;
	evbuffer_add_reference(b, sb->bytes, sizeof(sb->bytes), block_release, sb);
}

int main(void)
{
	struct evbuffer *a = evbuffer_new(), *b = evbuffer_new(), *c = evbuffer_new();
	static const char text[] = "0123456789";
	char tmp[64];
	struct evbuffer_iovec v;

	printf("add_reference -> %d\n", evbuffer_add_reference(a, text, 10, cleanup, "r1"));
	show("a", a);
	evbuffer_peek(a, -1, NULL, &v, 1);
	printf("  no copy: %s\n", v.iov_base == (void *)text ? "yes" : "no");
	printf("drain 4\n");
	evbuffer_drain(a, 4);
	printf("remove 6\n");
	evbuffer_remove(a, tmp, 6);
	show("a", a);

	evbuffer_add(a, "head", 4);
	evbuffer_add_reference(a, text, 10, cleanup, "r2");
	evbuffer_add(a, "tail", 4);
	show("a", a);
	printf("pullup all\n");
	evbuffer_pullup(a, -1);
	show("a", a);
	evbuffer_drain(a, evbuffer_get_length(a));

	evbuffer_add_reference(a, text, 10, cleanup, "r3");
	printf("add_buffer(b, a)\n");
	evbuffer_add_buffer(b, a);
	printf("remove_buffer(b, c, 3)\n");
	evbuffer_remove_buffer(b, c, 3);
	show("b", b);
	show("c", c);
	printf("drain b\n");
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_drain(c, evbuffer_get_length(c));

	evbuffer_add_reference(a, text, 10, cleanup, "r4");
	evbuffer_add_reference(a, text + 2, 3, cleanup, "r5");
	printf("remove_buffer(a, c, 10) moves the whole chain\n");
	evbuffer_remove_buffer(a, c, 10);
	show("a", a);
	show("c", c);
	printf("drain c\n");
	evbuffer_drain(c, 100);

	printf("frozen end -> %d\n", evbuffer_freeze(a, 0) + evbuffer_add_reference(a, text, 10, cleanup, "frozen"));
	evbuffer_unfreeze(a, 0);
	printf("zero length -> %d\n", evbuffer_add_reference(a, text, 0, cleanup, "empty"));
	printf("NULL cleanup -> %d\n", evbuffer_add_reference(a, text, 5, NULL, NULL));
	show("a", a);
	printf("add after zero-length reference\n");
	evbuffer_add(a, "more", 4);
	show("a", a);
	printf("free a\n");
	evbuffer_free(a);

	/* add_buffer_reference */
	a = evbuffer_new();
	evbuffer_add(a, "shared-", 7);
	evbuffer_add_reference(a, text, 10, cleanup, "in-a");
	printf("add_buffer_reference(b, a) -> %d\n", evbuffer_add_buffer_reference(b, a));
	show("a", a);
	show("b", b);
	printf("add to a after being referenced\n");
	evbuffer_add(a, "+a", 2);
	show("a", a);
	printf("add to b\n");
	evbuffer_add(b, "+b", 2);
	show("b", b);
	printf("add_buffer_reference(c, b) (b holds views) -> %d\n", evbuffer_add_buffer_reference(c, b));
	printf("add_buffer_reference(a, a) -> %d\n", evbuffer_add_buffer_reference(a, a));
	printf("add_buffer_reference(c, empty) -> %d\n", evbuffer_add_buffer_reference(c, evbuffer_get_length(c) ? b : c));
	evbuffer_freeze(c, 0);
	printf("frozen target -> %d\n", evbuffer_add_buffer_reference(c, a));
	evbuffer_unfreeze(c, 0);
	printf("add_buffer_reference(c, a) -> %d\n", evbuffer_add_buffer_reference(c, a));
	show("c", c);
	printf("drain a\n");
	evbuffer_drain(a, evbuffer_get_length(a));
	show("b", b);
	printf("drain b\n");
	evbuffer_drain(b, evbuffer_get_length(b));
	printf("free a, then drain c\n");
	evbuffer_add(a, "gone", 4);
	evbuffer_add_reference(a, text, 4, cleanup, "in-a-2");
	evbuffer_add_buffer_reference(b, a);
	evbuffer_free(a);
	show("b", b);
	evbuffer_drain(c, evbuffer_get_length(c));
	printf("free b\n");
	evbuffer_free(b);

	printf("shared block\n");
	{
		struct shared_block *sb = malloc(sizeof(*sb));
		struct evbuffer *o1 = evbuffer_new(), *o2 = evbuffer_new();
		memset(sb->bytes, 0xEE, sizeof(sb->bytes));
		sb->users = 1;
		block_send(o1, sb);
		block_send(o2, sb);
		block_release(NULL, 0, sb);
		evbuffer_drain(o1, sizeof(sb->bytes) / 2);
		printf("  o1 half drained\n");
		evbuffer_free(o1);
		printf("  o1 freed\n");
		evbuffer_drain(o2, 1 << 20);
		printf("  o2 drained\n");
		evbuffer_free(o2);
	}

	evbuffer_free(c);
	libevent_global_shutdown();
	return 0;
}
