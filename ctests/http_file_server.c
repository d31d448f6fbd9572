/* Covers: libevent's documented http-server behaviour (its sample http-server: a
 * file and directory server written on the public API) built on our headers:
 * evhttp_request_get_evhttp_uri, evhttp_uri_get_path, evhttp_uridecode,
 * evhttp_htmlescape, evhttp_add_header on the output headers, evhttp_send_reply
 * with a file's bytes (evbuffer_add_file), directory listings, 404 and 400
 * pages, a POST whose body the callback reports. Files live in a mkdtemp dir.
 * ctest-timeout: 30
 */
#include "http_common.h"
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

static char docroot[64];

static const char *guess_type(const char *path)
{
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/')) return "application/misc";
	if (!strcmp(dot, ".txt")) return "text/plain";
	if (!strcmp(dot, ".html")) return "text/html";
	return "application/misc";
}

static int cmp(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void send_doc(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *u = evhttp_request_get_evhttp_uri(req);
	const char *path;
	char *decoded = NULL, whole[512];
	struct stat st;
	struct evbuffer *evb = NULL;
	(void)arg;
	printf("  request: %s %s\n", evhttp_request_get_command(req) == EVHTTP_REQ_POST ? "POST" : "GET",
	    evhttp_request_get_uri(req));
	if (evhttp_request_get_command(req) == EVHTTP_REQ_POST) {
		printf("  post body: %zu bytes\n", evbuffer_get_length(evhttp_request_get_input_buffer(req)));
		evhttp_send_reply(req, 200, "OK", NULL);
		return;
	}
	path = evhttp_uri_get_path(u);
	if (!path) path = "/";
	decoded = evhttp_uridecode(path, 0, NULL);
	if (!decoded || strstr(decoded, "..")) {
		evhttp_send_error(req, HTTP_BADREQUEST, NULL);
		free(decoded);
		return;
	}
	snprintf(whole, sizeof(whole), "%s%s", docroot, decoded);
	if (stat(whole, &st) < 0) {
		evhttp_send_error(req, HTTP_NOTFOUND, "Document was not found");
		free(decoded);
		return;
	}
	evb = evbuffer_new();
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(whole);
		struct dirent *ent;
		char *names[32];
		int n = 0, i;
		const char *trailing = (strlen(decoded) && decoded[strlen(decoded) - 1] == '/') ? "" : "/";
		char *esc = evhttp_htmlescape(decoded);
		evbuffer_add_printf(evb, "<!DOCTYPE html>\n<html>\n <head><title>%s</title><base href='%s%s'></head>\n"
		    " <body>\n  <h1>%s</h1>\n  <ul>\n", esc, esc, trailing, esc);
		while ((ent = readdir(d)) && n < 32)
			if (ent->d_name[0] != '.') names[n++] = strdup(ent->d_name);
		closedir(d);
		qsort(names, n, sizeof(names[0]), cmp);
		for (i = 0; i < n; i++) {
			char *e = evhttp_htmlescape(names[i]);
			evbuffer_add_printf(evb, "    <li><a href=\"%s\">%s</a>\n", e, e);
			free(e);
			free(names[i]);
		}
		evbuffer_add_printf(evb, "</ul></body></html>\n");
		free(esc);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", "text/html");
	} else {
		int fd = open(whole, O_RDONLY);
		evhttp_add_header(evhttp_request_get_output_headers(req), "Content-Type", guess_type(decoded));
		evbuffer_add_file(evb, fd, 0, st.st_size);
	}
	evhttp_send_reply(req, 200, "OK", evb);
	evbuffer_free(evb);
	free(decoded);
}

static void put_file(const char *name, const char *text)
{
	char p[256];
	FILE *f;
	snprintf(p, sizeof(p), "%s/%s", docroot, name);
	f = fopen(p, "w");
	fputs(text, f);
	fclose(f);
}

int main(void)
{
	struct event_base *base = event_base_new();
	struct evhttp *http = evhttp_new(base);
	struct evhttp_bound_socket *b = evhttp_bind_socket_with_handle(http, "127.0.0.1", 0);
	struct raw_job *j = calloc(1, sizeof(*j));
	char sub[128];
	static const char *reqs[][2] = {
		{ "directory", "GET / HTTP/1.1\r\nHost: files\r\nConnection: close\r\n\r\n" },
		{ "text file", "GET /hello.txt HTTP/1.1\r\nConnection: close\r\n\r\n" },
		{ "escaped name", "GET /a%20%3Cb%3E.html HTTP/1.1\r\nConnection: close\r\n\r\n" },
		{ "subdirectory", "GET /sub HTTP/1.0\r\n\r\n" },
		{ "file in sub, keep-alive 1.0", "GET /sub/data.bin HTTP/1.0\r\nConnection: keep-alive\r\n\r\n" },
		{ "missing", "GET /nope.txt HTTP/1.1\r\n\r\n" },
		{ "dot dot", "GET /sub/../hello.txt HTTP/1.1\r\n\r\n" },
		{ "post", "POST /upload HTTP/1.1\r\nContent-Length: 10\r\nConnection: close\r\n\r\n0123456789" },
		{ "HEAD of a file", "HEAD /hello.txt HTTP/1.1\r\nConnection: close\r\n\r\n" },
	};
	size_t i;
	strcpy(docroot, "/tmp/http_docs_XXXXXX");
	if (!mkdtemp(docroot)) return 1;
	put_file("hello.txt", "Hello, file server.\n");
	put_file("a <b>.html", "<p>escaped</p>\n");
	snprintf(sub, sizeof(sub), "%s/sub", docroot);
	mkdir(sub, 0700);
	put_file("sub/data.bin", "binary-ish\x01\x02\n");
	evhttp_set_gencb(http, send_doc, NULL);
	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		memset(j, 0, sizeof(*j));
		j->port = http_port(b);
		j->parts[0] = reqs[i][1];
		printf("== %s\n", reqs[i][0]);
		raw_run(base, j, "response");
		fflush(stdout);
	}
	{
		char p[256];
		snprintf(p, sizeof(p), "%s/sub/data.bin", docroot); unlink(p);
		rmdir(sub);
		snprintf(p, sizeof(p), "%s/hello.txt", docroot); unlink(p);
		snprintf(p, sizeof(p), "%s/a <b>.html", docroot); unlink(p);
		rmdir(docroot);
	}
	free(j);
	evhttp_free(http);
	event_base_free(base);
	libevent_global_shutdown();
	return 0;
}
