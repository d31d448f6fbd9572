/*
 * Differential fuzzing of evtag decoding: every input is decoded by real
 * libevent and by ours, each loaded into its own link-map namespace
 * (dlmopen), and the two must agree on every result, stored value and the
 * bytes left in the buffer. Built with libFuzzer (tests/fuzz_tag.sh).
 *
 * Input: byte 0 picks the call, byte 1 the tag it asks for (need_tag),
 * byte 2 how the rest is cut into evbuffer chains; the rest is the data.
 *
 * FUZZ_TAG_REAL / FUZZ_TAG_OURS: paths of the two libevent-2.1.so.7 files.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>

struct evbuffer;

struct lib {
	const char *name;
	void *h;
	struct evbuffer *(*buf_new)(void);
	void (*buf_free)(struct evbuffer *);
	int (*add)(struct evbuffer *, const void *, size_t);
	int (*add_buffer)(struct evbuffer *, struct evbuffer *);
	size_t (*length)(const struct evbuffer *);
	long (*copyout)(struct evbuffer *, void *, size_t);
	void (*free_)(void *);
	int (*peek)(struct evbuffer *, uint32_t *);
	int (*peek_length)(struct evbuffer *, uint32_t *);
	int (*payload_length)(struct evbuffer *, uint32_t *);
	int (*unmarshal_header)(struct evbuffer *, uint32_t *);
	int (*consume)(struct evbuffer *);
	int (*unmarshal)(struct evbuffer *, uint32_t *, struct evbuffer *);
	int (*unmarshal_int)(struct evbuffer *, uint32_t, uint32_t *);
	int (*unmarshal_int64)(struct evbuffer *, uint32_t, uint64_t *);
	int (*unmarshal_fixed)(struct evbuffer *, uint32_t, void *, size_t);
	int (*unmarshal_string)(struct evbuffer *, uint32_t, char **);
	int (*unmarshal_timeval)(struct evbuffer *, uint32_t, struct timeval *);
	int (*decode_tag)(uint32_t *, struct evbuffer *);
	int (*decode_int)(uint32_t *, struct evbuffer *);
	int (*decode_int64)(uint64_t *, struct evbuffer *);
};

static struct lib libs[2];

static void *sym(struct lib *l, const char *name)
{
	void *p = dlsym(l->h, name);
	if (!p) {
		fprintf(stderr, "fuzz_tag: %s: no %s\n", l->name, name);
		exit(2);
	}
	return p;
}

static void load(struct lib *l, const char *name, const char *env, const char *dflt)
{
	const char *path = getenv(env);
	l->name = name;
	l->h = dlmopen(LM_ID_NEWLM, path ? path : dflt, RTLD_NOW | RTLD_LOCAL);
	if (!l->h) {
		fprintf(stderr, "fuzz_tag: %s: %s\n", name, dlerror());
		exit(2);
	}
#define S(field, n) *(void **)&l->field = sym(l, n)
	S(buf_new, "evbuffer_new"); S(buf_free, "evbuffer_free"); S(add, "evbuffer_add");
	S(add_buffer, "evbuffer_add_buffer"); S(length, "evbuffer_get_length");
	S(copyout, "evbuffer_copyout"); S(free_, "free");
	S(peek, "evtag_peek"); S(peek_length, "evtag_peek_length");
	S(payload_length, "evtag_payload_length"); S(unmarshal_header, "evtag_unmarshal_header");
	S(consume, "evtag_consume"); S(unmarshal, "evtag_unmarshal");
	S(unmarshal_int, "evtag_unmarshal_int"); S(unmarshal_int64, "evtag_unmarshal_int64");
	S(unmarshal_fixed, "evtag_unmarshal_fixed"); S(unmarshal_string, "evtag_unmarshal_string");
	S(unmarshal_timeval, "evtag_unmarshal_timeval"); S(decode_tag, "evtag_decode_tag");
	S(decode_int, "evtag_decode_int"); S(decode_int64, "evtag_decode_int64");
#undef S
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	load(&libs[0], "libevent", "FUZZ_TAG_REAL", "libevent-2.1.so.7");
	load(&libs[1], "ours", "FUZZ_TAG_OURS", "build/lib/libevent-2.1.so.7");
	return 0;
}

/* What one call did, in a form two libraries can be compared by. */
struct outcome {
	int r;
	uint32_t u;
	uint64_t u64;
	unsigned char fixed[16];
	long sec, usec;
	size_t slen;
	char s[256];
	int s_set;
	size_t left, dst_len;
	unsigned char left_bytes[256], dst_bytes[256];
};

