/* Covers: evtag_unmarshal_string with event_set_mem_functions: the string
 * comes from the program's malloc (and is freed with its free), and when
 * that malloc fails the call returns -1 with the header consumed and the
 * payload left in the buffer.
 * ctest-backends: epoll
 */
#include "tag_common.h"

static int fail_size = -1;
static void *last;
static int mallocs_of_size;

static void *my_malloc(size_t n)
{
	void *p;
	if ((int)n == fail_size) {
		mallocs_of_size++;
		return NULL;
	}
	p = malloc(n);
	if ((int)n == 6)
		last = p;
	return p;
}
static void *my_realloc(void *p, size_t n) { return realloc(p, n); }
static void my_free(void *p) { free(p); }

int main(void)
{
	struct evbuffer *b;
	char *s = NULL;
	int r;

	event_set_mem_functions(my_malloc, my_realloc, my_free);
	b = evbuffer_new();
	evtag_marshal_string(b, 4, "hello");
	r = evtag_unmarshal_string(b, 4, &s);
	printf("unmarshal_string -> %d \"%s\" from program malloc: %d\n", r, s, s == last);
	my_free(s);

	evtag_marshal_string(b, 4, "sixsixsix");
	fail_size = 10;
	s = (char *)&r; /* libevent stores the NULL */
	r = evtag_unmarshal_string(b, 4, &s);
	fail_size = -1;
	printf("failing malloc -> %d s %s refused %d\n", r, s == NULL ? "NULL" : "kept", mallocs_of_size);
	hex("left", b);

	evbuffer_free(b);
	libevent_global_shutdown();
	return 0;
}
