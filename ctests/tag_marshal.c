/* Covers: evtag_init, evtag_marshal, evtag_marshal_buffer, evtag_marshal_int,
 * evtag_marshal_int64, evtag_marshal_string, evtag_marshal_timeval,
 * evtag_encode_int, evtag_encode_int64 (and tag_compat.h's encode_int,
 * encode_int64), evtag_encode_tag: the bytes of every type over edge values
 * (0, nibble and byte boundaries, the widest values, multi-byte tags,
 * timevals with fields beyond 32 bits), then each item read back with the
 * matching evtag_unmarshal_* call, evtag_peek, evtag_peek_length,
 * evtag_payload_length, evtag_unmarshal_header, evtag_unmarshal,
 * evtag_consume, evtag_decode_tag, evtag_decode_int, evtag_decode_int64.
 * ctest-backends: epoll
 */
#include "tag_common.h"

static const ev_uint32_t u32s[] = { 0, 1, 0xf, 0x10, 0xff, 0x100, 0x1234, 0xfffff,
	0x123456, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff };
static const ev_uint64_t u64s[] = { 0, 1, 0xf, 0x10, 0xffffffffULL, 0x100000000ULL,
	0x123456789abULL, 0x0fffffffffffffffULL, 0x1000000000000000ULL,
	0x8000000000000000ULL, 0xffffffffffffffffULL };
static const ev_uint32_t tags[] = { 0, 1, 0x7f, 0x80, 0x166, 0x3fff, 0x4000, 0x1fffff,
	0x200000, 0xfffffff, 0x10000000, 0xffffffff };
#define N(a) (sizeof(a) / sizeof((a)[0]))

