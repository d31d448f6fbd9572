/* Covers: evbuffer calls with bad arguments that libevent survives: NULL
 * data with zero lengths, lengths larger than the buffer or than size_t
 * allows (add, prepend, expand, remove, copyout, copyout_from, drain,
 * remove_buffer), pointers set to huge, "negative" or past-the-end
 * positions and used afterwards (search, search_eol, peek, copyout_from,
 * PTR_ADD), empty needles for evbuffer_find, commits larger than the
 * reservation or of foreign memory, zero and negative vector counts,
 * nested buffer references, too-large pullups, removing callbacks that
 * were never added, and reads/writes on bad descriptors.
 */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static void cb(struct evbuffer *b, const struct evbuffer_cb_info *i, void *arg)
{
	(void)b; (void)i; (void)arg;
}

int main(void)
{
	struct evbuffer *b = evbuffer_new(), *c = evbuffer_new(), *d = evbuffer_new();
	struct evbuffer_ptr p, r;
	struct evbuffer_iovec v[2];
	char tmp[64], big[100];
	size_t eol;

	memset(big, 'q', sizeof(big));
	printf("add NULL,0 -> %d\n", evbuffer_add(b, NULL, 0));
	printf("prepend NULL,0 -> %d\n", evbuffer_prepend(b, NULL, 0));
	printf("add SIZE_MAX on empty -> %d\n", evbuffer_add(b, big, SIZE_MAX));
	printf("add SSIZE_MAX on empty -> %d\n", evbuffer_add(b, big, SIZE_MAX / 2));
	evbuffer_add(b, "abcdef", 6);
	printf("add SIZE_MAX -> %d\n", evbuffer_add(b, big, SIZE_MAX));
	printf("prepend SIZE_MAX -> %d\n", evbuffer_prepend(b, big, SIZE_MAX));
	printf("expand SIZE_MAX -> %d\n", evbuffer_expand(b, SIZE_MAX));
	printf("expand SSIZE_MAX -> %d\n", evbuffer_expand(b, SIZE_MAX / 2));
	printf("len %zu\n", evbuffer_get_length(b));
	printf("copyout SIZE_MAX -> %ld\n", (long)evbuffer_copyout(b, tmp, SIZE_MAX));
	evbuffer_ptr_set(b, &p, 2, EVBUFFER_PTR_SET);
	printf("copyout_from 2, SIZE_MAX -> %ld\n", (long)evbuffer_copyout_from(b, &p, tmp, SIZE_MAX));
	printf("copyout_from 2, SSIZE_MAX -> %ld\n", (long)evbuffer_copyout_from(b, &p, tmp, SIZE_MAX / 2));
	printf("copyout_from 2, 100 -> %ld\n", (long)evbuffer_copyout_from(b, &p, tmp, 100));
	evbuffer_ptr_set(b, &p, 6, EVBUFFER_PTR_SET);
	printf("copyout_from end -> %ld\n", (long)evbuffer_copyout_from(b, &p, tmp, 10));
	printf("remove 100 of 6 -> %d\n", evbuffer_remove(b, tmp, 100));
	evbuffer_add(b, "abcdef", 6);
	printf("drain SIZE_MAX -> %d len %zu\n", evbuffer_drain(b, SIZE_MAX), evbuffer_get_length(b));
	evbuffer_add(b, "abcdef", 6);
	printf("remove_buffer SIZE_MAX -> %d\n", evbuffer_remove_buffer(b, c, SIZE_MAX));
	printf("lens %zu %zu\n", evbuffer_get_length(b), evbuffer_get_length(c));
	evbuffer_add_buffer(b, c);

	/* pointers */
	printf("ptr_set SIZE_MAX -> %d pos %ld\n", evbuffer_ptr_set(b, &p, SIZE_MAX, EVBUFFER_PTR_SET), (long)p.pos);
	printf("ptr_set ADD to it -> %d\n", evbuffer_ptr_set(b, &p, 1, EVBUFFER_PTR_ADD));
	printf("ptr_set ADD 0 to it -> %d\n", evbuffer_ptr_set(b, &p, 0, EVBUFFER_PTR_ADD));
	r = evbuffer_search(b, "c", 1, &p);
	printf("search from not-found -> %ld\n", (long)r.pos);
	r = evbuffer_search_range(b, "c", 1, NULL, &p);
	printf("search_range to not-found -> %ld\n", (long)r.pos);
	eol = 9;
	r = evbuffer_search_eol(b, &p, &eol, EVBUFFER_EOL_ANY);
	printf("search_eol from not-found -> %ld eol %zu\n", (long)r.pos, eol);
	printf("peek from not-found -> %d\n", evbuffer_peek(b, -1, &p, v, 2));
	printf("ptr_set 7 of 6 -> %d pos %ld\n", evbuffer_ptr_set(b, &p, 7, EVBUFFER_PTR_SET), (long)p.pos);
	evbuffer_ptr_set(b, &p, 3, EVBUFFER_PTR_SET);
	printf("ptr ADD SIZE_MAX -> %d\n", evbuffer_ptr_set(b, &p, SIZE_MAX, EVBUFFER_PTR_ADD));
	evbuffer_ptr_set(b, &p, 3, EVBUFFER_PTR_SET);
	printf("ptr ADD 4 (past end) -> %d pos %ld\n", evbuffer_ptr_set(b, &p, 4, EVBUFFER_PTR_ADD), (long)p.pos);
	printf("search len 0 NULL -> %ld\n", (long)evbuffer_search(b, NULL, 0, NULL).pos);
	printf("find len 0 -> %s\n", evbuffer_find(b, (const unsigned char *)"", 0) ? "ptr" : "NULL");
	printf("find longer than buffer -> %s\n", evbuffer_find(b, (const unsigned char *)"abcdefg", 7) ? "ptr" : "NULL");
	printf("pullup 7 of 6 -> %s\n", evbuffer_pullup(b, 7) ? "ptr" : "NULL");
	printf("pullup SSIZE_MAX -> %s\n", evbuffer_pullup(b, SIZE_MAX / 2) ? "ptr" : "NULL");

	/* reserve / commit */
	printf("reserve 10 x0 -> %d\n", evbuffer_reserve_space(b, 10, v, 0));
	printf("reserve 10 x-1 -> %d\n", evbuffer_reserve_space(b, 10, v, -1));
	printf("reserve -5 x1 -> %d\n", evbuffer_reserve_space(b, -5, v, 1));
	printf("reserve 10 x1 -> %d\n", evbuffer_reserve_space(b, 10, v, 1));
	v[0].iov_len += 100;
	printf("commit more than reserved -> %d\n", evbuffer_commit_space(b, v, 1));
	v[0].iov_base = big;
	v[0].iov_len = 1;
	printf("commit foreign memory -> %d\n", evbuffer_commit_space(b, v, 1));
	printf("commit x-1 -> %d\n", evbuffer_commit_space(b, v, -1));
	printf("commit x2 foreign -> %d\n", evbuffer_commit_space(b, v, 2));
	printf("len %zu\n", evbuffer_get_length(b));

	/* references of references */
	evbuffer_add_buffer_reference(c, b);
	printf("reference of a reference -> %d\n", evbuffer_add_buffer_reference(d, c));
	printf("reference to itself -> %d\n", evbuffer_add_buffer_reference(b, b));

	/* callbacks */
	printf("remove_cb never added -> %d\n", evbuffer_remove_cb(b, cb, NULL));
	evbuffer_add_cb(b, cb, tmp);
	printf("remove_cb wrong arg -> %d\n", evbuffer_remove_cb(b, cb, NULL));
	printf("remove_cb -> %d\n", evbuffer_remove_cb(b, cb, tmp));

	/* bad descriptors */
	{
		int rr;
		errno = 0;
		rr = evbuffer_read(b, -1, 10);
		printf("read fd -1 -> %d errno EBADF %d\n", rr, errno == EBADF);
		errno = 0;
		rr = evbuffer_write(b, -1);
		printf("write fd -1 -> %d errno EBADF %d\n", rr, errno == EBADF);
	}
	printf("len %zu\n", evbuffer_get_length(b));
	printf("readln, no eol, NULL n -> %s\n", evbuffer_readln(b, NULL, EVBUFFER_EOL_LF) ? "line" : "NULL");

	evbuffer_free(b);
	evbuffer_free(c);
	evbuffer_free(d);
	libevent_global_shutdown();
	return 0;
}
