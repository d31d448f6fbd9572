/* Covers: evbuffer_new/free, evbuffer_add, evbuffer_remove, evbuffer_copyout,
 * evbuffer_drain, evbuffer_get_length, evbuffer_get_contiguous_space,
 * evbuffer_expand, evbuffer_prepend, evbuffer_add_printf/add_vprintf,
 * evbuffer_add_iovec, evbuffer_freeze/unfreeze (which end refuses what),
 * evbuffer_set_flags/clear_flags, evbuffer_enable_locking/lock/unlock and
 * the EVBUFFER_LENGTH/EVBUFFER_DATA compat macros; the chain layout each
 * step leaves (peek lengths, contiguous space, reservable room).
 */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void show(const char *tag, struct evbuffer *b)
{
	struct evbuffer_iovec v[16], r;
	int n = evbuffer_peek(b, -1, NULL, v, 16), i;
	printf("%-22s len=%zu contig=%zu chains=%d:", tag, evbuffer_get_length(b),
	    evbuffer_get_contiguous_space(b), n);
	for (i = 0; i < n && i < 16; i++)
		printf(" %zu", v[i].iov_len);
	/* room at the end without allocating (reserve 1 byte, then drop it) */
	if (evbuffer_reserve_space(b, 1, &r, 1) == 1)
		printf(" | room=%zu", r.iov_len);
	printf("\n");
}