int main(void)
{
	struct evbuffer *b = evbuffer_new(), *d = evbuffer_new();
	char label[96];
	size_t i;
	ev_uint32_t t, v32, len;
	ev_uint64_t v64;
	int r;

	evtag_init();
	evtag_init();

	for (i = 0; i < N(tags); i++) {
		r = evtag_encode_tag(b, tags[i]);
		snprintf(label, sizeof label, "encode_tag %#x -> %d", tags[i], r);
		hex(label, b);
		t = 0xdeadbeef;
		printf("  peek -> %d", evtag_peek(b, &t));
		printf(" tag %#x", t);
		r = evtag_decode_tag(&t, b);
		printf(" decode -> %d tag %#x left %zu\n", r, t, evbuffer_get_length(b));
	}
	printf("encode_tag NULL buffer 0x4000 -> %d\n", evtag_encode_tag(NULL, 0x4000));

	for (i = 0; i < N(u32s); i++) {
		evtag_encode_int(b, u32s[i]);
		snprintf(label, sizeof label, "encode_int %#x", u32s[i]);
		hex(label, b);
		encode_int(d, u32s[i]);
		printf("  compat same: %d\n", evbuffer_get_length(d) == evbuffer_get_length(b) &&
		    !memcmp(evbuffer_pullup(d, -1), evbuffer_pullup(b, -1), evbuffer_get_length(b)));
		evbuffer_drain(d, evbuffer_get_length(d));
		r = evtag_decode_int(&v32, b);
		printf("  decode_int -> %d %#x left %zu\n", r, v32, evbuffer_get_length(b));
	}
	for (i = 0; i < N(u64s); i++) {
		evtag_encode_int64(b, u64s[i]);
		snprintf(label, sizeof label, "encode_int64 %#llx", (unsigned long long)u64s[i]);
		hex(label, b);
		encode_int64(d, u64s[i]);
		printf("  compat same: %d\n", evbuffer_get_length(d) == evbuffer_get_length(b) &&
		    !memcmp(evbuffer_pullup(d, -1), evbuffer_pullup(b, -1), evbuffer_get_length(b)));
		evbuffer_drain(d, evbuffer_get_length(d));
		v32 = 0xdeadbeef;
		evtag_encode_int64(d, u64s[i]);
		r = evtag_decode_int(&v32, d);
		printf("  as 32-bit -> %d %#x left %zu\n", r, v32, evbuffer_get_length(d));
		evbuffer_drain(d, evbuffer_get_length(d));
		r = evtag_decode_int64(&v64, b);
		printf("  decode_int64 -> %d %#llx left %zu\n", r, (unsigned long long)v64, evbuffer_get_length(b));
	}

	/* Tagged integers. */
	for (i = 0; i < N(u32s); i++) {
		evtag_marshal_int(b, tags[i % N(tags)], u32s[i]);
		snprintf(label, sizeof label, "marshal_int tag %#x %#x", tags[i % N(tags)], u32s[i]);
		hex(label, b);
		len = 0;
		printf("  peek_length -> %d", evtag_peek_length(b, &len));
		printf(" %u", len);
		printf(" payload_length -> %d", evtag_payload_length(b, &len));
		printf(" %u\n", len);
		v32 = 0;
		r = evtag_unmarshal_int(b, tags[i % N(tags)], &v32);
		printf("  unmarshal_int -> %d %#x left %zu\n", r, v32, evbuffer_get_length(b));
	}
	for (i = 0; i < N(u64s); i++) {
		evtag_marshal_int64(b, 0x81, u64s[i]);
		snprintf(label, sizeof label, "marshal_int64 %#llx", (unsigned long long)u64s[i]);
		hex(label, b);
		r = evtag_unmarshal_int64(b, 0x81, &v64);
		printf("  unmarshal_int64 -> %d %#llx left %zu\n", r, (unsigned long long)v64, evbuffer_get_length(b));
		evtag_marshal_int64(b, 0x81, u64s[i]);
		v32 = 0xdeadbeef;
		r = evtag_unmarshal_int(b, 0x81, &v32);
		printf("  as unmarshal_int -> %d %#x left %zu\n", r, v32, evbuffer_get_length(b));
		evbuffer_drain(b, evbuffer_get_length(b));
	}

	/* Strings, raw data, buffers. */
	{
		static const char *strs[] = { "", "a", "hello, world", NULL };
		char big[300];
		char *s;
		memset(big, 'x', sizeof big - 1);
		big[sizeof big - 1] = '\0';
		strs[3] = big;
		for (i = 0; i < 4; i++) {
			evtag_marshal_string(b, 5 + (ev_uint32_t)i * 100, strs[i]);
			snprintf(label, sizeof label, "marshal_string len %zu", strlen(strs[i]));
			hex(label, b);
			s = NULL;
			r = evtag_unmarshal_string(b, 5 + (ev_uint32_t)i * 100, &s);
			printf("  unmarshal_string -> %d len %zu same %d left %zu\n", r, strlen(s),
			    !strcmp(s, strs[i]), evbuffer_get_length(b));
			free(s);
		}
	}
	{
		unsigned char raw[4] = { 0, 0xff, 0x80, 0x7f }, out[4];
		evtag_marshal(b, 9, raw, 4);
		evtag_marshal(b, 10, NULL, 0);
		evtag_marshal(b, 11, raw, 2);
		hex("marshal raw x3", b);
		memset(out, 0, 4);
		r = evtag_unmarshal_fixed(b, 9, out, 4);
		printf("  fixed -> %d %02x%02x%02x%02x left %zu\n", r, out[0], out[1], out[2], out[3], evbuffer_get_length(b));
		t = 0;
		r = evtag_unmarshal_header(b, &t);
		printf("  header -> %d tag %u left %zu\n", r, t, evbuffer_get_length(b));
		t = 0;
		r = evtag_unmarshal(b, &t, d);
		printf("  unmarshal -> %d tag %u", r, t);
		hex(" dst", d);
		evbuffer_drain(d, evbuffer_get_length(d));
	}
	{
		struct evbuffer *src = evbuffer_new();
		evbuffer_add_printf(src, "payload %d", 42);
		evtag_marshal_buffer(b, 0x200, src);
		printf("source left %zu\n", evbuffer_get_length(src));
		evtag_marshal_buffer(b, 0x201, src);
		hex("marshal_buffer x2", b);
		r = evtag_unmarshal(b, &t, d);
		printf("  unmarshal -> %d tag %#x", r, t);
		hex(" dst", d);
		printf("  consume -> %d left %zu\n", evtag_consume(b), evbuffer_get_length(b));
		printf("  consume empty -> %d\n", evtag_consume(b));
		evbuffer_free(src);
		evbuffer_drain(d, evbuffer_get_length(d));
	}

	/* Timevals, including fields that do not fit 32 bits. */
	{
		static const long secs[] = { 0, 1, 1000000, 0x7fffffffL, 0x123456789L, -1 };
		static const long usecs[] = { 0, 999999, 15, 16, 0x10000, -2 };
		struct timeval tv, out;
		for (i = 0; i < N(secs); i++) {
			tv.tv_sec = secs[i];
			tv.tv_usec = usecs[i];
			evtag_marshal_timeval(b, 3, &tv);
			snprintf(label, sizeof label, "marshal_timeval %ld.%ld", secs[i], usecs[i]);
			hex(label, b);
			out.tv_sec = out.tv_usec = 77;
			r = evtag_unmarshal_timeval(b, 3, &out);
			printf("  unmarshal_timeval -> %d %ld %ld left %zu\n", r, (long)out.tv_sec, (long)out.tv_usec,
			    evbuffer_get_length(b));
		}
	}

	/* A stream of mixed items, walked with peek/consume. */
	{
		struct timeval tv = { 5, 6 };
		evtag_marshal_int(b, 1, 77);
		evtag_marshal_string(b, 2, "two");
		evtag_marshal_timeval(b, 3, &tv);
		evtag_marshal_int64(b, 4, 1ULL << 40);
		hex("stream", b);
		while (evbuffer_get_length(b) > 0) {
			ev_uint32_t plen = 0, pay = 0;
			r = evtag_peek(b, &t);
			evtag_peek_length(b, &plen);
			evtag_payload_length(b, &pay);
			printf("  item tag %u (tag bytes %d) total %u payload %u consume -> %d\n", t, r, plen, pay,
			    evtag_consume(b));
		}
	}

	evbuffer_free(b);
	evbuffer_free(d);
	libevent_global_shutdown();
	return 0;
}
