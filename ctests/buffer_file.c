/* Covers: evbuffer_add_file (whole file, a slice, length -1, the fd closed
 * once the bytes are gone, refused on a frozen end), evbuffer_file_segment_new
 * (default, EVBUF_FS_DISABLE_MMAP, EVBUF_FS_DISABLE_SENDFILE, CLOSE_ON_FREE,
 * bad offsets and lengths, a bad fd), evbuffer_file_segment_add_cleanup_cb
 * (runs once, after the last reference, with the flags),
 * evbuffer_file_segment_free, evbuffer_add_file_segment (slices, to the
 * end, an empty slice at the end), and EVBUFFER_FLAG_DRAINS_TO_FD buffers writing file bytes
 * to a socket (sendfile) with evbuffer_write and evbuffer_write_atmost.
 */
#include <event2/buffer.h>
#include <event2/event.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static char content[12000];

static int make_file(void)
{
	char path[] = "/tmp/ctest_buffer_file_XXXXXX";
	int fd = mkstemp(path);
	size_t i;
	for (i = 0; i < sizeof(content); i++)
		content[i] = 'A' + (i * 7 + i / 26) % 26;
	if (fd < 0 || write(fd, content, sizeof(content)) != (ssize_t)sizeof(content)) {
		printf("cannot make temp file\n");
		exit(1);
	}
	unlink(path);
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int is_open(int fd) { return fcntl(fd, F_GETFD) != -1; }

/* Remove everything and compare it with the file's bytes at offset. */
static void check(const char *tag, struct evbuffer *b, size_t offset)
{
	size_t len = evbuffer_get_length(b);
	char *tmp = malloc(len + 1);
	int n = evbuffer_remove(b, tmp, len);
	printf("  %s: len=%zu removed=%d matches=%s\n", tag, len, n,
	    (n >= 0 && offset + n <= sizeof(content) && memcmp(tmp, content + offset, n) == 0) ? "yes" : "no");
	free(tmp);
}

static void seg_cleanup(struct evbuffer_file_segment const *seg, int flags, void *arg)
{
	(void)seg;
	printf("    segment cleanup %s flags=%d\n", (const char *)arg, flags);
}

int main(void)
{
	struct evbuffer *b = evbuffer_new();
	struct evbuffer_file_segment *seg;
	int fd, fd2, sv[2], r;
	char tmp[20000];

	fd = make_file();
	printf("add_file whole -> %d\n", evbuffer_add_file(b, fd, 0, sizeof(content)));
	printf("  fd open while buffered: %d\n", is_open(fd));
	check("whole", b, 0);
	printf("  fd open after drain: %d\n", is_open(fd));

	fd = make_file();
	printf("add_file slice 100+50 -> %d\n", evbuffer_add_file(b, fd, 100, 50));
	evbuffer_drain(b, 10);
	check("slice", b, 110);
	printf("  fd open after drain: %d\n", is_open(fd));

	fd = make_file();
	printf("add_file length -1 -> %d\n", evbuffer_add_file(b, fd, 0, -1));
	printf("  len=%zu\n", evbuffer_get_length(b));
	check("to end", b, 0);

	fd = make_file();
	evbuffer_freeze(b, 0);
	printf("add_file on frozen end -> %d\n", evbuffer_add_file(b, fd, 0, 10));
	evbuffer_unfreeze(b, 0);
	printf("  fd open after failure: %d\n", is_open(fd));
	fd = make_file();
	printf("add_file past the end -> %d\n", evbuffer_add_file(b, fd, 11000, 5000) == 0 ? 0 : -1);
	evbuffer_drain(b, evbuffer_get_length(b));

	/* segments */
	fd = make_file();
	seg = evbuffer_file_segment_new(fd, 1000, 4000, 0);
	printf("segment_new default -> %s\n", seg ? "ok" : "NULL");
	evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, "default");
	printf("add_file_segment 0,100 -> %d\n", evbuffer_add_file_segment(b, seg, 0, 100));
	printf("add_file_segment 3900,-1 -> %d\n", evbuffer_add_file_segment(b, seg, 3900, -1));
	printf("add_file_segment 10,20 -> %d\n", evbuffer_add_file_segment(b, seg, 10, 20));
	/* (No failing adds here: libevent 2.1 then drops a reference it never
	 * took, and frees the segment while chains still use it.) */
	printf("add_file_segment 4000,-1 -> %d\n", evbuffer_add_file_segment(b, seg, 4000, -1));
	printf("  len=%zu\n", evbuffer_get_length(b));
	evbuffer_remove(b, tmp, 100);
	printf("  first 100 match: %s\n", memcmp(tmp, content + 1000, 100) == 0 ? "yes" : "no");
	evbuffer_remove(b, tmp, 100);
	printf("  next 100 match: %s\n", memcmp(tmp, content + 4900, 100) == 0 ? "yes" : "no");
	printf("free segment (buffer still holds some)\n");
	evbuffer_file_segment_free(seg);
	printf("drain buffer\n");
	evbuffer_drain(b, evbuffer_get_length(b));
	printf("  fd open: %d\n", is_open(fd));

	seg = evbuffer_file_segment_new(fd, 0, -1, EVBUF_FS_DISABLE_MMAP | EVBUF_FS_CLOSE_ON_FREE);
	printf("segment_new no-mmap, close-on-free, length -1 -> %s\n", seg ? "ok" : "NULL");
	evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, "nommap");
	evbuffer_add_file_segment(b, seg, 5, 5000);
	evbuffer_file_segment_free(seg);
	check("no mmap", b, 5);
	printf("  fd open: %d\n", is_open(fd));

	fd = make_file();
	seg = evbuffer_file_segment_new(fd, 64, 100, EVBUF_FS_DISABLE_SENDFILE);
	printf("segment_new no-sendfile -> %s\n", seg ? "ok" : "NULL");
	evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, "nosendfile");
	evbuffer_add_file_segment(b, seg, 0, -1);
	evbuffer_add_file_segment(b, seg, 50, 10);
	evbuffer_file_segment_free(seg);
	evbuffer_remove(b, tmp, 100);
	printf("  100 match: %s\n", memcmp(tmp, content + 64, 100) == 0 ? "yes" : "no");
	check("no sendfile tail", b, 114);

	printf("segment_new bad offset -> %s\n", evbuffer_file_segment_new(fd, -1, 10, 0) ? "ok" : "NULL");
	printf("segment_new bad length -> %s\n", evbuffer_file_segment_new(fd, 0, -2, 0) ? "ok" : "NULL");
	printf("segment_new bad fd, length -1 -> %s\n", evbuffer_file_segment_new(-1, 0, -1, 0) ? "ok" : "NULL");
	seg = evbuffer_file_segment_new(fd, 0, 10, EVBUF_FS_DISABLE_LOCKING);
	printf("segment_new no-locking -> %s\n", seg ? "ok" : "NULL");
	evbuffer_file_segment_free(seg);
	close(fd);

	/* draining to a socket: sendfile */
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	fd = make_file();
	fd2 = make_file();
	printf("set DRAINS_TO_FD -> %d\n", evbuffer_set_flags(b, EVBUFFER_FLAG_DRAINS_TO_FD));
	evbuffer_add(b, "head:", 5);
	printf("add_file -> %d\n", evbuffer_add_file(b, fd, 200, 3000));
	seg = evbuffer_file_segment_new(fd2, 0, 12000, EVBUF_FS_CLOSE_ON_FREE);
	evbuffer_file_segment_add_cleanup_cb(seg, seg_cleanup, "socket");
	printf("add_file_segment -> %d\n", evbuffer_add_file_segment(b, seg, 500, 1000));
	evbuffer_file_segment_free(seg);
	printf("  len=%zu\n", evbuffer_get_length(b));
	{
		size_t got = 0;
		int rounds = 0;
		while (evbuffer_get_length(b) > 0 && rounds < 10) {
			r = rounds == 1 ? evbuffer_write_atmost(b, sv[0], 100) : evbuffer_write(b, sv[0]);
			printf("  write -> %d (left %zu)\n", r, evbuffer_get_length(b));
			if (r < 0)
				break;
			rounds++;
		}
		while (got < 5 + 3000 + 1000) {
			ssize_t n = read(sv[1], tmp + got, sizeof(tmp) - got);
			if (n <= 0)
				break;
			got += n;
		}
		printf("  received %zu: head %s, file %s, segment %s\n", got,
		    memcmp(tmp, "head:", 5) == 0 ? "ok" : "bad",
		    memcmp(tmp + 5, content + 200, 3000) == 0 ? "ok" : "bad",
		    memcmp(tmp + 3005, content + 500, 1000) == 0 ? "ok" : "bad");
	}
	printf("  fds open: %d %d\n", is_open(fd), is_open(fd2));
	printf("clear DRAINS_TO_FD -> %d\n", evbuffer_clear_flags(b, EVBUFFER_FLAG_DRAINS_TO_FD));
	printf("write empty -> %d\n", evbuffer_write(b, sv[0]));
	close(sv[0]);
	close(sv[1]);

	evbuffer_free(b);
	libevent_global_shutdown();
	return 0;
}
