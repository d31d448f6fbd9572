/* Covers: the cap on one evbuffer_read (4096 bytes in libevent 2.1, also
 * through a bufferevent-style read of "as much as is waiting"), and
 * libevent 2.2's evbuffer_set_max_read / evbuffer_get_max_read where the
 * library has them (ours; real 2.1 lacks them, so they are referenced
 * weakly): default 4096, bad values refused, a raised cap honoured by
 * evbuffer_read, an explicit howmuch still honoured. The output is the
 * same either way: the 2.2 checks print their details only on failure.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

extern int evbuffer_set_max_read(struct evbuffer *buf, size_t max) __attribute__((weak));
extern size_t evbuffer_get_max_read(struct evbuffer *buf) __attribute__((weak));

static char data[200000];

static void fill(int fd, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t w = write(fd, data + done, n - done);
		if (w <= 0)
			break;
		done += (size_t)w;
	}
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	int sv[2], r, failures = 0, sz = 1 << 20;

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &sz, sizeof(sz));
	setsockopt(sv[1], SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	memset(data, 'm', sizeof(data));

	fill(sv[0], 100000);
	r = evbuffer_read(b, sv[1], -1);
	printf("default read of 100000 waiting -> %d\n", r);
	r = evbuffer_read(b, sv[1], 10000);
	printf("read asking 10000 -> %d\n", r);
	evbuffer_drain(b, evbuffer_get_length(b));
	while (evbuffer_read(b, sv[1], -1) > 0)
		;
	evbuffer_drain(b, evbuffer_get_length(b));

	if (evbuffer_set_max_read && evbuffer_get_max_read) {
		if (evbuffer_get_max_read(b) != 4096) {
			printf("FAIL default max_read %zu\n", evbuffer_get_max_read(b));
			failures++;
		}
		if (evbuffer_set_max_read(b, 0) != -1 || evbuffer_set_max_read(b, (size_t)INT_MAX + 1) != -1) {
			printf("FAIL bad max_read accepted\n");
			failures++;
		}
		if (evbuffer_set_max_read(b, 65536) != 0 || evbuffer_get_max_read(b) != 65536) {
			printf("FAIL set 65536\n");
			failures++;
		}
		fill(sv[0], 100000);
		r = evbuffer_read(b, sv[1], -1);
		if (r != 65536) {
			printf("FAIL read with max 65536 -> %d\n", r);
			failures++;
		}
		r = evbuffer_read(b, sv[1], 1000);
		if (r != 1000) {
			printf("FAIL read asking 1000 -> %d\n", r);
			failures++;
		}
		r = evbuffer_read(b, sv[1], -1);
		if (r != 100000 - 65536 - 1000) {
			printf("FAIL rest -> %d\n", r);
			failures++;
		}
		if (evbuffer_get_length(b) != 100000) {
			printf("FAIL length %zu\n", evbuffer_get_length(b));
			failures++;
		}
	}
	printf("max_read checks: %s\n", failures ? "failed" : "ok");
	close(sv[0]);
	close(sv[1]);
	evbuffer_free(b);
	libevent_global_shutdown();
	return 0;
}
