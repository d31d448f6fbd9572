/* Covers: evbuffer_add_buffer, evbuffer_prepend_buffer,
 * evbuffer_remove_buffer (whole chains moved, the rest copied, exact chain
 * boundaries, more than available, zero, same buffer, frozen ends) and
 * evbuffer_pullup (already contiguous, into the first chain's room, into a
 * new chain, the whole buffer, more than available, zero, negative), each
 * followed by the lengths, contents and chain layout of both buffers.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

static void show(const char *tag, struct evbuffer *b)
{
	struct evbuffer_iovec v[32];
	int n = evbuffer_peek(b, -1, NULL, v, 32), i;
	char tmp[48];
	size_t l = evbuffer_get_length(b);
	if (l > 40) l = 40;
	evbuffer_copyout(b, tmp, l);
	printf("  %-4s len=%-6zu chains=%d:", tag, evbuffer_get_length(b), n);
	for (i = 0; i < n && i < 32; i++)
		printf(" %zu", v[i].iov_len);
	printf(" '%.*s'\n", (int)l, tmp);
}

static void both(struct evbuffer *a, struct evbuffer *b)
{
	show("a", a);
	show("b", b);
}

/* Each piece in its own chain. */
static void load(struct evbuffer *b, const char *s, int pieces)
{
	size_t len = strlen(s), step = (len + pieces - 1) / pieces, off;
	for (off = 0; off < len; off += step) {
		struct evbuffer *t = evbuffer_new();
		evbuffer_add(t, s + off, len - off < step ? len - off : step);
		evbuffer_add_buffer(b, t);
		evbuffer_free(t);
	}
}

static void reset(struct evbuffer *a, struct evbuffer *b)
{
	evbuffer_drain(a, evbuffer_get_length(a));
	evbuffer_drain(b, evbuffer_get_length(b));
}

