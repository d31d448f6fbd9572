/* Covers: the evbuffer examples of the documentation corpus
 * (/work/shared/examples 043-047, 049, 051, 052), compiled unchanged by
 * #including them, and run on small inputs: add vs add_printf, the SOCKS4
 * pullup parser, length-prefixed records with copyout, a readln snippet,
 * counting occurrences with evbuffer_search, filling reserved space, the
 * megabyte-counting callback and the shared resource spooled by reference.
 * (048 reads an uninitialized counter and 050 is deliberately wrong code,
 * so they are only compiled, by make examples.) Without the corpus the
 * test prints that it is missing, on both libraries alike.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__has_include) && __has_include("../../shared/examples/MANIFEST.tsv")
#define HAVE_EXAMPLES 1

static void ex043(struct evbuffer *buf)
{
#include "../../shared/examples/043_s003_evbuffer_add_printf.c"
}

#include "../../shared/examples/044_s003_evbuffer_pullup_socks4.c"
#include "../../shared/examples/045_s003_evbuffer_copyout_record.c"

static void ex046(struct evbuffer *buf)
{
#include "../../shared/examples/046_s003_evbuffer_readln.c"
	printf("  046 read a line of %zu bytes\n", request_line ? len : (size_t)0);
}

#include "../../shared/examples/047_s003_evbuffer_search_count.c"

static int generate_data(void *data, size_t len)
{
	memset(data, 'G', len);
	return 0;
}

static void ex049(struct evbuffer *buf)
{
#include "../../shared/examples/049_s003_evbuffer_reserve_space.c"
}

#include "../../shared/examples/051_s003_evbuffer_cb_count_megabytes.c"
#include "../../shared/examples/052_s003_evbuffer_add_reference.c"
#endif

int main(void)
{
#ifdef HAVE_EXAMPLES
	struct evbuffer *b = evbuffer_new();
	char tmp[64];
	ev_uint16_t port;
	ev_uint32_t addr;
	size_t sz;
	char *rec;
	int r;

	ex043(b);
	r = evbuffer_remove(b, tmp, sizeof(tmp));
	printf("043: %d '%.*s'\n", r, r, tmp);

	evbuffer_add(b, "\x04\x01\x00", 3);
	printf("044 partial -> %d\n", parse_socks4(b, &port, &addr));
	evbuffer_add(b, "\x50\x0a\x00\x00\x01", 5);
	r = parse_socks4(b, &port, &addr);
	printf("044 full -> %d port %u addr %08x left %zu\n", r, port, addr, evbuffer_get_length(b));
	evbuffer_add(b, "\x05\x01\x00\x50\x0a\x00\x00\x01", 8);
	printf("044 bad version -> %d\n", parse_socks4(b, &port, &addr));
	evbuffer_drain(b, evbuffer_get_length(b));

	evbuffer_add(b, "\x00\x00\x00\x05hel", 7);
	printf("045 partial -> %d\n", get_record(b, &sz, &rec));
	evbuffer_add(b, "lo\x00\x00", 4);
	r = get_record(b, &sz, &rec);
	printf("045 full -> %d '%.*s' left %zu\n", r, (int)sz, r == 1 ? rec : "", evbuffer_get_length(b));
	if (r == 1)
		free(rec);
	evbuffer_drain(b, evbuffer_get_length(b));

	evbuffer_add(b, "HTTP/1.0 200 OK\r\nrest", 21);
	ex046(b);
	ex046(b);
	evbuffer_drain(b, evbuffer_get_length(b));

	evbuffer_add(b, "abcabcabca", 10);
	evbuffer_add(b, "bcab", 4);
	printf("047: 'abc' %d, 'cab' %d, 'x' %d, '' %d\n", count_instances(b, "abc"),
	    count_instances(b, "cab"), count_instances(b, "x"), count_instances(b, ""));
	evbuffer_drain(b, evbuffer_get_length(b));

	ex049(b);
	printf("049: len %zu\n", evbuffer_get_length(b));
	evbuffer_drain(b, evbuffer_get_length(b));

	{
		struct total_processed tp = {0};
		static char mb[1 << 20];
		int i;
		evbuffer_add_cb(b, count_megabytes_cb, &tp);
		for (i = 0; i < 3; i++) {
			evbuffer_add(b, mb, sizeof(mb));
			evbuffer_drain(b, sizeof(mb) - 1000);
		}
		evbuffer_drain(b, evbuffer_get_length(b));
		printf("\n051: total %zu\n", tp.n);
		evbuffer_remove_cb(b, count_megabytes_cb, &tp);
		operation_with_counted_bytes();
	}

	{
		struct huge_resource *hr = new_resource();
		struct evbuffer *o = evbuffer_new();
		spool_resource_to_evbuffer(b, hr);
		spool_resource_to_evbuffer(o, hr);
		printf("052: refs %d, lengths %zu %zu\n", hr->reference_count, evbuffer_get_length(b), evbuffer_get_length(o));
		evbuffer_free(o);
		printf("052: after one buffer freed, refs %d\n", hr->reference_count);
		evbuffer_drain(b, evbuffer_get_length(b));
		printf("052: after the other drained, refs %d\n", hr->reference_count);
		free_resource(hr);
	}

	evbuffer_free(b);
#else
	printf("examples not found\n");
#endif
	libevent_global_shutdown();
	return 0;
}
