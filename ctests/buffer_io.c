/* Covers: evbuffer_read and evbuffer_write / evbuffer_write_atmost on
 * non-blocking socketpairs and pipes: the 4096-byte cap of one read,
 * howmuch limits (0, small, negative), reading into the room of existing
 * chains (the chain layout afterwards), EAGAIN (-1 with errno), EOF (0),
 * partial writes into a full socket and draining what was written, a
 * write limit, writing an empty buffer, frozen ends, and EPIPE-free
 * behaviour of a closed pipe reader (SIGPIPE ignored).
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void show(const char *tag, struct evbuffer *b)
{
	struct evbuffer_iovec v[16];
	int n = evbuffer_peek(b, -1, NULL, v, 16), i;
	printf("  %-18s len=%zu chains=%d:", tag, evbuffer_get_length(b), n);
	for (i = 0; i < n && i < 16; i++)
		printf(" %zu", v[i].iov_len);
	printf("\n");
}

static void nonblock(int fd) { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK); }

static const char *err_name(int e)
{
	return e == EAGAIN ? "EAGAIN" : e == EPIPE ? "EPIPE" : e == EBADF ? "EBADF" : "other";
}

static void fill_pattern(char *p, size_t n, size_t start)
{
	size_t i;
	for (i = 0; i < n; i++)
		p[i] = (char)((start + i) * 31 % 251);
}

int main(void)
{
	struct evbuffer *b = evbuffer_new(), *out = evbuffer_new();
	static char data[300000], got[300000];
	int sv[2], pp[2], r, i;
	size_t total, sent;

	signal(SIGPIPE, SIG_IGN);
	fill_pattern(data, sizeof(data), 0);
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	nonblock(sv[0]);
	nonblock(sv[1]);

	/* reads */
	r = evbuffer_read(b, sv[1], -1);
	printf("read nothing -> %d %s\n", r, r < 0 ? err_name(errno) : "");
	write(sv[0], data, 10000);
	r = evbuffer_read(b, sv[1], -1);
	printf("read -1 with 10000 waiting -> %d\n", r);
	show("after read", b);
	r = evbuffer_read(b, sv[1], 100);
	printf("read 100 -> %d\n", r);
	r = evbuffer_read(b, sv[1], 0);
	printf("read 0 -> %d\n", r);
	show("after small reads", b);
	r = evbuffer_read(b, sv[1], 100000);
	printf("read 100000 -> %d\n", r);
	show("after big read", b);
	while ((r = evbuffer_read(b, sv[1], -1)) > 0)
		;
	printf("read until empty, last -> %d %s, len %zu\n", r, r < 0 ? err_name(errno) : "", evbuffer_get_length(b));
	evbuffer_remove(b, got, evbuffer_get_length(b));
	printf("  bytes match: %s\n", memcmp(got, data, 10000) == 0 ? "yes" : "no");

	/* reading into existing room */
	evbuffer_add(b, data, 900);
	write(sv[0], data, 3000);
	r = evbuffer_read(b, sv[1], -1);
	printf("read into 900-byte chain -> %d\n", r);
	show("after read", b);
	evbuffer_drain(b, evbuffer_get_length(b));

	/* reads one chain takes whole: behind misaligned data, exactly the
	 * room left, then one byte more */
	{
		struct evbuffer_iovec room;
		char sink[4096];
		evbuffer_add(b, data, 100);
		evbuffer_drain(b, 40);
		write(sv[0], data, 50);
		r = evbuffer_read(b, sv[1], -1);
		printf("read behind misaligned data -> %d\n", r);
		show("after read", b);
		if (evbuffer_reserve_space(b, 1, &room, 1) == 1) {
			size_t fill = room.iov_len;
			write(sv[0], data, fill);
			r = evbuffer_read(b, sv[1], -1);
			printf("read filling the room -> %d (room was %s)\n", r, (size_t)r == fill ? "all used" : "not all used");
			show("after read", b);
		}
		write(sv[0], data, 1);
		r = evbuffer_read(b, sv[1], -1);
		printf("read one more byte -> %d\n", r);
		show("after read", b);
		/* writes from the first chain alone, and across chains */
		r = evbuffer_write_atmost(b, sv[0], 10);
		printf("write_atmost 10 -> %d\n", r);
		show("after write", b);
		r = evbuffer_write(b, sv[0]);
		printf("write rest -> %d\n", r);
		show("after write", b);
		while (read(sv[1], sink, sizeof sink) > 0)
			;
	}

	/* frozen end */
	write(sv[0], "x", 1);
	evbuffer_freeze(b, 0);
	printf("read on frozen end -> %d\n", evbuffer_read(b, sv[1], -1));
	evbuffer_unfreeze(b, 0);
	printf("read after unfreeze -> %d\n", evbuffer_read(b, sv[1], -1));
	evbuffer_drain(b, 1);

	/* writes */
	printf("write empty -> %d\n", evbuffer_write(out, sv[0]));
	evbuffer_add(out, data, 5000);
	evbuffer_freeze(out, 1);
	printf("write on frozen front -> %d\n", evbuffer_write(out, sv[0]));
	evbuffer_unfreeze(out, 1);
	r = evbuffer_write_atmost(out, sv[0], 1234);
	printf("write_atmost 1234 -> %d, left %zu\n", r, evbuffer_get_length(out));
	r = evbuffer_write_atmost(out, sv[0], 0);
	printf("write_atmost 0 -> %d, left %zu\n", r, evbuffer_get_length(out));
	r = evbuffer_write_atmost(out, sv[0], -1);
	printf("write_atmost -1 -> %d, left %zu\n", r, evbuffer_get_length(out));
	total = 0;
	while ((r = read(sv[1], got + total, sizeof(got) - total)) > 0)
		total += r;
	printf("  received %zu, match %s\n", total, memcmp(got, data, 5000) == 0 ? "yes" : "no");

	/* fill the socket: partial writes, then EAGAIN */
	for (i = 0; i < 10; i++)
		evbuffer_add(out, data + i * 30000, 30000);
	sent = 0;
	for (i = 0; i < 100; i++) {
		r = evbuffer_write(out, sv[0]);
		if (r < 0) {
			printf("  write -> -1 %s after some bytes: %s, bytes left: %s\n", err_name(errno),
			    sent > 0 ? "yes" : "no", evbuffer_get_length(out) > 0 ? "yes" : "no");
			break;
		}
		sent += r;
	}
	printf("  partial: sent+left = %zu\n", sent + evbuffer_get_length(out));
	/* drain the peer and finish */
	total = 0;
	while (evbuffer_get_length(out) > 0 || total < 300000) {
		r = read(sv[1], got + total, sizeof(got) - total);
		if (r > 0) total += r;
		if (evbuffer_get_length(out) > 0)
			evbuffer_write(out, sv[0]);
		else if (r <= 0)
			break;
	}
	printf("  received %zu, match %s\n", total, memcmp(got, data, 300000) == 0 ? "yes" : "no");

	/* EOF */
	close(sv[0]);
	r = evbuffer_read(b, sv[1], -1);
	printf("read at EOF -> %d\n", r);
	close(sv[1]);

	/* pipes */
	pipe(pp);
	nonblock(pp[0]);
	nonblock(pp[1]);
	evbuffer_add(out, data, 70000);
	r = evbuffer_write(out, pp[1]);
	printf("pipe write 70000 -> %d (partial: %s)\n", r > 0 && r < 70000 ? r : r, r < 70000 ? "yes" : "no");
	r = evbuffer_write(out, pp[1]);
	printf("pipe write again -> %d %s\n", r, r < 0 ? err_name(errno) : "");
	total = 0;
	while ((r = evbuffer_read(b, pp[0], -1)) > 0)
		total += r;
	printf("pipe read total %zu, last %d %s\n", total, r, r < 0 ? err_name(errno) : "");
	evbuffer_drain(b, evbuffer_get_length(b));
	close(pp[0]);
	r = evbuffer_write(out, pp[1]);
	printf("write to pipe without reader -> %d %s\n", r, r < 0 ? err_name(errno) : "");
	close(pp[1]);
	r = evbuffer_read(b, pp[0], -1);
	printf("read closed fd -> %d %s\n", r, r < 0 ? err_name(errno) : "");
	r = evbuffer_write(out, pp[1]);
	printf("write closed fd -> %d %s\n", r, r < 0 ? err_name(errno) : "");

	evbuffer_free(b);
	evbuffer_free(out);
	libevent_global_shutdown();
	return 0;
}
