/* Covers: a 256 MiB transfer through a non-blocking socketpair with
 * evbuffer_write on one side (data produced with evbuffer_reserve_space /
 * evbuffer_commit_space) and evbuffer_read on the other (consumed with
 * evbuffer_remove), driven by poll(); the checksums of what was produced
 * and what arrived must match, and every word must be where it belongs.
 * ctest-timeout: 120
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TOTAL ((uint64_t)256 << 20)
#define WORD(k) ((uint64_t)(k) * 0x9E3779B97F4A7C15ULL + 12345)

int main(void)
{
	struct evbuffer *out = evbuffer_new(), *in = evbuffer_new();
	int sv[2];
	uint64_t produced = 0, sent = 0, received = 0, consumed = 0;
	uint64_t sum_out = 0, sum_in = 0, bad = 0;
	static uint64_t tmp[8192];

	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	fcntl(sv[1], F_SETFL, O_NONBLOCK);
	while (consumed < TOTAL) {
		struct pollfd p[2];
		/* keep up to 1 MiB queued for writing */
		while (produced < TOTAL && evbuffer_get_length(out) < (1 << 20)) {
			struct evbuffer_iovec v[2];
			int n = evbuffer_reserve_space(out, 65536, v, 2), i;
			for (i = 0; i < n; i++) {
				uint64_t *w = v[i].iov_base;
				size_t words = v[i].iov_len / 8, k;
				if (words > (TOTAL - produced) / 8)
					words = (TOTAL - produced) / 8;
				for (k = 0; k < words; k++) {
					uint64_t x = WORD(produced / 8 + k);
					w[k] = x;
					sum_out += x ^ (x >> 17);
				}
				v[i].iov_len = words * 8;
				produced += words * 8;
			}
			if (evbuffer_commit_space(out, v, n) < 0) {
				printf("commit failed\n");
				return 1;
			}
		}
		p[0].fd = sv[0];
		p[0].events = evbuffer_get_length(out) ? POLLOUT : 0;
		p[1].fd = sv[1];
		p[1].events = POLLIN;
		if (poll(p, 2, 5000) <= 0) {
			printf("stalled\n");
			return 1;
		}
		if (p[0].revents & POLLOUT) {
			int r = evbuffer_write(out, sv[0]);
			if (r > 0)
				sent += r;
		}
		if (p[1].revents & POLLIN) {
			int r;
			while ((r = evbuffer_read(in, sv[1], -1)) > 0)
				received += r;
			if (r == 0) {
				printf("unexpected EOF\n");
				return 1;
			}
		}
		/* consume whole words */
		while (evbuffer_get_length(in) >= 8) {
			size_t n = evbuffer_get_length(in) & ~(size_t)7, k;
			if (n > sizeof(tmp))
				n = sizeof(tmp);
			evbuffer_remove(in, tmp, n);
			for (k = 0; k < n / 8; k++) {
				uint64_t x = tmp[k];
				if (x != WORD(consumed / 8 + k))
					bad++;
				sum_in += x ^ (x >> 17);
			}
			consumed += n;
		}
	}
	printf("produced %llu sent %llu received %llu consumed %llu\n",
	    (unsigned long long)produced, (unsigned long long)sent,
	    (unsigned long long)received, (unsigned long long)consumed);
	printf("checksum out %016llx in %016llx: %s, misplaced words %llu\n",
	    (unsigned long long)sum_out, (unsigned long long)sum_in,
	    sum_out == sum_in ? "match" : "MISMATCH", (unsigned long long)bad);
	printf("left: out %zu in %zu\n", evbuffer_get_length(out), evbuffer_get_length(in));
	close(sv[0]);
	close(sv[1]);
	evbuffer_free(out);
	evbuffer_free(in);
	libevent_global_shutdown();
	return 0;
}
