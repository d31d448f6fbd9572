/* Covers: evtag over many generated inputs, compared with libevent as a
 * whole: random values of every type marshalled (a digest of the bytes and
 * of what unmarshalling gives back), then streams of valid items with
 * random damage (bytes changed, cut short, bytes inserted) decoded by each
 * evtag_unmarshal_* / peek / consume / decode call, digesting every
 * result, stored value and the bytes left. A fixed-seed generator makes the
 * inputs the same in every build.
 * ctest-backends: epoll
 */
#include "tag_common.h"

static ev_uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static ev_uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static ev_uint64_t digest = 1469598103934665603ULL;
static void mix(const void *p, size_t n)
{
	const unsigned char *c = p;
	while (n--) {
		digest ^= *c++;
		digest *= 1099511628211ULL;
	}
}
static void mix_u64(ev_uint64_t v) { mix(&v, sizeof v); }
static void mix_buf(struct evbuffer *b)
{
	size_t n = evbuffer_get_length(b);
	mix_u64(n);
	if (n)
		mix(evbuffer_pullup(b, -1), n);
}

/* A value with a random number of significant bits. */
static ev_uint64_t value(void)
{
	unsigned bits = (unsigned)(rnd() % 65);
	return bits == 64 ? rnd() : rnd() & ((1ULL << bits) - 1);
}

static void add_item(struct evbuffer *b)
{
	ev_uint32_t tag = rnd() % 2 ? (ev_uint32_t)(rnd() % 4) : (ev_uint32_t)value();
	char s[40];
	struct timeval tv;
	size_t n, i;
	switch (rnd() % 5) {
	case 0: evtag_marshal_int(b, tag, (ev_uint32_t)value()); break;
	case 1: evtag_marshal_int64(b, tag, value()); break;
	case 2:
		n = rnd() % sizeof s;
		for (i = 0; i < n; i++)
			s[i] = 'a' + (char)(rnd() % 26);
		s[n] = '\0';
		evtag_marshal_string(b, tag, s);
		break;
	case 3:
		tv.tv_sec = (long)value();
		tv.tv_usec = (long)value();
		evtag_marshal_timeval(b, tag, &tv);
		break;
	default:
		n = rnd() % sizeof s;
		for (i = 0; i < n; i++)
			s[i] = (char)rnd();
		evtag_marshal(b, tag, s, (ev_uint32_t)n);
	}
}

int main(void)
{
	struct evbuffer *b = evbuffer_new(), *d = evbuffer_new();
	int i, results[16][3];
	memset(results, 0, sizeof results);

	/* 1. Round trips of random values. */
	for (i = 0; i < 20000; i++) {
		ev_uint64_t v = value(), got64 = 0;
		ev_uint32_t tag = (ev_uint32_t)value(), got = 0;
		struct timeval tv = { (long)value(), (long)value() }, out = { 0, 0 };
		evtag_marshal_int(b, tag, (ev_uint32_t)v);
		evtag_marshal_int64(b, tag, v);
		evtag_marshal_timeval(b, tag, &tv);
		mix_buf(b);
		mix_u64((ev_uint64_t)evtag_unmarshal_int(b, tag, &got));
		mix_u64(got);
		mix_u64((ev_uint64_t)evtag_unmarshal_int64(b, tag, &got64));
		mix_u64(got64);
		mix_u64((ev_uint64_t)evtag_unmarshal_timeval(b, tag, &out));
		mix_u64((ev_uint64_t)out.tv_sec);
		mix_u64((ev_uint64_t)out.tv_usec);
		if (got != (ev_uint32_t)v || got64 != v || evbuffer_get_length(b))
			printf("round trip %d differs\n", i);
	}
	printf("round trips digest %016llx\n", (unsigned long long)digest);

	/* 2. Damaged streams through every decoder. */
	for (i = 0; i < 60000; i++) {
		unsigned char raw[256];
		size_t n, k;
		int items = 1 + (int)(rnd() % 3), which = (int)(rnd() % 14), r = -9;
		ev_uint32_t u = 0x5a5a5a5a, need = (ev_uint32_t)(rnd() % 4);
		ev_uint64_t u64 = 0x5a5a5a5a5a5aULL;
		unsigned char fixed[8];
		char *s = NULL;
		struct timeval tv = { 7, 8 };

		evbuffer_drain(b, evbuffer_get_length(b));
		while (items--)
			add_item(b);
		n = evbuffer_get_length(b);
		if (n > sizeof raw)
			n = sizeof raw;
		evbuffer_remove(b, raw, n);
		evbuffer_drain(b, evbuffer_get_length(b));
		switch (rnd() % 4) {
		case 0: raw[rnd() % n] = (unsigned char)rnd(); break;
		case 1: n = rnd() % (n + 1); break;
		case 2: raw[rnd() % n] ^= (unsigned char)(1u << (rnd() % 8)); break;
		default: break;
		}
		if (rnd() % 4 == 0) { /* small tags so that need_tag matches often */
			raw[0] = (unsigned char)(rnd() % 4);
		}
		/* Add in pieces, so items straddle chains. */
		for (k = 0; k < n;) {
			size_t piece = 1 + rnd() % 7;
			if (piece > n - k)
				piece = n - k;
			evbuffer_add(d, raw + k, piece);
			evbuffer_add_buffer(b, d);
			k += piece;
		}
		memset(fixed, 0xee, sizeof fixed);
		switch (which) {
		case 0: r = evtag_peek(b, &u); break;
		case 1: r = evtag_peek_length(b, &u); break;
		case 2: r = evtag_payload_length(b, &u); break;
		case 3: r = evtag_unmarshal_header(b, &u); break;
		case 4: r = evtag_consume(b); break;
		case 5: r = evtag_unmarshal(b, &u, d); break;
		case 6: r = evtag_unmarshal_int(b, need, &u); break;
		case 7: r = evtag_unmarshal_int64(b, need, &u64); break;
		case 8: r = evtag_unmarshal_fixed(b, need, fixed, rnd() % 9); break;
		case 9: r = evtag_unmarshal_string(b, need, &s); break;
		case 10: r = evtag_unmarshal_timeval(b, need, &tv); break;
		case 11: r = evtag_decode_tag(&u, b); break;
		case 12: r = evtag_decode_int(&u, b); break;
		case 13: r = evtag_decode_int64(&u64, b); break;
		}
		results[which][r < 0 ? 0 : r == 0 ? 1 : 2]++;
		mix_u64((ev_uint64_t)which);
		mix_u64((ev_uint64_t)r);
		mix_u64(u);
		mix_u64(u64);
		mix(fixed, sizeof fixed);
		mix_u64((ev_uint64_t)tv.tv_sec);
		mix_u64((ev_uint64_t)tv.tv_usec);
		if (s) {
			mix(s, strlen(s) + 1);
			free(s);
		}
		mix_buf(b);
		mix_buf(d);
		evbuffer_drain(d, evbuffer_get_length(d));
	}
	for (i = 0; i < 14; i++)
		printf("decoder %2d: failed %d zero %d positive %d\n", i, results[i][0], results[i][1], results[i][2]);
	printf("damaged streams digest %016llx\n", (unsigned long long)digest);

	evbuffer_free(b);
	evbuffer_free(d);
	libevent_global_shutdown();
	return 0;
}
