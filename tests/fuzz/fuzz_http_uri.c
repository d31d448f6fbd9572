/*
 * Differential fuzzing of evhttp's URI, query and encoding functions: every
 * input goes to real libevent and to ours, each loaded into its own link-map
 * namespace (dlmopen), and the two must agree on every result: parse success,
 * every part, the joined text, setter results, query lists, decoded and
 * encoded strings. Built with libFuzzer (tests/fuzz_http_uri.sh).
 *
 * Input: byte 0 holds the parse flags (bit 0) and the plus options (bits 1-2);
 * the rest is the text (cut at the first NUL, as a C string would be).
 *
 * FUZZ_HTTP_REAL / FUZZ_HTTP_OURS: paths of the two libevent-2.1.so.7 files.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

struct evhttp_uri;
struct kv { struct kv *next; struct kv **prev; char *key, *value; };
struct kvq { struct kv *first; struct kv **last; };

struct lib {
	const char *name;
	void *h;
	struct evhttp_uri *(*parse)(const char *, unsigned);
	void (*uri_free)(struct evhttp_uri *);
	const char *(*get[6])(const struct evhttp_uri *);
	int (*port)(const struct evhttp_uri *);
	char *(*join)(struct evhttp_uri *, char *, size_t);
	int (*set[6])(struct evhttp_uri *, const char *);
	int (*pq)(const char *, struct kvq *);
	int (*pq_str)(const char *, struct kvq *);
	void (*clear)(struct kvq *);
	char *(*decode)(const char *);
	char *(*uridecode)(const char *, int, size_t *);
	char *(*uriencode)(const char *, ssize_t, int);
	char *(*html)(const char *);
	void (*free_)(void *);
};

static struct lib libs[2];

static void *sym(struct lib *l, const char *name)
{
	void *p = dlsym(l->h, name);
	if (!p) { fprintf(stderr, "fuzz_http_uri: %s: no %s\n", l->name, name); exit(2); }
	return p;
}

static void load(struct lib *l, const char *name, const char *env, const char *dflt)
{
	static const char *getters[6] = { "evhttp_uri_get_scheme", "evhttp_uri_get_userinfo", "evhttp_uri_get_host",
	    "evhttp_uri_get_path", "evhttp_uri_get_query", "evhttp_uri_get_fragment" };
	static const char *setters[6] = { "evhttp_uri_set_scheme", "evhttp_uri_set_userinfo", "evhttp_uri_set_host",
	    "evhttp_uri_set_path", "evhttp_uri_set_query", "evhttp_uri_set_fragment" };
	const char *path = getenv(env);
	int i;
	l->name = name;
	l->h = dlmopen(LM_ID_NEWLM, path ? path : dflt, RTLD_NOW | RTLD_LOCAL);
	if (!l->h) { fprintf(stderr, "fuzz_http_uri: %s: %s\n", name, dlerror()); exit(2); }
#define S(field, n) *(void **)&l->field = sym(l, n)
	S(parse, "evhttp_uri_parse_with_flags"); S(uri_free, "evhttp_uri_free"); S(port, "evhttp_uri_get_port");
	S(join, "evhttp_uri_join"); S(pq, "evhttp_parse_query"); S(pq_str, "evhttp_parse_query_str");
	S(clear, "evhttp_clear_headers"); S(decode, "evhttp_decode_uri"); S(uridecode, "evhttp_uridecode");
	S(uriencode, "evhttp_uriencode"); S(html, "evhttp_htmlescape"); S(free_, "free");
#undef S
	for (i = 0; i < 6; i++) {
		*(void **)&l->get[i] = sym(l, getters[i]);
		*(void **)&l->set[i] = sym(l, setters[i]);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc; (void)argv;
	load(&libs[0], "libevent", "FUZZ_HTTP_REAL", "libevent-2.1.so.7");
	load(&libs[1], "ours", "FUZZ_HTTP_OURS", "build/lib/libevent-2.1.so.7");
	return 0;
}

/* Everything one library said about the text, as one string. */
static size_t describe(struct lib *l, const char *s, unsigned opts, char *out, size_t cap)
{
	size_t n = 0;
	struct evhttp_uri *u = l->parse(s, opts & 1);
	struct kvq q;
	struct kv *e;
	char buf[2048], *r;
	size_t sz = 0;
	int i, rc;
#define P(...) do { int k_ = snprintf(out + n, cap - n, __VA_ARGS__); if (k_ > 0) n += (size_t)k_ < cap - n ? (size_t)k_ : cap - n - 1; } while (0)
	if (!u) {
		P("parse=NULL;");
	} else {
		for (i = 0; i < 6; i++) { const char *g = l->get[i](u); P("%d=%s%s;", i, g ? "" : "(null)", g ? g : ""); }
		P("port=%d;", l->port(u));
		r = l->join(u, buf, sizeof(buf));
		P("join=%s;", r ? r : "(null)");
		for (i = 0; i < 6; i++) { rc = l->set[i](u, s); P("set%d=%d;", i, rc); }
		r = l->join(u, buf, sizeof(buf));
		P("join2=%s;", r ? r : "(null)");
		l->uri_free(u);
	}
	rc = l->pq_str(s, &q);
	P("pqs=%d:", rc);
	for (e = q.first; e; e = e->next) P("{%s=%s}", e->key, e->value);
	l->clear(&q);
	rc = l->pq(s, &q);
	P(";pq=%d:", rc);
	for (e = q.first; e; e = e->next) P("{%s=%s}", e->key, e->value);
	l->clear(&q);
	r = l->decode(s); P(";dec=%s", r); l->free_(r);
	r = l->uridecode(s, (opts >> 1) & 1, &sz); P(";udec=%s/%zu", r, sz); l->free_(r);
	r = l->uriencode(s, (opts & 4) ? (ssize_t)strlen(s) / 2 : -1, (opts >> 3) & 1); P(";enc=%s", r); l->free_(r);
	r = l->html(s); P(";html=%s", r); l->free_(r);
#undef P
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char a[65536], b[65536];
	char *s;
	size_t na, nb;
	if (size < 1 || size > 1024) return 0;
	s = malloc(size);
	memcpy(s, data + 1, size - 1);
	s[size - 1] = 0;
	na = describe(&libs[0], s, data[0], a, sizeof(a));
	nb = describe(&libs[1], s, data[0], b, sizeof(b));
	if (na != nb || memcmp(a, b, na)) {
		fprintf(stderr, "fuzz_http_uri: libevent and ours differ on [%s] (opts %u)\n  libevent: %s\n  ours:     %s\n",
		    s, data[0], a, b);
		abort();
	}
	free(s);
	return 0;
}
