/* Covers: evbuffer calls with sizes at the edges of size_t / ssize_t that
 * libevent answers without crashing: evbuffer_add_iovec with lengths whose
 * sum wraps (libevent adds vectors until the first that cannot be added)
 * or exceeds ssize_t, search / search_range / find with needle lengths
 * above SSIZE_MAX (the start position comes back, as for length 0),
 * peek with huge and negative lengths, pullup with negative sizes,
 * reserve_space with huge and negative sizes and vector counts, commits of
 * vectors claiming SIZE_MAX bytes, remove / remove_buffer / copyout /
 * drain / write_atmost / read with SIZE_MAX, SSIZE_MAX, INT_MIN-style
 * counts, prepend after a drain of lengths that cannot be allocated, and
 * the callback's orig_size / n_added / n_deleted after such calls.
 */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

static void log_cb(int severity, const char *msg)
{
	(void)severity;
	(void)msg;
}

static void info_cb(struct evbuffer *b, const struct evbuffer_cb_info *i, void *arg)
{
	(void)b;
	(void)arg;
	printf("  cb orig=%zu added=%zu deleted=%zu\n", i->orig_size, i->n_added, i->n_deleted);
}

static struct evbuffer *filled(const char *s)
{
	struct evbuffer *b = evbuffer_new();
	evbuffer_add(b, s, strlen(s));
	return b;
}

static void show(const char *what, struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	char tmp[128];
	ev_ssize_t c = evbuffer_copyout(b, tmp, n < sizeof(tmp) ? n : sizeof(tmp));
	printf("%s: len=%zu \"%.*s\"\n", what, n, (int)(c < 0 ? 0 : c), tmp);
}

static void iovec_cases(void)
{
	static char junk[16] = "0123456789abcdef";
	struct {
		const char *name;
		int n;
		size_t len[3];
	} cases[] = {
		{"3 + SIZE_MAX (sum wraps to 2)", 2, {3, SIZE_MAX, 0}},
		{"SIZE_MAX/2+1 twice (sum wraps to 0)", 2, {SIZE_MAX / 2 + 1, SIZE_MAX / 2 + 1, 0}},
		{"2 + SSIZE_MAX (sum beyond ssize_t)", 2, {2, SIZE_MAX / 2, 0}},
		{"SSIZE_MAX alone", 1, {SIZE_MAX / 2, 0, 0}},
		{"4 + 5 + SIZE_MAX-8 (sum wraps to 0)", 3, {4, 5, SIZE_MAX - 8}},
		{"4 + SIZE_MAX-2 + 5 (sum wraps to 6)", 3, {4, SIZE_MAX - 2, 5}},
		{"0 + 0", 2, {0, 0, 0}},
		{"1 + 2 + 3", 3, {1, 2, 3}},
	};
	unsigned i;
	int j;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct evbuffer *b = filled("xy");
		struct evbuffer_iovec v[3];
		size_t r;
		for (j = 0; j < 3; j++) {
			v[j].iov_base = junk + 4 * j;
			v[j].iov_len = cases[i].len[j];
		}
		r = evbuffer_add_iovec(b, v, cases[i].n);
		printf("add_iovec %-38s -> %zu", cases[i].name, r);
		show("", b);
		evbuffer_free(b);
	}
	{
		struct evbuffer *b = filled("xy");
		struct evbuffer_iovec v[1] = {{junk, 3}};
		printf("add_iovec n=-1 -> %zu", evbuffer_add_iovec(b, v, -1));
		show("", b);
		printf("add_iovec n=INT_MIN -> %zu", evbuffer_add_iovec(b, v, INT_MIN));
		show("", b);
		printf("add_iovec n=0 -> %zu", evbuffer_add_iovec(b, v, 0));
		show("", b);
		evbuffer_free(b);
	}
}

