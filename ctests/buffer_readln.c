/* Covers: evbuffer_readln with EVBUFFER_EOL_ANY, CRLF, CRLF_STRICT, LF and
 * NUL (lines inside one chain and across chain boundaries, empty lines,
 * runs of CR/LF, a CR or CRLF split over two chains, a trailing CR at the
 * end of the buffer, n_read_out NULL, unknown styles, a frozen front),
 * evbuffer_readline (compat), evbuffer_search_eol (with and without a
 * start pointer, eol_len_out), and that readln's string comes from the
 * allocator given to event_set_mem_functions.
 */
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <event2/event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAGIC 0x5eedf00dU
static int bad_frees;

static void *my_malloc(size_t n)
{
	unsigned *p = malloc(n + 16);
	if (!p) return NULL;
	p[0] = MAGIC;
	return (char *)p + 16;
}

static void my_free(void *q)
{
	unsigned *p;
	if (!q) return;
	p = (unsigned *)((char *)q - 16);
	if (p[0] != MAGIC) bad_frees++;
	p[0] = 0;
	free(p);
}

static void *my_realloc(void *q, size_t n)
{
	char *p;
	if (!q) return my_malloc(n);
	p = realloc((char *)q - 16, n + 16);
	return p ? p + 16 : NULL;
}

static const char *style_name(int s)
{
	static const char *names[] = {"ANY", "CRLF", "CRLF_STRICT", "LF", "NUL"};
	return s >= 0 && s < 5 ? names[s] : "bad";
}

static void print_escaped(const char *s, size_t n)
{
	size_t i;
	for (i = 0; i < n; i++) {
		unsigned char c = s[i];
		if (c == '\r') printf("\\r");
		else if (c == '\n') printf("\\n");
		else if (c == 0) printf("\\0");
		else putchar(c);
	}
}

/* Fill b with the pieces, each piece in its own chain. */
static void load(struct evbuffer *b, const char **pieces, int n, const size_t *lens)
{
	int i;
	evbuffer_drain(b, evbuffer_get_length(b));
	for (i = 0; i < n; i++) {
		struct evbuffer *t = evbuffer_new();
		evbuffer_add(t, pieces[i], lens ? lens[i] : strlen(pieces[i]));
		evbuffer_add_buffer(b, t);
		evbuffer_free(t);
	}
}

static void drain_lines(struct evbuffer *b, int style)
{
	char *line;
	size_t n;
	printf("  %s:", style_name(style));
	while ((line = evbuffer_readln(b, &n, style)) != NULL) {
		printf(" [");
		print_escaped(line, n);
		printf("](%zu)", n);
		my_free(line);
	}
	printf(" | left %zu: ", evbuffer_get_length(b));
	{
		char tmp[64];
		size_t l = evbuffer_get_length(b);
		if (l > sizeof(tmp)) l = sizeof(tmp);
		evbuffer_copyout(b, tmp, l);
		print_escaped(tmp, l);
	}
	printf("\n");
}

static void case_all(const char *title, const char **pieces, int n, const size_t *lens)
{
	struct evbuffer *b = evbuffer_new();
	int s;
	printf("%s\n", title);
	for (s = 0; s < 5; s++) {
		load(b, pieces, n, lens);
		drain_lines(b, s);
	}
	evbuffer_free(b);
}

int main(void)
{
	struct evbuffer *b;
	char *line;
	size_t n;
	int s;

	event_set_mem_functions(my_malloc, my_realloc, my_free);
	{
		const char *p[] = {"one\r\ntwo\nthree\r\n\r\nfour\n\n\rfive"};
		case_all("mixed endings, one chain", p, 1, NULL);
	}
	{
		const char *p[] = {"abc\r", "\ndef\r", "\r\n", "ghi\n", "jkl"};
		case_all("CR and LF split across chains", p, 5, NULL);
	}
	{
		const char *p[] = {"line\r"};
		case_all("trailing CR at the end", p, 1, NULL);
	}
	{
		const char *p[] = {"a\r\n", "\r", "b\n"};
		case_all("lone CR chain between", p, 3, NULL);
	}
	{
		const char *p[] = {"x\n", "y", "\n", "\n", "z"};
		case_all("LF alone in chains", p, 5, NULL);
	}
	{
		const char *p[] = {"nul\0sep\0", "arated\0tail"};
		size_t lens[] = {8, 11};
		case_all("NUL separated", p, 2, lens);
	}
	{
		const char *p[] = {"\r\n\r\nlead", "ing\r\n"};
		case_all("leading empty lines", p, 2, NULL);
	}
	{
		const char *p[] = {"no line ending here"};
		case_all("no ending", p, 1, NULL);
	}

	b = evbuffer_new();
	evbuffer_add(b, "first\nsecond\r\n", 14);
	line = evbuffer_readln(b, NULL, EVBUFFER_EOL_LF);
	printf("n_read_out NULL: '%s'\n", line);
	my_free(line);
	n = 77;
	line = evbuffer_readln(b, &n, (enum evbuffer_eol_style)9);
	printf("unknown style: %s n=%zu len=%zu\n", line ? "line" : "NULL", n, evbuffer_get_length(b));
	evbuffer_freeze(b, 1);
	n = 77;
	line = evbuffer_readln(b, &n, EVBUFFER_EOL_ANY);
	printf("frozen front: %s n=%zu\n", line ? "line" : "NULL", n);
	evbuffer_unfreeze(b, 1);
	line = evbuffer_readline(b);
	printf("readline: '%s' left %zu\n", line, evbuffer_get_length(b));
	my_free(line);
	n = 77;
	line = evbuffer_readln(b, &n, EVBUFFER_EOL_ANY);
	printf("empty buffer: %s n=%zu\n", line ? "line" : "NULL", n);

	/* search_eol */
	evbuffer_add(b, "ab\r\ncd\n\ref\r", 11);
	for (s = 0; s < 6; s++) {
		struct evbuffer_ptr p, start;
		size_t eol = 99;
		p = evbuffer_search_eol(b, NULL, &eol, s);
		printf("search_eol %s: pos=%ld eol=%zu", style_name(s), (long)p.pos, eol);
		evbuffer_ptr_set(b, &start, 3, EVBUFFER_PTR_SET);
		eol = 99;
		p = evbuffer_search_eol(b, &start, &eol, s);
		printf(" | from 3: pos=%ld eol=%zu", (long)p.pos, eol);
		evbuffer_ptr_set(b, &start, 11, EVBUFFER_PTR_SET);
		eol = 99;
		p = evbuffer_search_eol(b, &start, &eol, s);
		printf(" | from end: pos=%ld eol=%zu", (long)p.pos, eol);
		p = evbuffer_search_eol(b, NULL, NULL, s);
		printf(" | no len out: pos=%ld\n", (long)p.pos);
	}
	evbuffer_free(b);

	/* a long line across many chains */
	b = evbuffer_new();
	{
		static char big[20000];
		memset(big, 'q', sizeof(big));
		evbuffer_add(b, big, 5000);
		evbuffer_add(b, big, 12000);
		evbuffer_add(b, "\r\nrest", 6);
		line = evbuffer_readln(b, &n, EVBUFFER_EOL_CRLF);
		printf("long line: n=%zu strlen=%zu left=%zu\n", n, line ? strlen(line) : 0, evbuffer_get_length(b));
		my_free(line);
	}
	evbuffer_free(b);

	printf("frees of memory not from my_malloc: %d\n", bad_frees);
	libevent_global_shutdown();
	return 0;
}