int main(void)
{
	struct evbuffer *a = evbuffer_new(), *b = evbuffer_new();
	static char big[9000];
	unsigned char *p;
	int r;

	memset(big, 'z', sizeof(big));
	load(a, "0123456789abcdefghij", 4);
	evbuffer_add(b, "XYZ", 3);
	printf("add_buffer(b, a) -> %d\n", evbuffer_add_buffer(b, a));
	both(a, b);
	printf("add_buffer(b, a) empty src -> %d\n", evbuffer_add_buffer(b, a));
	printf("add_buffer(b, b) -> %d\n", evbuffer_add_buffer(b, b));
	printf("add_buffer(a, b) into empty -> %d\n", evbuffer_add_buffer(a, b));
	both(a, b);
	evbuffer_add(b, "tail", 4);
	printf("prepend_buffer(b, a) -> %d\n", evbuffer_prepend_buffer(b, a));
	both(a, b);
	printf("prepend_buffer(b, b) -> %d\n", evbuffer_prepend_buffer(b, b));
	printf("prepend_buffer(a, b) into empty -> %d\n", evbuffer_prepend_buffer(a, b));
	both(a, b);
	evbuffer_add(b, "pre", 3);
	evbuffer_prepend(b, ">", 1);
	printf("prepend_buffer(a, b) -> %d\n", evbuffer_prepend_buffer(a, b));
	both(a, b);

	/* an empty chain left by a reservation in the destination */
	reset(a, b);
	{
		struct evbuffer_iovec v;
		evbuffer_add(b, "data", 4);
		evbuffer_reserve_space(b, 4000, &v, 1);
		load(a, "moved", 2);
		printf("add_buffer after reserve -> %d\n", evbuffer_add_buffer(b, a));
		both(a, b);
		evbuffer_reserve_space(a, 4000, &v, 1);
		printf("prepend_buffer(a, b) with empty chain in a -> %d\n", evbuffer_prepend_buffer(a, b));
		both(a, b);
	}

	/* remove_buffer */
	reset(a, b);
	load(a, "aaaaabbbbbcccccdddddeeeee", 5);
	printf("remove_buffer(a, b, 0) -> %d\n", evbuffer_remove_buffer(a, b, 0));
	printf("remove_buffer(a, a, 5) -> %d\n", evbuffer_remove_buffer(a, a, 5));
	printf("remove_buffer(a, b, 3) -> %d\n", evbuffer_remove_buffer(a, b, 3));
	both(a, b);
	printf("remove_buffer(a, b, 2) (to a boundary) -> %d\n", evbuffer_remove_buffer(a, b, 2));
	both(a, b);
	printf("remove_buffer(a, b, 12) -> %d\n", evbuffer_remove_buffer(a, b, 12));
	both(a, b);
	printf("remove_buffer(a, b, 100) -> %d\n", evbuffer_remove_buffer(a, b, 100));
	both(a, b);
	printf("remove_buffer(a, b, 5) from empty -> %d\n", evbuffer_remove_buffer(a, b, 5));
	evbuffer_add(a, big, 3000);
	evbuffer_add(a, big, 3000);
	printf("remove_buffer(a, b, 2500) -> %d\n", evbuffer_remove_buffer(a, b, 2500));
	both(a, b);

	/* frozen ends */
	evbuffer_freeze(a, 1);
	printf("frozen src front: remove_buffer -> %d, add_buffer(b, a) -> %d, prepend_buffer(b, a) -> %d\n",
	    evbuffer_remove_buffer(a, b, 5), evbuffer_add_buffer(b, a), evbuffer_prepend_buffer(b, a));
	evbuffer_unfreeze(a, 1);
	evbuffer_freeze(b, 0);
	printf("frozen dst end: remove_buffer -> %d, add_buffer(b, a) -> %d, prepend_buffer(b, a) -> %d\n",
	    evbuffer_remove_buffer(a, b, 5), evbuffer_add_buffer(b, a), evbuffer_prepend_buffer(b, a));
	evbuffer_unfreeze(b, 0);
	evbuffer_freeze(b, 1);
	printf("frozen dst front: add_buffer(b, a) -> %d, prepend_buffer(b, a) -> %d\n",
	    evbuffer_add_buffer(b, a), evbuffer_prepend_buffer(b, a));
	evbuffer_unfreeze(b, 1);
	both(a, b);

	/* pullup */
	reset(a, b);
	load(a, "the quick brown fox jumps over the lazy dog", 6);
	show("a", a);
	p = evbuffer_pullup(a, 3);
	printf("pullup 3 -> '%.3s'\n", p ? (char *)p : "");
	show("a", a);
	p = evbuffer_pullup(a, 12);
	printf("pullup 12 -> '%.12s'\n", p ? (char *)p : "");
	show("a", a);
	p = evbuffer_pullup(a, 100);
	printf("pullup 100 -> %s\n", p ? "ptr" : "NULL");
	p = evbuffer_pullup(a, 0);
	printf("pullup 0 -> %s\n", p ? "ptr" : "NULL");
	p = evbuffer_pullup(a, -1);
	printf("pullup -1 -> '%.*s'\n", (int)evbuffer_get_length(a), p ? (char *)p : "");
	show("a", a);
	p = evbuffer_pullup(a, -7);
	printf("pullup -7 -> %s\n", p ? "ptr" : "NULL");
	evbuffer_drain(a, 40);
	evbuffer_add(a, big, 5000);
	evbuffer_add(a, "end", 3);
	show("a", a);
	p = evbuffer_pullup(a, 3000);
	printf("pullup 3000 -> %s\n", p ? "ptr" : "NULL");
	show("a", a);
	p = evbuffer_pullup(a, -1);
	printf("pullup all -> %s, ends '%.3s'\n", p ? "ptr" : "NULL", p ? (char *)p + evbuffer_get_length(a) - 3 : "");
	show("a", a);
	r = evbuffer_drain(a, evbuffer_get_length(a));
	p = evbuffer_pullup(a, -1);
	printf("drain %d, pullup empty -> %s\n", r, p ? "ptr" : "NULL");

	evbuffer_free(a);
	evbuffer_free(b);
	libevent_global_shutdown();
	return 0;
}