static void search_cases(void)
{
	struct evbuffer *b = filled("hello world, hello");
	struct evbuffer_ptr p, end, r;
	size_t lens[] = {0, 1, 5, 18, 19, SIZE_MAX / 2, SIZE_MAX / 2 + 1, SIZE_MAX - 1, SIZE_MAX};
	unsigned i;
	evbuffer_ptr_set(b, &p, 3, EVBUFFER_PTR_SET);
	evbuffer_ptr_set(b, &end, 10, EVBUFFER_PTR_SET);
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		long a, c, d, e;
		r = evbuffer_search(b, "hello world, hello!", lens[i], NULL);
		a = (long)r.pos;
		r = evbuffer_search(b, "llo world, hello!!!", lens[i], &p);
		c = (long)r.pos;
		r = evbuffer_search_range(b, "hello world, hello!", lens[i], NULL, &end);
		d = (long)r.pos;
		r = evbuffer_search_range(b, "llo world, hello!!!", lens[i], &p, &end);
		e = (long)r.pos;
		printf("search len %zu: from 0 -> %ld, from 3 -> %ld, range 0..10 -> %ld, range 3..10 -> %ld\n",
		    lens[i], a, c, d, e);
	}
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		unsigned char *f = evbuffer_find(b, (const unsigned char *)"hello world, hello!", lens[i]);
		unsigned char *start = evbuffer_pullup(b, -1);
		printf("find len %zu -> %s\n", lens[i], f == NULL ? "NULL" : f == start ? "start" : "inside");
	}
	/* an end pointer that was never found */
	evbuffer_ptr_set(b, &end, 100, EVBUFFER_PTR_SET);
	r = evbuffer_search_range(b, "world", 5, NULL, &end);
	printf("search_range to not-found end -> %ld\n", (long)r.pos);
	evbuffer_free(b);
}

static void peek_pullup_cases(void)
{
	struct evbuffer *b = evbuffer_new();
	struct evbuffer_iovec v[4];
	ev_ssize_t lens[] = {-1, LONG_MIN, 0, 1, 5000, LONG_MAX};
	int ns[] = {0, 4, -1, INT_MIN};
	char chunk[3000];
	unsigned i, j;
	memset(chunk, 'a', sizeof(chunk));
	/* three chains */
	evbuffer_add(b, chunk, sizeof(chunk));
	evbuffer_add(b, chunk, sizeof(chunk));
	evbuffer_add(b, chunk, sizeof(chunk));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++)
		for (j = 0; j < sizeof(ns) / sizeof(ns[0]); j++)
			printf("peek len %ld n %d -> %d\n", (long)lens[i], ns[j],
			    evbuffer_peek(b, lens[i], NULL, ns[j] > 0 ? v : NULL, ns[j]));
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		unsigned char *u = evbuffer_pullup(b, lens[i]);
		printf("pullup %ld -> %s contiguous=%zu\n", (long)lens[i], u ? "ptr" : "NULL",
		    evbuffer_get_contiguous_space(b));
	}
	evbuffer_free(b);
}

static void reserve_commit_cases(void)
{
	ev_ssize_t sizes[] = {LONG_MAX, LONG_MAX - 100, LONG_MIN, -1, 0, 100};
	int ns[] = {1, 2, 3, INT_MAX, INT_MIN};
	unsigned i, j;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		for (j = 0; j < sizeof(ns) / sizeof(ns[0]); j++) {
			struct evbuffer *b = filled("data");
			struct evbuffer_iovec v[3];
			int n = ns[j] > 3 ? 3 : ns[j];
			int r = evbuffer_reserve_space(b, sizes[i], v, n);
			printf("reserve %ld x%d -> %d len=%zu\n", (long)sizes[i], n, r > 0 ? r : r,
			    evbuffer_get_length(b));
			evbuffer_free(b);
		}
	{
		struct evbuffer *b = filled("data");
		struct evbuffer_iovec v[2];
		int r = evbuffer_reserve_space(b, 10, v, 1);
		size_t saved = v[0].iov_len;
		v[0].iov_len = SIZE_MAX;
		printf("commit SIZE_MAX of reserved %d -> %d", r, evbuffer_commit_space(b, v, 1));
		printf(" len=%zu\n", evbuffer_get_length(b));
		v[0].iov_len = SIZE_MAX / 2 + 1;
		printf("commit SSIZE_MAX+1 -> %d", evbuffer_commit_space(b, v, 1));
		printf(" len=%zu\n", evbuffer_get_length(b));
		memcpy(v[0].iov_base, "XYZ", 3);
		v[0].iov_len = saved > 3 ? 3 : saved;
		printf("commit 3 -> %d", evbuffer_commit_space(b, v, 1));
		printf(" len=%zu\n", evbuffer_get_length(b));
		r = evbuffer_reserve_space(b, 5000, v, 2);
		memcpy(v[0].iov_base, "Q", 1);
		v[0].iov_len = 1;
		v[1].iov_len = SIZE_MAX;
		printf("commit 1 + SIZE_MAX of %d vectors -> %d", r, evbuffer_commit_space(b, v, 2));
		printf(" len=%zu\n", evbuffer_get_length(b));
		show("after commits", b);
		evbuffer_free(b);
	}
}

