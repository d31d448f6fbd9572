/* Covers: evtag decoding of malformed input: empty buffers, truncated tags,
 * tags that overflow 32 bits, missing or truncated length fields, lengths
 * wider than 32 bits or larger than the buffer, integers wider than their
 * type or running past their payload, payloads of the wrong size,
 * mismatched tags, non-canonical encodings, and evtag_peek_length's
 * wrap-around: for each input, every decoding call's result, what it
 * stored and what it left in the buffer.
 * ctest-backends: epoll
 */
#include "tag_common.h"

struct input { const char *name; unsigned char b[16]; size_t n; };

static const struct input inputs[] = {
	{ "empty", { 0 }, 0 },
	{ "tag cut", { 0x80 }, 1 },
	{ "tag cut 4", { 0xff, 0xff, 0xff, 0xff }, 4 },
	{ "tag max", { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00 }, 6 },
	{ "tag 5th byte too big", { 0xff, 0xff, 0xff, 0xff, 0x10, 0x00 }, 6 },
	{ "tag 5th byte continues", { 0x81, 0x80, 0x80, 0x80, 0x8f, 0x00, 0x00 }, 7 },
	{ "tag 6 bytes", { 0x80, 0x80, 0x80, 0x80, 0x80, 0x01, 0x00 }, 7 },
	{ "tag 0 padded", { 0x81, 0x80, 0x00, 0x01, 0x07 }, 5 },
	{ "no length", { 0x01 }, 1 },
	{ "length cut", { 0x01, 0x70, 0x00 }, 3 },
	{ "length 9 nibbles", { 0x01, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00 }, 7 },
	{ "length over buffer", { 0x01, 0x05, 0xaa, 0xbb }, 4 },
	{ "length max", { 0x01, 0x7f, 0xff, 0xff, 0xff, 0xf0, 0x01 }, 7 },
	{ "zero payload", { 0x01, 0x00, 0x05, 0x09 }, 4 },
	{ "int 9 nibbles", { 0x01, 0x05, 0x80, 0x00, 0x00, 0x00, 0x01 }, 7 },
	{ "int 17 nibbles", { 0x01, 0x01, 0xf0 }, 3 },
	{ "int past payload", { 0x01, 0x01, 0x12, 0x10, 0x77 }, 5 },
	{ "int short of payload", { 0x01, 0x03, 0x05, 0x66, 0x77 }, 5 },
	{ "int padding set", { 0x01, 0x02, 0x12, 0x1f }, 4 },
	{ "int leading zeros", { 0x01, 0x03, 0x30, 0x00, 0x05 }, 5 },
	{ "wrong tag", { 0x02, 0x01, 0x05, 0x01, 0x01, 0x06 }, 6 },
	{ "one integer", { 0x01, 0x01, 0x05 }, 3 },
	{ "usec past payload", { 0x01, 0x02, 0x05, 0x12, 0x10 }, 5 },
	{ "sec too wide", { 0x01, 0x06, 0x80, 0, 0, 0, 0x01, 0x00 }, 8 },
	{ "two bytes", { 0x01, 0x02, 0x41, 0x42, 0x99 }, 5 },
	{ "peek wrap", { 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0xff, 0xff, 0xff, 0xf0 }, 10 },
};

#define NCALLS 14
static const char *names[NCALLS] = { "peek", "peek_length", "payload_length", "unmarshal_header",
	"consume", "unmarshal", "unmarshal_int", "unmarshal_int64", "unmarshal_fixed2",
	"unmarshal_string", "unmarshal_timeval", "decode_tag", "decode_int", "decode_int64" };

static void call(int which, struct evbuffer *b, struct evbuffer *d)
{
	ev_uint32_t u = 0xdeadbeef;
	ev_uint64_t u64 = 0xdeadbeefcafeULL;
	unsigned char fixed[2] = { 0xee, 0xee };
	char *s = NULL;
	struct timeval tv = { 77, 88 };
	int r = -9;

	switch (which) {
	case 0: r = evtag_peek(b, &u); break;
	case 1: r = evtag_peek_length(b, &u); break;
	case 2: r = evtag_payload_length(b, &u); break;
	case 3: r = evtag_unmarshal_header(b, &u); break;
	case 4: r = evtag_consume(b); break;
	case 5: r = evtag_unmarshal(b, &u, d); break;
	case 6: r = evtag_unmarshal_int(b, 1, &u); break;
	case 7: r = evtag_unmarshal_int64(b, 1, &u64); break;
	case 8: r = evtag_unmarshal_fixed(b, 1, fixed, 2); break;
	case 9: r = evtag_unmarshal_string(b, 1, &s); break;
	case 10: r = evtag_unmarshal_timeval(b, 1, &tv); break;
	case 11: r = evtag_decode_tag(&u, b); break;
	case 12: r = evtag_decode_int(&u, b); break;
	case 13: r = evtag_decode_int64(&u64, b); break;
	}
	printf("  %-17s -> %2d", names[which], r);
	if (u != 0xdeadbeef)
		printf(" u=%#x", u);
	if (u64 != 0xdeadbeefcafeULL)
		printf(" u64=%#llx", (unsigned long long)u64);
	if (fixed[0] != 0xee || fixed[1] != 0xee)
		printf(" fixed=%02x%02x", fixed[0], fixed[1]);
	if (s) {
		printf(" s=\"%s\"", s);
		free(s);
	}
	if (tv.tv_sec != 77 || tv.tv_usec != 88)
		printf(" tv=%ld.%ld", (long)tv.tv_sec, (long)tv.tv_usec);
	if (evbuffer_get_length(d)) {
		hex(" dst", d);
		evbuffer_drain(d, evbuffer_get_length(d));
	} else {
		printf("\n");
	}
	hex("     left", b);
}

int main(void)
{
	struct evbuffer *b = evbuffer_new(), *d = evbuffer_new();
	size_t i;
	int w;

	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		set_bytes(b, inputs[i].b, inputs[i].n);
		printf("%s:", inputs[i].name);
		hex("", b);
		for (w = 0; w < NCALLS; w++) {
			set_bytes(b, inputs[i].b, inputs[i].n);
			call(w, b, d);
		}
	}
	/* The same inputs behind a byte in another chain: decoding must not
	 * depend on how the buffer is laid out. */
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
		struct evbuffer *x = evbuffer_new();
		for (w = 0; w < NCALLS; w++) {
			size_t k;
			evbuffer_drain(b, evbuffer_get_length(b));
			for (k = 0; k < inputs[i].n; k++) {
				evbuffer_add(x, &inputs[i].b[k], 1);
				evbuffer_add_buffer(b, x);
			}
			if (w == 0)
				printf("%s (one chain per byte):\n", inputs[i].name);
			call(w, b, d);
		}
		evbuffer_free(x);
	}
	evbuffer_free(b);
	evbuffer_free(d);
	libevent_global_shutdown();
	return 0;
}
