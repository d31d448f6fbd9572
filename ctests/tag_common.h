/* Helpers of the tag_*.c tests: hex dumps of evbuffers, byte setup, and the
 * evtag entry points libevent exports without declaring them in tag.h. */
#ifndef TAG_COMMON_H
#define TAG_COMMON_H
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/tag.h>
#include <event2/tag_compat.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int evtag_decode_int(ev_uint32_t *pnumber, struct evbuffer *evbuf);
int evtag_decode_int64(ev_uint64_t *pnumber, struct evbuffer *evbuf);
int evtag_encode_tag(struct evbuffer *evbuf, ev_uint32_t tag);
int evtag_decode_tag(ev_uint32_t *ptag, struct evbuffer *evbuf);

/* The buffer's bytes as hex, without consuming them. */
static inline void hex(const char *label, struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b), i;
	unsigned char *p = malloc(n ? n : 1);
	evbuffer_copyout(b, p, n);
	printf("%s [%zu]", label, n);
	for (i = 0; i < n && i < 64; i++)
		printf(" %02x", p[i]);
	if (n > 64)
		printf(" ...");
	printf("\n");
	free(p);
}

static inline void set_bytes(struct evbuffer *b, const unsigned char *p, size_t n)
{
	evbuffer_drain(b, evbuffer_get_length(b));
	evbuffer_add(b, p, n);
}

#define SET(b, ...) do { \
	static const unsigned char bytes_[] = { __VA_ARGS__ }; \
	set_bytes((b), bytes_, sizeof(bytes_)); \
} while (0)

#endif