static void remove_cases(void)
{
	size_t lens[] = {SIZE_MAX, SIZE_MAX / 2 + 1, SIZE_MAX / 2, (size_t)INT_MAX + 1};
	unsigned i;
	char out[64];
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct evbuffer *b = filled("abcdef"), *c = evbuffer_new();
		int r1;
		ev_ssize_t r2;
		r2 = evbuffer_copyout(b, out, lens[i]);
		r1 = evbuffer_remove(b, out, lens[i]);
		printf("len %zu: copyout -> %ld remove -> %d", lens[i], (long)r2, r1);
		evbuffer_add(b, "abcdef", 6);
		r1 = evbuffer_remove_buffer(b, c, lens[i]);
		printf(" remove_buffer -> %d (%zu %zu)", r1, evbuffer_get_length(b), evbuffer_get_length(c));
		r1 = evbuffer_drain(c, lens[i]);
		printf(" drain -> %d (%zu)\n", r1, evbuffer_get_length(c));
		evbuffer_free(b);
		evbuffer_free(c);
	}
}

static void io_cases(void)
{
	int sv[2];
	ev_ssize_t atmost[] = {LONG_MIN, -1, 0, 2, LONG_MAX};
	int howmuch[] = {INT_MIN, -1, 0, 2, INT_MAX};
	unsigned i;
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
		perror("socketpair");
		return;
	}
	evutil_make_socket_nonblocking(sv[0]);
	evutil_make_socket_nonblocking(sv[1]);
	for (i = 0; i < sizeof(atmost) / sizeof(atmost[0]); i++) {
		struct evbuffer *b = filled("0123456789");
		struct evbuffer *in = evbuffer_new();
		int w = evbuffer_write_atmost(b, sv[0], atmost[i]);
		int r = evbuffer_read(in, sv[1], howmuch[i]);
		printf("write_atmost %ld -> %d, read %d -> %d", (long)atmost[i], w, howmuch[i], r);
		show("", in);
		/* leave the socket empty for the next round */
		while (evbuffer_read(in, sv[1], 100) > 0)
			;
		evbuffer_free(b);
		evbuffer_free(in);
	}
	close(sv[0]);
	close(sv[1]);
}

static void prepend_cases(void)
{
	static char src[64] = "PQRSTUVWXYZ";
	/* (libevent copies the bytes that fit before the first chain, from the
	 * end of the caller's data, before it finds out that the rest cannot
	 * be allocated: lengths between SSIZE_MAX and SIZE_MAX - length crash
	 * it, so only lengths it refuses outright are tried.) */
	size_t lens[] = {SIZE_MAX, SIZE_MAX - 3, 3};
	unsigned i;
	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct evbuffer *b = filled("abcdef");
		evbuffer_drain(b, 2);
		printf("prepend %zu after a drain -> %d", lens[i], evbuffer_prepend(b, src, lens[i]));
		show("", b);
		evbuffer_free(b);
	}
}

static void callback_counts(void)
{
	struct evbuffer *b = evbuffer_new();
	static char src[8] = "abcdefg";
	evbuffer_add_cb(b, info_cb, NULL);
	printf("counts: add 7\n");
	evbuffer_add(b, src, 7);
	printf("counts: drain SIZE_MAX\n");
	evbuffer_drain(b, SIZE_MAX);
	printf("counts: add SIZE_MAX -> %d\n", evbuffer_add(b, src, SIZE_MAX));
	printf("counts: prepend SIZE_MAX -> %d\n", evbuffer_prepend(b, src, SIZE_MAX));
	printf("counts: add 3\n");
	evbuffer_add(b, src, 3);
	printf("counts: remove SIZE_MAX\n");
	{
		char out[8];
		evbuffer_remove(b, out, SIZE_MAX);
	}
	evbuffer_free(b);
}

int main(void)
{
	event_set_log_callback(log_cb);
	iovec_cases();
	search_cases();
	peek_pullup_cases();
	reserve_commit_cases();
	remove_cases();
	io_cases();
	prepend_cases();
	callback_counts();
	libevent_global_shutdown();
	return 0;
}
