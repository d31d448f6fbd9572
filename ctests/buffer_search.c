/* Covers: evbuffer_search, evbuffer_search_range, evbuffer_ptr_set
 * (EVBUFFER_PTR_SET / EVBUFFER_PTR_ADD, at the end, past the end, huge and
 * "negative" positions, adding to a not-found pointer), evbuffer_copyout_from
 * (at pointers, at the end, after ADD), evbuffer_peek (counting, with a
 * start pointer, len limits, n_vec 0), evbuffer_find (compat) on a
 * multi-chain buffer, matches that cross chain boundaries, empty needles,
 * and a loop counting occurrences through the returned pointers.
 */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

static void load(struct evbuffer *b, const char **pieces, int n)
{
	int i;
	for (i = 0; i < n; i++) {
		struct evbuffer *t = evbuffer_new();
		evbuffer_add(t, pieces[i], strlen(pieces[i]));
		evbuffer_add_buffer(b, t);
		evbuffer_free(t);
	}
}

/* How many times needle occurs (overlaps included), stepping a pointer. */
static int occurrences(struct evbuffer *b, const char *needle)
{
	struct evbuffer_ptr at;
	size_t n = strlen(needle);
	int found = 0;
	if (n == 0)
		return -1;
	evbuffer_ptr_set(b, &at, 0, EVBUFFER_PTR_SET);
	for (;;) {
		at = evbuffer_search(b, needle, n, &at);
		if (at.pos < 0)
			return found;
		found++;
		evbuffer_ptr_set(b, &at, 1, EVBUFFER_PTR_ADD);
	}
}