static void run(struct lib *l, const uint8_t *d, size_t n, struct outcome *o)
{
	struct evbuffer *b = l->buf_new(), *dst = l->buf_new(), *piece = l->buf_new();
	unsigned which = d[0] % 14, cut = d[2] % 8 + 1;
	uint32_t need = d[1] & 0x80 ? d[1] : d[1] % 4;
	size_t k, fixed_len = d[2] >> 4;
	char *s = (char *)o; /* a value libevent overwrites or leaves */
	struct timeval tv = { 7, 8 };

	memset(o, 0, sizeof *o);
	o->u = 0x5a5a5a5a;
	o->u64 = 0x5a5a5a5a5a5aULL;
	memset(o->fixed, 0xee, sizeof o->fixed);
	d += 3;
	n -= 3;
	for (k = 0; k < n; k += cut) {
		size_t m = n - k < cut ? n - k : cut;
		l->add(piece, d + k, m);
		l->add_buffer(b, piece);
	}
	switch (which) {
	case 0: o->r = l->peek(b, &o->u); break;
	case 1: o->r = l->peek_length(b, &o->u); break;
	case 2: o->r = l->payload_length(b, &o->u); break;
	case 3: o->r = l->unmarshal_header(b, &o->u); break;
	case 4: o->r = l->consume(b); break;
	case 5: o->r = l->unmarshal(b, &o->u, dst); break;
	case 6: o->r = l->unmarshal_int(b, need, &o->u); break;
	case 7: o->r = l->unmarshal_int64(b, need, &o->u64); break;
	case 8: o->r = l->unmarshal_fixed(b, need, o->fixed, fixed_len); break;
	case 9: o->r = l->unmarshal_string(b, need, &s); break;
	case 10: o->r = l->unmarshal_timeval(b, need, &tv); break;
	case 11: o->r = l->decode_tag(&o->u, b); break;
	case 12: o->r = l->decode_int(&o->u, b); break;
	case 13: o->r = l->decode_int64(&o->u64, b); break;
	}
	o->sec = tv.tv_sec;
	o->usec = tv.tv_usec;
	if (s != (char *)o) {
		o->s_set = 1;
		if (s) {
			o->slen = strlen(s);
			memcpy(o->s, s, o->slen < sizeof o->s ? o->slen : sizeof o->s);
			l->free_(s);
		}
	}
	o->left = l->length(b);
	l->copyout(b, o->left_bytes, sizeof o->left_bytes);
	o->dst_len = l->length(dst);
	l->copyout(dst, o->dst_bytes, sizeof o->dst_bytes);
	l->buf_free(b);
	l->buf_free(dst);
	l->buf_free(piece);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct outcome a, b;
	if (size < 3 || size > 200)
		return -1;
	run(&libs[0], data, size, &a);
	run(&libs[1], data, size, &b);
	if (memcmp(&a, &b, sizeof a) != 0) {
		size_t i;
		fprintf(stderr, "fuzz_tag: libevent and ours differ on call %u: r %d/%d u %#x/%#x u64 %#llx/%#llx "
		    "sec %ld/%ld usec %ld/%ld left %zu/%zu dst %zu/%zu s_set %d/%d slen %zu/%zu\ninput:",
		    data[0] % 14, a.r, b.r, a.u, b.u, (unsigned long long)a.u64, (unsigned long long)b.u64,
		    a.sec, b.sec, a.usec, b.usec, a.left, b.left, a.dst_len, b.dst_len, a.s_set, b.s_set,
		    a.slen, b.slen);
		for (i = 0; i < size; i++)
			fprintf(stderr, " %02x", data[i]);
		fprintf(stderr, "\n");
		abort();
	}
	return 0;
}
