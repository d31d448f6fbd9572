/* Covers: evbuffer_reserve_space with one and several vectors (how many
 * extents and how large, on empty, partly filled and full last chains,
 * negative sizes, n_vec 0), evbuffer_commit_space (all, part, nothing,
 * zero vectors, more than reserved, a moved iov_base, vectors out of
 * order, after an intervening add), filling reserved extents in place, and
 * the chain layout left behind (peek).
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

static void show(const char *tag, struct evbuffer *b)
{
	struct evbuffer_iovec v[16];
	int n = evbuffer_peek(b, -1, NULL, v, 16), i;
	printf("  %-26s len=%zu chains=%d:", tag, evbuffer_get_length(b), n);
	for (i = 0; i < n && i < 16; i++)
		printf(" %zu", v[i].iov_len);
	printf("\n");
}

static int reserve(struct evbuffer *b, ev_ssize_t size, struct evbuffer_iovec *v, int nv)
{
	int n = evbuffer_reserve_space(b, size, v, nv), i;
	printf("reserve(%ld, %d) -> %d:", (long)size, nv, n);
	for (i = 0; i < n && i < nv; i++)
		printf(" %zu", v[i].iov_len);
	printf("\n");
	return n;
}

static int commit(struct evbuffer *b, struct evbuffer_iovec *v, int nv)
{
	int r = evbuffer_commit_space(b, v, nv);
	printf("commit(%d) -> %d\n", nv, r);
	return r;
}

static int generate_data(void *p, size_t len)
{
	memset(p, 'g', len);
	return 0;
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	struct evbuffer_iovec v[4], w[4];
	static char big[20000];
	int n, i;

	memset(big, 'b', sizeof(big));
	/* 2048 bytes written straight into up to two reserved extents */
	{
		size_t want = 2048;
		n = reserve(b, want, v, 2);
		for (i = 0; i < n && want > 0; i++) {
			if (v[i].iov_len > want)
				v[i].iov_len = want;
			generate_data(v[i].iov_base, v[i].iov_len);
			want -= v[i].iov_len;
		}
		commit(b, v, i);
		show("2048 via reserve", b);
	}

	n = reserve(b, 100, v, 1);
	memcpy(v[0].iov_base, "abc", 3);
	v[0].iov_len = 3;
	commit(b, v, 1);
	show("commit 3 of 100", b);

	n = reserve(b, 3000, v, 3);
	for (i = 0; i < n; i++)
		memset(v[i].iov_base, 'x', v[i].iov_len);
	commit(b, v, n);
	show("commit all of 3000x3", b);

	n = reserve(b, 10, v, 2);
	commit(b, v, 0);
	show("commit none", b);

	/* more than reserved */
	n = reserve(b, 10, v, 1);
	v[0].iov_len += 1;
	commit(b, v, 1);
	show("commit too much", b);

	/* a different base pointer */
	n = reserve(b, 10, v, 1);
	w[0].iov_base = big;
	w[0].iov_len = 5;
	commit(b, w, 1);
	v[0].iov_len = 0;
	commit(b, v, 1);
	show("wrong base, then 0", b);

	/* reserve, add in between, commit */
	n = reserve(b, 10, v, 1);
	evbuffer_add(b, "X", 1);
	memcpy(v[0].iov_base, "YY", 2);
	v[0].iov_len = 2;
	commit(b, v, 1);
	show("add between", b);

	/* several vectors: first partly, second fully */
	evbuffer_drain(b, evbuffer_get_length(b));
	show("drained", b);
	n = reserve(b, 5000, v, 4);
	evbuffer_add(b, big, 100);
	show("add after reserve", b);
	n = reserve(b, 5000, v, 4);
	if (n >= 2) {
		memset(v[0].iov_base, '1', v[0].iov_len);
		memset(v[1].iov_base, '2', 10);
		v[1].iov_len = 10;
		commit(b, v, 2);
	}
	show("two vectors", b);
	n = reserve(b, 500, v, 2);
	if (n >= 1) {
		w[0] = v[0];
		w[1] = v[0];
		w[0].iov_len = 0;
		commit(b, w, 2);  /* the same extent twice */
	}
	show("same extent twice", b);

	/* vectors for more than one chain when the last chain is full */
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, big, 976);
	show("one full chain", b);
	n = reserve(b, 1, v, 1);
	n = reserve(b, 2000, v, 2);
	n = reserve(b, 20000, v, 2);
	n = reserve(b, 20000, v, 4);
	show("after reserves", b);

	/* errors */
	n = reserve(b, -1, v, 1);
	n = reserve(b, -1, v, 2);
	n = reserve(b, 10, v, 0);
	n = reserve(b, 0, v, 1);
	show("after error reserves", b);
	evbuffer_freeze(b, 0);
	n = reserve(b, 10, v, 1);
	commit(b, v, 0);
	evbuffer_unfreeze(b, 0);

	/* a fresh buffer: zero-size multi-vector reservation, commit on empty */
	evbuffer_free(b);
	b = evbuffer_new();
	commit(b, v, 0);
	v[0].iov_base = big;
	v[0].iov_len = 1;
	commit(b, v, 1);
	n = reserve(b, 0, v, 2);
	show("reserve 0 x2 on empty", b);
	n = reserve(b, 1, v, 2);
	memset(v[0].iov_base, 'c', v[0].iov_len);
	commit(b, v, 1);
	show("commit 1 vector of 2", b);

	/* room split over two chains: fill part of both */
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, big, 900);
	n = reserve(b, 500, v, 2);
	if (n == 2) {
		memset(v[0].iov_base, '1', v[0].iov_len);
		memset(v[1].iov_base, '2', 30);
		v[1].iov_len = 30;
		w[0] = v[0];
		w[1] = v[1];
		commit(b, v, 2);
	}
	show("two chains committed", b);
	commit(b, w, 2);   /* stale vectors */
	n = reserve(b, 3000, v, 3);
	if (n >= 2) {
		v[0].iov_len = 0;    /* nothing in the first, some in the second */
		memset(v[1].iov_base, '3', 7);
		v[1].iov_len = 7;
		commit(b, v, 2);
	}
	show("gap then data", b);
	n = reserve(b, 3000, v, 3);
	if (n >= 2) {
		w[0] = v[1];
		w[1] = v[0];
		w[0].iov_len = w[1].iov_len = 1;
		commit(b, w, 2);  /* out of order */
	}
	show("out of order", b);

	evbuffer_free(b);
	libevent_global_shutdown();
	return 0;
}
