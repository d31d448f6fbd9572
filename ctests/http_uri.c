/* Covers: evhttp_uri_parse, evhttp_uri_parse_with_flags, evhttp_uri_join, evhttp_uri_new,
 * evhttp_uri_free, evhttp_uri_set_flags, every evhttp_uri_get_* and evhttp_uri_set_*,
 * evhttp_encode_uri, evhttp_uriencode, evhttp_decode_uri, evhttp_uridecode,
 * evhttp_htmlescape, evhttp_parse_query, evhttp_parse_query_str, evhttp_add_header,
 * evhttp_find_header, evhttp_remove_header, evhttp_clear_headers.
 */
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define S(x) ((x) ? (x) : "(null)")

static void show_uri(const char *text, unsigned flags)
{
	struct evhttp_uri *u = evhttp_uri_parse_with_flags(text, flags);
	char buf[512];
	printf("[%s] f=%u: ", text, flags);
	if (!u) { printf("NULL\n"); return; }
	printf("scheme=%s userinfo=%s host=%s port=%d path=%s query=%s fragment=%s join=%s\n",
	    S(evhttp_uri_get_scheme(u)), S(evhttp_uri_get_userinfo(u)), S(evhttp_uri_get_host(u)),
	    evhttp_uri_get_port(u), S(evhttp_uri_get_path(u)), S(evhttp_uri_get_query(u)),
	    S(evhttp_uri_get_fragment(u)), S(evhttp_uri_join(u, buf, sizeof(buf))));
	evhttp_uri_free(u);
}

static void show_query(const char *q, int whole)
{
	struct evkeyvalq h;
	struct evkeyval *kv;
	int r = whole ? evhttp_parse_query(q, &h) : evhttp_parse_query_str(q, &h);
	printf("query%s [%s] -> %d:", whole ? "" : "_str", q, r);
	for (kv = h.tqh_first; kv; kv = kv->next.tqe_next)
		printf(" {%s=%s}", kv->key, kv->value);
	printf("\n");
	evhttp_clear_headers(&h);
}

