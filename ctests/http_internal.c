/* Covers: libevent's internal http names that its libevent_extra exports
 * (http-internal.h; used by libevent's own tests): evhttp_parse_firstline_,
 * evhttp_parse_headers_ (requests and responses, complete, partial, bad),
 * evhttp_decode_uri_internal, evhttp_response_code_. Declared here with
 * libevent's signatures, as those tests declare them.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <stdio.h>
#include <string.h>

int evhttp_parse_firstline_(struct evhttp_request *, struct evbuffer *);
int evhttp_parse_headers_(struct evhttp_request *, struct evbuffer *);
int evhttp_decode_uri_internal(const char *uri, size_t length, char *ret, int decode_plus);
void evhttp_response_code_(struct evhttp_request *, int, const char *);

static void parse(const char *label, enum evhttp_request_kind kind, const char *text)
{
	struct evhttp_request *req = evhttp_request_new(NULL, NULL);
	struct evbuffer *buf = evbuffer_new();
	struct evkeyval *kv;
	int a, b = 99;
	req->kind = kind;
	evbuffer_add(buf, text, strlen(text));
	a = evhttp_parse_firstline_(req, buf);
	if (a == 1)
		b = evhttp_parse_headers_(req, buf);
	printf("%s: firstline=%d headers=%d type=%d uri=%s v=%d.%d code=%d line=%s left=%zu headers_size=%zu\n",
	    label, a, b, (int)req->type, req->uri ? req->uri : "(null)", req->major, req->minor,
	    req->response_code, req->response_code_line ? req->response_code_line : "(null)",
	    evbuffer_get_length(buf), req->headers_size);
	for (kv = req->input_headers->tqh_first; kv; kv = kv->next.tqe_next)
		printf("  [%s: %s]\n", kv->key, kv->value);
	evbuffer_free(buf);
	evhttp_request_free(req);
}

int main(void)
{
	struct evhttp_request *req;
	char out[64];
	static const char *dec[] = { "a+b%20c?d+e", "%41%4", "+?+", "" };
	size_t i;
	int m;

	parse("request", EVHTTP_REQUEST, "GET /x?y HTTP/1.1\r\nHost: h\r\nX:  v  \r\n\r\nrest");
	parse("request partial", EVHTTP_REQUEST, "POST /p HTTP/1.0\r\nContent-Length: 3\r\n");
	parse("request no line end", EVHTTP_REQUEST, "GET /x HT");
	parse("request bad line", EVHTTP_REQUEST, "GARBAGE\r\n\r\n");
	parse("request folded", EVHTTP_REQUEST, "GET / HTTP/1.1\r\nA: 1\r\n  2\r\n\r\n");
	parse("request no colon", EVHTTP_REQUEST, "GET / HTTP/1.1\r\nNoColon\r\n\r\n");
	parse("response", EVHTTP_RESPONSE, "HTTP/1.1 404 Not Here\r\nContent-Length: 0\r\n\r\n");
	parse("response no reason", EVHTTP_RESPONSE, "HTTP/1.0 200\r\n\r\n");
	parse("response bad", EVHTTP_RESPONSE, "HTTP/1.1\r\n\r\n");
	for (i = 0; i < sizeof(dec) / sizeof(dec[0]); i++)
		for (m = -1; m <= 1; m++) {
			int n = evhttp_decode_uri_internal(dec[i], strlen(dec[i]), out, m);
			printf("decode [%s] plus=%d -> %d [%s]\n", dec[i], m, n, out);
		}
	req = evhttp_request_new(NULL, NULL);
	evhttp_response_code_(req, 418, NULL);
	printf("response_code_: %d %s kind=%d\n", req->response_code, req->response_code_line, (int)req->kind);
	evhttp_response_code_(req, 201, "Made");
	printf("response_code_: %d %s\n", req->response_code, req->response_code_line);
	evhttp_request_free(req);
	libevent_global_shutdown();
	return 0;
}
