/* Covers: event_mm_malloc_ / event_mm_calloc_ / event_mm_realloc_ /
 * event_mm_strdup_ / event_mm_free_, the allocator entry points libevent_core
 * exports for libevent_extra (no public header declares them): libc's until
 * event_set_mem_functions, then the program's, with libevent's edge cases
 * (zero sizes, calloc overflow, NULL strings, a replaced free seeing NULL).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <event2/event.h>

void *event_mm_malloc_(size_t sz);
void *event_mm_calloc_(size_t count, size_t size);
char *event_mm_strdup_(const char *str);
void *event_mm_realloc_(void *p, size_t sz);
void event_mm_free_(void *p);

static int n_malloc, n_realloc, n_free, n_free_null;
static size_t last_size;

static void *my_malloc(size_t sz) { n_malloc++; last_size = sz; return malloc(sz); }
static void *my_realloc(void *p, size_t sz) { n_realloc++; last_size = sz; return realloc(p, sz); }
static void my_free(void *p) { n_free++; if (!p) n_free_null++; free(p); }

static void counts(const char *what)
{
	printf("%-22s malloc=%d realloc=%d free=%d free(NULL)=%d last=%zu\n", what, n_malloc, n_realloc,
	    n_free, n_free_null, last_size);
	n_malloc = n_realloc = n_free = n_free_null = 0;
	last_size = 0;
}

static void exercise(const char *phase)
{
	unsigned char *p;
	char *s;
	int i, zero = 1;

	printf("-- %s\n", phase);
	errno = 0;
	printf("malloc(0) null=%d\n", event_mm_malloc_(0) == NULL);
	counts("after malloc(0)");
	p = event_mm_malloc_(40);
	printf("malloc(40) ok=%d\n", p != NULL);
	memset(p, 0xab, 40);
	counts("after malloc(40)");
	p = event_mm_realloc_(p, 100);
	printf("realloc(100) ok=%d kept=%d\n", p != NULL, p[39] == 0xab);
	counts("after realloc");
	event_mm_free_(p);
	counts("after free");
	p = event_mm_calloc_(7, 9);
	for (i = 0; i < 63; i++)
		if (p[i]) zero = 0;
	printf("calloc(7,9) ok=%d zeroed=%d\n", p != NULL, zero);
	counts("after calloc");
	event_mm_free_(p);
	printf("calloc(0,9) null=%d calloc(9,0) null=%d\n", event_mm_calloc_(0, 9) == NULL,
	    event_mm_calloc_(9, 0) == NULL);
	errno = 0;
	p = event_mm_calloc_(SIZE_MAX / 2, 3);
	printf("calloc overflow null=%d enomem=%d\n", p == NULL, errno == ENOMEM);
	counts("after calloc edge");
	s = event_mm_strdup_("hello, mm");
	printf("strdup=\"%s\"\n", s ? s : "(null)");
	counts("after strdup");
	event_mm_free_(s);
	errno = 0;
	s = event_mm_strdup_(NULL);
	printf("strdup(NULL) null=%d einval=%d\n", s == NULL, errno == EINVAL);
	event_mm_free_(NULL);
	counts("after free(NULL)");
}

int main(void)
{
	struct event_base *base;

	exercise("libc");
	event_set_mem_functions(my_malloc, my_realloc, my_free);
	exercise("replaced");
	/* The library's own objects come from the same allocator. */
	base = event_base_new();
	printf("base ok=%d malloc used=%d\n", base != NULL, n_malloc > 0);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