int main(void)
{
	static const char *uris[] = {
		"http://www.example.com/", "http://user:pass@host:8080/p/a/t/h?query=1&b=2#frag",
		"https://[::1]:443/x", "http://[v7.future]/", "http://[bad]/", "http://[::1/",
		"ftp://host", "http://host:/", "http://host:65535/", "http://host:65536/",
		"http://host:12a/", "//host/path", "/just/a/path?q#f", "relative/path", "a:b",
		"mailto:someone@example.com", "foo:/bar", "http://h/%zz", "http://h/a b",
		"http://h/?q=a b", "http://h/#a#b", "?q", "#f", "", "http://", "http:", "1http://x/",
		"http://h/p?q?x=1#f?g", "http://us%41er@h/", "http://us%4@h/", "http://h%41st/",
		"x://a@b@c/", "http://h/p:q", "HTTP://H/", "http://h:0/", "//h:99999", "/a/../b/./c",
		"http://h/\xc3\xa9", "s+.-1:rest", "+x:y",
	};
	static const char *nc[] = { "/a b?c d#e f", "http://h/a b", "/x?y#z#w", "bad[]/?q" };
	struct evhttp_uri *u;
	char buf[64], *s;
	size_t i, n;
	struct evkeyvalq h;

	for (i = 0; i < sizeof(uris) / sizeof(uris[0]); i++) show_uri(uris[i], 0);
	for (i = 0; i < sizeof(nc) / sizeof(nc[0]); i++) show_uri(nc[i], EVHTTP_URI_NONCONFORMANT);

	u = evhttp_uri_parse("http://plain.example/x?y#z");
	printf("uri_parse: host=%s path=%s\n", S(evhttp_uri_get_host(u)), S(evhttp_uri_get_path(u)));
	evhttp_uri_free(u);
	printf("uri_parse nonconformant text: %s\n", evhttp_uri_parse("/a b") ? "parsed" : "NULL");
	u = evhttp_uri_new();
	printf("new: port=%d join=%s\n", evhttp_uri_get_port(u), S(evhttp_uri_join(u, buf, sizeof(buf))));
	printf("set_scheme http=%d 1x=%d\n", evhttp_uri_set_scheme(u, "http"), evhttp_uri_set_scheme(u, "1x"));
	printf("set_userinfo ok=%d bad=%d\n", evhttp_uri_set_userinfo(u, "me:pw"), evhttp_uri_set_userinfo(u, "a@b"));
	printf("set_host ok=%d ipv6=%d bad6=%d bad=%d\n", evhttp_uri_set_host(u, "h.example"),
	    evhttp_uri_set_host(u, "[::2]"), evhttp_uri_set_host(u, "[zz]"), evhttp_uri_set_host(u, "a b"));
	printf("set_port 80=%d -1=%d -2=%d\n", evhttp_uri_set_port(u, 80), evhttp_uri_set_port(u, -1),
	    evhttp_uri_set_port(u, -2));
	evhttp_uri_set_port(u, 8080);
	printf("set_path ok=%d bad=%d q=%d\n", evhttp_uri_set_path(u, "/a/b"), evhttp_uri_set_path(u, "/a b"),
	    evhttp_uri_set_path(u, "/a?b"));
	printf("set_query ok=%d bad=%d\n", evhttp_uri_set_query(u, "x=1&y=?"), evhttp_uri_set_query(u, "x#"));
	printf("set_fragment ok=%d bad=%d\n", evhttp_uri_set_fragment(u, "frag?x"), evhttp_uri_set_fragment(u, "a#b"));
	printf("join=%s\n", S(evhttp_uri_join(u, buf, sizeof(buf))));
	printf("join small=%s\n", S(evhttp_uri_join(u, buf, 10)));
	evhttp_uri_set_path(u, "rel");
	printf("join rel with host=%s\n", S(evhttp_uri_join(u, buf, sizeof(buf))));
	evhttp_uri_set_host(u, NULL);
	printf("join no host=%s\n", S(evhttp_uri_join(u, buf, sizeof(buf))));
	evhttp_uri_set_flags(u, EVHTTP_URI_NONCONFORMANT);
	printf("nonconformant set_path=%d\n", evhttp_uri_set_path(u, "/a b"));
	evhttp_uri_set_scheme(u, NULL); evhttp_uri_set_userinfo(u, NULL); evhttp_uri_set_query(u, NULL);
	evhttp_uri_set_fragment(u, NULL);
	printf("join cleared=%s\n", S(evhttp_uri_join(u, buf, sizeof(buf))));
	evhttp_uri_free(u);

	s = evhttp_encode_uri("a b&c=d/é~_.-!*'()"); printf("encode=%s\n", s); free(s);
	s = evhttp_uriencode("a b+c", -1, 1); printf("uriencode plus=%s\n", s); free(s);
	s = evhttp_uriencode("a\0b c", 5, 0); printf("uriencode len=%s\n", s); free(s);
	s = evhttp_uriencode("abc", 0, 0); printf("uriencode 0=[%s]\n", s); free(s);
	s = evhttp_decode_uri("a+b%20c?d+e%2"); printf("decode=%s\n", s); free(s);
	s = evhttp_decode_uri("%41%4a%4A%zz%"); printf("decode2=%s\n", s); free(s);
	s = evhttp_uridecode("a+b%20c?d+e", 0, &n); printf("uridecode0=%s n=%zu\n", s, n); free(s);
	s = evhttp_uridecode("a+b%20c?d+e", 1, &n); printf("uridecode1=%s n=%zu\n", s, n); free(s);
	s = evhttp_uridecode("x%00y", 1, &n); printf("uridecode nul n=%zu first=%s\n", n, s); free(s);
	s = evhttp_uridecode("%4", 1, NULL); printf("uridecode short=%s\n", s); free(s);
	s = evhttp_htmlescape("<a href=\"x\">'&'</a>"); printf("html=%s\n", s); free(s);
	s = evhttp_htmlescape(""); printf("html empty=[%s]\n", s); free(s);

	show_query("http://h/p?a=1&b=hello+world&c=%41%42&d=", 1);
	show_query("/p?a=1&&b=2", 1);
	show_query("/p?a&b=2", 1);
	show_query("/p?=x", 1);
	show_query("/p", 1);
	show_query("/p?", 1);
	show_query("/p?a=1&", 1);
	show_query("bad uri with spaces?a=1", 1);
	show_query("a=1&b=%zz&c=a=b", 0);
	show_query("", 0);
	show_query("k%20y=v", 0);

	h.tqh_first = NULL; h.tqh_last = &h.tqh_first;
	printf("add ok=%d cr key=%d lf val=%d cont val=%d crlf-x=%d\n",
	    evhttp_add_header(&h, "Key", "v1"), evhttp_add_header(&h, "K\rey", "v"),
	    evhttp_add_header(&h, "K", "a\nb"), evhttp_add_header(&h, "Cont", "a\r\n b"),
	    evhttp_add_header(&h, "K", "a\r\nb"));
	evhttp_add_header(&h, "key", "v2");
	evhttp_add_header(&h, "Other", "");
	printf("find KEY=%s other=[%s] none=%s\n", S(evhttp_find_header(&h, "KEY")),
	    S(evhttp_find_header(&h, "other")), S(evhttp_find_header(&h, "none")));
	printf("remove key=%d again=%d third=%d none=%d\n", evhttp_remove_header(&h, "key"),
	    evhttp_remove_header(&h, "KEY"), evhttp_remove_header(&h, "key"), evhttp_remove_header(&h, "x"));
	printf("left:");
	{ struct evkeyval *kv; for (kv = h.tqh_first; kv; kv = kv->next.tqe_next) printf(" {%s=%s}", kv->key, kv->value); }
	printf("\n");
	evhttp_clear_headers(&h);
	printf("cleared first=%p last-ok=%d\n", (void *)h.tqh_first, h.tqh_last == &h.tqh_first);
	libevent_global_shutdown();
	return 0;
}