static void at(struct evbuffer *b, const char *tag, struct evbuffer_ptr *p)
{
	char tmp[16];
	ev_ssize_t n = evbuffer_copyout_from(b, p, tmp, 6);
	printf("%s pos=%ld", tag, (long)p->pos);
	if (n >= 0)
		printf(" -> '%.*s'(%ld)\n", (int)n, tmp, (long)n);
	else
		printf(" -> %ld\n", (long)n);
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	const char *pieces[] = {"hello wor", "ld, hel", "lo", " world", "", "!", "abab", "aba"};
	struct evbuffer_ptr p, q, r, end;
	struct evbuffer_iovec v[8];
	const char *needles[] = {"hello", "world", "lo w", "ld, h", "o", "!ab", "abaaba", "ababa", "aab", "zzz", "hello world, hello world!ababaaba", "hello world, hello world!ababaabax"};
	int i, k, n;
	unsigned char *f;

	load(b, pieces, 8);
	n = evbuffer_peek(b, -1, NULL, v, 8);
	printf("len=%zu chains=%d:", evbuffer_get_length(b), n);
	for (i = 0; i < n; i++)
		printf(" '%.*s'", (int)v[i].iov_len, (char *)v[i].iov_base);
	printf("\n");

	for (i = 0; i < (int)(sizeof(needles) / sizeof(needles[0])); i++) {
		p = evbuffer_search(b, needles[i], strlen(needles[i]), NULL);
		printf("search '%s' -> %ld", needles[i], (long)p.pos);
		if (p.pos >= 0) {
			/* following matches, through the returned pointer */
			for (k = 0; k < 4; k++) {
				if (evbuffer_ptr_set(b, &p, 1, EVBUFFER_PTR_ADD) < 0) {
					printf(" add-fail");
					break;
				}
				p = evbuffer_search(b, needles[i], strlen(needles[i]), &p);
				printf(" %ld", (long)p.pos);
				if (p.pos < 0)
					break;
			}
		}
		printf(" | count %d\n", occurrences(b, needles[i]));
	}
	p = evbuffer_search(b, "", 0, NULL);
	printf("empty needle -> %ld\n", (long)p.pos);
	evbuffer_ptr_set(b, &q, 7, EVBUFFER_PTR_SET);
	p = evbuffer_search(b, "xyz", 0, &q);
	printf("empty needle from 7 -> %ld\n", (long)p.pos);

	/* search_range */
	evbuffer_ptr_set(b, &q, 2, EVBUFFER_PTR_SET);
	for (k = 0; k < 40; k += 3) {
		evbuffer_ptr_set(b, &end, k, EVBUFFER_PTR_SET);
		p = evbuffer_search_range(b, "o", 1, NULL, &end);
		r = evbuffer_search_range(b, "hello", 5, &q, &end);
		printf("range end=%d: 'o' -> %ld, 'hello' from 2 -> %ld\n", k, (long)p.pos, (long)r.pos);
	}
	evbuffer_ptr_set(b, &end, evbuffer_get_length(b), EVBUFFER_PTR_SET);
	p = evbuffer_search_range(b, "aba", 3, NULL, &end);
	r = evbuffer_search_range(b, "aba", 3, &q, NULL);
	printf("range to end 'aba' -> %ld, no end -> %ld\n", (long)p.pos, (long)r.pos);

	/* ptr_set */
	printf("set 0 -> %d\n", evbuffer_ptr_set(b, &p, 0, EVBUFFER_PTR_SET));
	at(b, "  set 0", &p);
	printf("set 9 -> %d\n", evbuffer_ptr_set(b, &p, 9, EVBUFFER_PTR_SET));
	at(b, "  set 9 (chain boundary)", &p);
	printf("add 7 -> %d\n", evbuffer_ptr_set(b, &p, 7, EVBUFFER_PTR_ADD));
	at(b, "  add 7", &p);
	printf("add 0 -> %d\n", evbuffer_ptr_set(b, &p, 0, EVBUFFER_PTR_ADD));
	at(b, "  add 0", &p);
	printf("set len -> %d\n", evbuffer_ptr_set(b, &p, evbuffer_get_length(b), EVBUFFER_PTR_SET));
	at(b, "  at end", &p);
	printf("add 0 at end -> %d\n", evbuffer_ptr_set(b, &p, 0, EVBUFFER_PTR_ADD));
	printf("add 1 at end -> %d pos=%ld\n", evbuffer_ptr_set(b, &p, 1, EVBUFFER_PTR_ADD), (long)p.pos);
	printf("add 1 to not-found -> %d pos=%ld\n", evbuffer_ptr_set(b, &p, 1, EVBUFFER_PTR_ADD), (long)p.pos);
	printf("set len+1 -> %d pos=%ld\n", evbuffer_ptr_set(b, &p, evbuffer_get_length(b) + 1, EVBUFFER_PTR_SET), (long)p.pos);
	printf("set (size_t)-1 -> %d pos=%ld\n", evbuffer_ptr_set(b, &p, (size_t)-1, EVBUFFER_PTR_SET), (long)p.pos);
	printf("set (size_t)-5 -> %d pos=%ld\n", evbuffer_ptr_set(b, &p, (size_t)-5, EVBUFFER_PTR_SET), (long)p.pos);
	evbuffer_ptr_set(b, &p, 30, EVBUFFER_PTR_SET);
	printf("add (size_t)-1 -> %d\n", evbuffer_ptr_set(b, &p, (size_t)-1, EVBUFFER_PTR_ADD));

	/* copyout_from */
	evbuffer_ptr_set(b, &p, 5, EVBUFFER_PTR_SET);
	{
		char tmp[64];
		ev_ssize_t m = evbuffer_copyout_from(b, &p, tmp, sizeof(tmp));
		printf("copyout_from 5, 64 -> %ld '%.*s'\n", (long)m, (int)(m > 0 ? m : 0), tmp);
		m = evbuffer_copyout_from(b, &p, tmp, 0);
		printf("copyout_from 5, 0 -> %ld\n", (long)m);
		m = evbuffer_copyout_from(b, NULL, tmp, 5);
		printf("copyout_from NULL pos -> %ld '%.5s'\n", (long)m, tmp);
	}

	/* peek */
	printf("peek count all -> %d\n", evbuffer_peek(b, -1, NULL, NULL, 0));
	printf("peek count 10 -> %d\n", evbuffer_peek(b, 10, NULL, NULL, 0));
	printf("peek count 0 -> %d\n", evbuffer_peek(b, 0, NULL, NULL, 0));
	printf("peek count 9 -> %d\n", evbuffer_peek(b, 9, NULL, NULL, 0));
	n = evbuffer_peek(b, -1, NULL, v, 2);
	printf("peek -1 into 2 -> %d\n", n);
	n = evbuffer_peek(b, 20, NULL, v, 1);
	printf("peek 20 into 1 -> %d first '%.*s'\n", n, (int)v[0].iov_len, (char *)v[0].iov_base);
	evbuffer_ptr_set(b, &p, 12, EVBUFFER_PTR_SET);
	n = evbuffer_peek(b, -1, &p, v, 8);
	printf("peek from 12 -> %d:", n);
	for (i = 0; i < n && i < 8; i++)
		printf(" '%.*s'", (int)v[i].iov_len, (char *)v[i].iov_base);
	printf("\n");
	printf("peek from 12 count -> %d, len 3 -> %d, len 0 -> %d\n",
	    evbuffer_peek(b, -1, &p, NULL, 0), evbuffer_peek(b, 3, &p, NULL, 0), evbuffer_peek(b, 0, &p, v, 8));
	evbuffer_ptr_set(b, &p, evbuffer_get_length(b), EVBUFFER_PTR_SET);
	printf("peek from end -> %d\n", evbuffer_peek(b, -1, &p, v, 8));

	/* evbuffer_find pulls up through the match */
	f = evbuffer_find(b, (const unsigned char *)"world!", 6);
	n = evbuffer_peek(b, -1, NULL, v, 8);
	printf("find 'world!' -> %s at %ld, chains now %d first %zu\n", f ? "ptr" : "NULL",
	    f ? (long)(f - (unsigned char *)v[0].iov_base) : -1L, n, v[0].iov_len);
	f = evbuffer_find(b, (const unsigned char *)"nope", 4);
	printf("find 'nope' -> %s\n", f ? "ptr" : "NULL");

	evbuffer_free(b);
	libevent_global_shutdown();
	return 0;
}
