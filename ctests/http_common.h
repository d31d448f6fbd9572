/* Helpers of the http_*.c parity tests: an evhttp server on 127.0.0.1 port 0
 * answered by a raw-socket client in a thread of the same program, which
 * prints the exact bytes it got back (the Date header's value normalized).
 * The loop runs until the client thread says it is done through a pipe. */
#ifndef HTTP_COMMON_H
#define HTTP_COMMON_H

#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/http_struct.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static int http_port(struct evhttp_bound_socket *b)
{
	struct sockaddr_in sin;
	socklen_t len = sizeof(sin);
	if (getsockname(evhttp_bound_socket_get_fd(b), (struct sockaddr *)&sin, &len) != 0)
		return -1;
	return ntohs(sin.sin_port);
}

struct raw_job {
	int port;
	const char *parts[8];   /* sent one after the other, 50 ms apart */
	size_t lens[8];         /* their lengths when not 0 (bytes with NULs) */
	int half_close;         /* shutdown(SHUT_WR) after the last part */
	int idle_ms;            /* stop reading after this long without data */
	char out[65536];
	size_t outlen;
	int closed;             /* the server closed (EOF) */
	int reset;              /* read failed (ECONNRESET) */
	int done_fd;
};

static void *raw_thread(void *arg)
{
	struct raw_job *j = arg;
	struct sockaddr_in sin;
	int fd = socket(AF_INET, SOCK_STREAM, 0), i;
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_port = htons(j->port);
	sin.sin_addr.s_addr = htonl(0x7f000001);
	j->outlen = 0;
	j->closed = j->reset = 0;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) != 0) {
		j->reset = 2;
		goto out;
	}
	for (i = 0; i < 8 && j->parts[i]; i++) {
		size_t n = j->lens[i] ? j->lens[i] : strlen(j->parts[i]);
		if (i) usleep(50000);
		if (send(fd, j->parts[i], n, MSG_NOSIGNAL) != (ssize_t)n)
			break;
	}
	if (j->half_close)
		shutdown(fd, SHUT_WR);
	for (;;) {
		struct pollfd p = { fd, POLLIN, 0 };
		ssize_t n;
		if (poll(&p, 1, j->idle_ms ? j->idle_ms : 400) <= 0)
			break;
		n = recv(fd, j->out + j->outlen, sizeof(j->out) - 1 - j->outlen, 0);
		if (n == 0) { j->closed = 1; break; }
		if (n < 0) { j->reset = 1; break; }
		j->outlen += n;
	}
out:
	j->out[j->outlen] = 0;
	close(fd);
	if (write(j->done_fd, "x", 1) != 1)
		perror("write");
	return NULL;
}

static void raw_done_cb(evutil_socket_t fd, short what, void *arg)
{
	char c;
	(void)what;
	if (read(fd, &c, 1) == 1)
		event_base_loopbreak(arg);
}

/* Prints the bytes: one line per CRLF line, "\r" shown, Date normalized. */
static void print_bytes(const char *label, const char *s, size_t n)
{
	size_t i = 0;
	printf("%s (%zu bytes):\n", label, n);
	while (i < n) {
		size_t e = i;
		while (e < n && s[e] != '\n') e++;
		printf("  |");
		if (e - i >= 6 && !strncmp(s + i, "Date: ", 6)) {
			printf("Date: <date>%s", (e > i && s[e - 1] == '\r') ? "\\r" : "");
		} else {
			size_t k;
			for (k = i; k < e; k++) {
				unsigned char c = s[k];
				if (c == '\r') printf("\\r");
				else if (c < 32 || c > 126) printf("\\x%02x", c);
				else putchar(c);
			}
		}
		printf("%s\n", e < n ? "\\n" : "");
		i = e + 1;
	}
}

/* Runs one raw exchange against port while base loops. */
static void raw_run(struct event_base *base, struct raw_job *j, const char *label)
{
	int p[2];
	pthread_t t;
	struct event *ev;
	if (pipe(p) != 0) { perror("pipe"); exit(1); }
	j->done_fd = p[1];
	ev = event_new(base, p[0], EV_READ | EV_PERSIST, raw_done_cb, base);
	event_add(ev, NULL);
	pthread_create(&t, NULL, raw_thread, j);
	event_base_dispatch(base);
	pthread_join(t, NULL);
	event_free(ev);
	close(p[0]);
	close(p[1]);
	print_bytes(label, j->out, j->outlen);
	printf("  closed=%d reset=%d\n", j->closed, j->reset);
}

static void print_headers(const char *label, struct evkeyvalq *h)
{
	struct evkeyval *kv;
	printf("  %s:", label);
	for (kv = h->tqh_first; kv; kv = kv->next.tqe_next)
		printf(" [%s: %s]", kv->key, kv->value);
	printf("\n");
}

#endif