static int vp(struct evbuffer *b, const char *fmt, ...)
{
	va_list ap;
	int r;
	va_start(ap, fmt);
	r = evbuffer_add_vprintf(b, fmt, ap);
	va_end(ap);
	return r;
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	static char big[300000], out[300000];
	char small[64];
	struct evbuffer_iovec iov[3];
	int i;

	for (i = 0; i < (int)sizeof(big); i++)
		big[i] = 'a' + i % 26;
	show("new", b);
	printf("add 0 NULL -> %d\n", evbuffer_add(b, NULL, 0));
	show("after empty add", b);
	printf("add 10 -> %d\n", evbuffer_add(b, big, 10));
	show("add 10", b);
	printf("add 1000 -> %d\n", evbuffer_add(b, big, 1000));
	show("add 1000", b);
	printf("add 5000 -> %d\n", evbuffer_add(b, big, 5000));
	show("add 5000", b);
	printf("add 70000 -> %d\n", evbuffer_add(b, big, 70000));
	show("add 70000", b);
	printf("EVBUFFER_LENGTH=%zu\n", EVBUFFER_LENGTH(b));

	memset(out, 0, sizeof(out));
	printf("copyout 20 -> %ld '%.20s'\n", (long)evbuffer_copyout(b, out, 20), out);
	printf("copyout 0 -> %ld\n", (long)evbuffer_copyout(b, out, 0));
	printf("remove 5 -> %d '%.5s'\n", evbuffer_remove(b, small, 5), small);
	show("remove 5", b);
	printf("drain 1000 -> %d\n", evbuffer_drain(b, 1000));
	show("drain 1000", b);
	printf("remove 0 -> %d\n", evbuffer_remove(b, small, 0));
	printf("drain 0 -> %d\n", evbuffer_drain(b, 0));
	show("drain 0", b);
	printf("copyout all -> %ld\n", (long)evbuffer_copyout(b, out, sizeof(out)));
	printf("remove too much -> %d\n", evbuffer_remove(b, out, sizeof(out)));
	show("emptied", b);
	printf("drain on empty -> %d\n", evbuffer_drain(b, 10));
	printf("remove on empty -> %d\n", evbuffer_remove(b, small, 10));
	printf("copyout on empty -> %ld\n", (long)evbuffer_copyout(b, small, 10));
	printf("EVBUFFER_DATA on empty -> %s\n", EVBUFFER_DATA(b) ? "ptr" : "NULL");

	/* prepend: into an empty buffer, into the misalignment, past it */
	printf("prepend 0 -> %d\n", evbuffer_prepend(b, NULL, 0));
	printf("prepend 'world' -> %d\n", evbuffer_prepend(b, "world", 5));
	show("prepend world", b);
	printf("prepend 'hello ' -> %d\n", evbuffer_prepend(b, "hello ", 6));
	show("prepend hello", b);
	printf("add '!' -> %d\n", evbuffer_add(b, "!", 1));
	printf("EVBUFFER_DATA='%.*s'\n", (int)EVBUFFER_LENGTH(b), (char *)EVBUFFER_DATA(b));
	printf("prepend 3000 -> %d\n", evbuffer_prepend(b, big, 3000));
	show("prepend 3000", b);
	printf("drain 2990 -> %d\n", evbuffer_drain(b, 2990));
	show("drain 2990", b);
	printf("prepend 5 into misalign -> %d\n", evbuffer_prepend(b, "12345", 5));
	show("prepend 5", b);
	printf("copyout 20 -> %ld '%.20s'\n", (long)evbuffer_copyout(b, out, 20), out);
	evbuffer_drain(b, evbuffer_get_length(b));

	/* realignment: a nearly drained chain takes a new add in place */
	evbuffer_add(b, big, 900);
	evbuffer_drain(b, 850);
	show("900 - 850", b);
	evbuffer_add(b, big, 500);
	show("+500 (realigned)", b);
	evbuffer_drain(b, evbuffer_get_length(b));

	/* expand */
	printf("expand 100 -> %d\n", evbuffer_expand(b, 100));
	show("expand 100", b);
	printf("expand 5000 -> %d\n", evbuffer_expand(b, 5000));
	show("expand 5000", b);
	evbuffer_add(b, big, 3000);
	show("add 3000", b);
	printf("expand 100 -> %d\n", evbuffer_expand(b, 100));
	show("expand 100 again", b);
	printf("expand 40000 -> %d\n", evbuffer_expand(b, 40000));
	show("expand 40000", b);
	evbuffer_drain(b, evbuffer_get_length(b));

	/* printf */
	printf("add_printf -> %d\n", evbuffer_add_printf(b, "Hello %s %d.%d.%d", "world", 2, 0, 1));
	printf("add_printf empty -> %d\n", evbuffer_add_printf(b, "%s", ""));
	printf("vprintf 200 -> %d\n", vp(b, "%0200d", 7));
	show("printf", b);
	printf("vprintf 5000 -> %d\n", vp(b, "%.*s", 5000, big));
	show("vprintf 5000", b);
	memset(out, 0, 64);
	evbuffer_copyout(b, out, 40);
	printf("start '%s'\n", out);
	evbuffer_drain(b, evbuffer_get_length(b));

	/* add_iovec */
	iov[0].iov_base = "abc";
	iov[0].iov_len = 3;
	iov[1].iov_base = big;
	iov[1].iov_len = 2000;
	iov[2].iov_base = "xyz";
	iov[2].iov_len = 3;
	printf("add_iovec -> %zu\n", evbuffer_add_iovec(b, iov, 3));
	show("add_iovec", b);
	printf("add_iovec none -> %zu\n", evbuffer_add_iovec(b, iov, 0));
	evbuffer_drain(b, evbuffer_get_length(b));
	printf("add_iovec none on empty -> %zu\n", evbuffer_add_iovec(b, iov, 0));
	show("add_iovec none", b);

	/* freezing */
	evbuffer_add(b, "0123456789", 10);
	printf("freeze end -> %d\n", evbuffer_freeze(b, 0));
	printf("  add -> %d, prepend -> %d, printf -> %d, iovec -> %zu\n",
	    evbuffer_add(b, "x", 1), evbuffer_prepend(b, "y", 1),
	    evbuffer_add_printf(b, "%d", 5), evbuffer_add_iovec(b, iov, 1));
	printf("  drain 1 -> %d, remove 1 -> %d, expand -> %d\n",
	    evbuffer_drain(b, 1), evbuffer_remove(b, small, 1), evbuffer_expand(b, 10));
	printf("unfreeze end -> %d\n", evbuffer_unfreeze(b, 0));
	printf("freeze start -> %d\n", evbuffer_freeze(b, 1));
	printf("  add -> %d, prepend -> %d, drain 1 -> %d, drain 0 -> %d\n",
	    evbuffer_add(b, "x", 1), evbuffer_prepend(b, "y", 1), evbuffer_drain(b, 1), evbuffer_drain(b, 0));
	printf("  remove -> %d, copyout -> %ld, copyout 0 -> %ld, pullup -> %s\n",
	    evbuffer_remove(b, small, 2), (long)evbuffer_copyout(b, small, 2),
	    (long)evbuffer_copyout(b, small, 0), evbuffer_pullup(b, 3) ? "ptr" : "NULL");
	printf("unfreeze start -> %d\n", evbuffer_unfreeze(b, 1));
	printf("  remove 3 -> %d '%.3s'\n", evbuffer_remove(b, small, 3), small);
	show("after freezing", b);

	/* flags and locking */
	printf("set_flags -> %d, clear_flags -> %d, clear unknown -> %d\n",
	    evbuffer_set_flags(b, EVBUFFER_FLAG_DRAINS_TO_FD),
	    evbuffer_clear_flags(b, EVBUFFER_FLAG_DRAINS_TO_FD),
	    evbuffer_clear_flags(b, 0x40));
	printf("enable_locking(NULL) without threads -> %d\n", evbuffer_enable_locking(b, NULL));
	evbuffer_lock(b);
	evbuffer_add(b, "L", 1);
	evbuffer_unlock(b);
	printf("len under lock %zu\n", evbuffer_get_length(b));

	evbuffer_free(b);
	libevent_global_shutdown();
	return 0;
}
