/* Covers: evbuffer operations running out of memory (driver and checks:
 * mem_fault.h): evbuffer_new, add_cb (immediate and deferred with
 * evbuffer_defer_callbacks), add of small and large data, add_printf and
 * add_vprintf past the first formatting attempt, expand, reserve_space /
 * commit_space over two vectors, prepend, add_reference (its cleanup runs
 * exactly for the references that were added), add_buffer_reference,
 * remove_buffer, prepend_buffer, 1.x find, pullup, 1.x readline, readln,
 * file segments (evbuffer_file_segment_new, add_file_segment, add_file,
 * copying out of a file chain), copyout, remove, drain; deferred callbacks
 * run by the loop; teardown. Each allocation is refused alone, then every
 * allocation from some point on: every run must survive and give back
 * every block and descriptor, each call succeed or return libevent's
 * NULL/-1, and each object handed out (base, evbuffer, callback entry,
 * readln line, file segment) be a live block of the program's allocator.
 * Not under select: libevent 2.1.12's select loop fails (-1) while it
 * cannot allocate the sets it hands to select(), and a buffer whose
 * deferred callback is still queued when the base is freed is leaked.
 * ctest-backends: epoll poll
 * ctest-timeout: 60
 */
#include <event2/event.h>
#include <event2/buffer.h>
#include <event2/buffer_compat.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mem_fault.h"

enum {
	S_BASE_NEW, S_BUFFER_NEW, S_ADD_CB, S_DEFER, S_ADD, S_PRINTF, S_VPRINTF, S_EXPAND, S_RESERVE, S_COMMIT,
	S_PREPEND, S_ADD_REFERENCE, S_ADD_BUFFER_REFERENCE, S_REMOVE_BUFFER, S_PREPEND_BUFFER, S_PULLUP,
	S_READLN, S_READLINE, S_FIND, S_SEGMENT_NEW, S_ADD_SEGMENT, S_ADD_FILE, S_COPYOUT, S_REMOVE, S_DRAIN,
	S_LOOP, NSITES
};

/* Printed: the sites that cannot succeed without allocating (a new
 * object, a callback entry, a reference chain, a copy); the others are
 * checked all the same. */
static const struct mf_site sites[NSITES] = {
	[S_BASE_NEW] = {"event_base_new", 1},
	[S_BUFFER_NEW] = {"evbuffer_new", 1},
	[S_ADD_CB] = {"evbuffer_add_cb", 1},
	[S_DEFER] = {"evbuffer_defer_callbacks", 0},
	[S_ADD] = {"evbuffer_add", 0},
	[S_PRINTF] = {"evbuffer_add_printf", 0},
	[S_VPRINTF] = {"evbuffer_add_vprintf", 0},
	[S_EXPAND] = {"evbuffer_expand", 0},
	[S_RESERVE] = {"evbuffer_reserve_space", 0},
	[S_COMMIT] = {"evbuffer_commit_space", 0},
	[S_PREPEND] = {"evbuffer_prepend", 0},
	[S_ADD_REFERENCE] = {"evbuffer_add_reference", 1},
	[S_ADD_BUFFER_REFERENCE] = {"evbuffer_add_buffer_reference", 1},
	[S_REMOVE_BUFFER] = {"evbuffer_remove_buffer", 0},
	[S_PREPEND_BUFFER] = {"evbuffer_prepend_buffer", 0},
	[S_PULLUP] = {"evbuffer_pullup", 0},
	[S_READLN] = {"evbuffer_readln", 1},
	[S_READLINE] = {"evbuffer_readline", 1},
	[S_FIND] = {"evbuffer_find", 0},
	[S_SEGMENT_NEW] = {"evbuffer_file_segment_new", 1},
	[S_ADD_SEGMENT] = {"evbuffer_add_file_segment", 0},
	[S_ADD_FILE] = {"evbuffer_add_file", 1},
	[S_COPYOUT] = {"evbuffer_copyout", 0},
	[S_REMOVE] = {"evbuffer_remove", 0},
	[S_DRAIN] = {"evbuffer_drain", 0},
	[S_LOOP] = {"event_base_loop", 0},
};

struct mf_run {
	int immediate_calls, deferred_calls, cleanups, references_added;
	size_t final_a, final_b;
};

static char text[6000];
static const char refdata[] = "referenced bytes that stay where they are";

static void count_cb(struct evbuffer *b, const struct evbuffer_cb_info *info, void *arg)
{
	(void)b; (void)info;
	(*(int *)arg)++;
}

static void cleanup_cb(const void *data, size_t len, void *arg)
{
	(void)data; (void)len;
	((struct mf_run *)arg)->cleanups++;
}

static int vprintf_into(struct evbuffer *b, const char *fmt, ...)
{
	va_list ap;
	int n;
	va_start(ap, fmt);
	n = evbuffer_add_vprintf(b, fmt, ap);
	va_end(ap);
	return n;
}

/* A file of 4000 known bytes; its descriptor. */
static int make_file(void)
{
	char name[] = "mem_fault_buffer.XXXXXX";
	int fd = mkstemp(name);
	if (fd < 0 || write(fd, text, 4000) != 4000) {
		perror("file");
		exit(1);
	}
	unlink(name);
	return fd;
}

static void scenario(struct mf_run *r)
{
	struct event_base *base;
	struct evbuffer *a = NULL, *b = NULL, *c = NULL, *src = NULL;
	struct evbuffer_cb_entry *ea = NULL, *eb = NULL;
	struct evbuffer_file_segment *seg = NULL;
	struct evbuffer_iovec vec[2];
	char out[512];
	size_t n;
	int fd;

	base = mf_ptr(S_BASE_NEW, event_base_new(), 1);
	if (!base)
		return;
	a = mf_ptr(S_BUFFER_NEW, evbuffer_new(), 1);
	b = mf_ptr(S_BUFFER_NEW, evbuffer_new(), 1);
	c = mf_ptr(S_BUFFER_NEW, evbuffer_new(), 1);
	if (!a || !b || !c)
		goto out;

	ea = mf_ptr(S_ADD_CB, evbuffer_add_cb(a, count_cb, &r->immediate_calls), 1);
	mf_int(S_DEFER, evbuffer_defer_callbacks(b, base), 0);
	eb = mf_ptr(S_ADD_CB, evbuffer_add_cb(b, count_cb, &r->deferred_calls), 1);

	mf_int(S_ADD, evbuffer_add(a, "one line\r\n", 10), 0);
	mf_int(S_ADD, evbuffer_add(a, text, 5000), 0);
	mf_int(S_PRINTF, evbuffer_add_printf(a, "[%s|%d]\n", "a value longer than the sixty-four bytes tried first, by some", 7),
	       66);
	mf_int(S_VPRINTF, vprintf_into(a, "%.*s\r\n", 100, text), 102);
	mf_int(S_EXPAND, evbuffer_expand(a, 70000), 0);
	n = evbuffer_reserve_space(c, 3000, vec, 2);
	if ((int)n == -1) {
		mf_note(S_RESERVE, MF_FAILED);
	} else if (n >= 1 && n <= 2) {
		mf_note(S_RESERVE, MF_OK);
		vec[0].iov_len = vec[0].iov_len < 100 ? vec[0].iov_len : 100;
		memset(vec[0].iov_base, 'r', vec[0].iov_len);
		mf_int(S_COMMIT, evbuffer_commit_space(c, vec, 1), 0);
	} else {
		mf_note(S_RESERVE, MF_ODD);
	}
	mf_int(S_PREPEND, evbuffer_prepend(a, text, 300), 0);

	if (mf_int(S_ADD_REFERENCE, evbuffer_add_reference(b, refdata, sizeof refdata - 1, cleanup_cb, r), 0))
		r->references_added++;
	mf_int(S_ADD, evbuffer_add(b, "tail\n", 5), 0);
	mf_int(S_REMOVE_BUFFER, evbuffer_remove_buffer(a, b, 1000) >= 0 ? 0 : -1, 0);
	mf_int(S_PREPEND_BUFFER, evbuffer_prepend_buffer(c, b), 0);
	/* What is left of a: text, the printf line (LF), the vprintf line (CRLF). */
	if (evbuffer_search(a, "|7]", 3, NULL).pos >= 0)
		mf_ptr(S_FIND, evbuffer_find(a, (const unsigned char *)"|7]", 3), 0);
	if (evbuffer_get_length(a) > 0)
		mf_ptr(S_PULLUP, evbuffer_pullup(a, -1), 0);
	if (evbuffer_search(a, "\n", 1, NULL).pos >= 0) {
		char *line = mf_ptr(S_READLINE, evbuffer_readline(a), 1);
		if (line && mf_is_live(line))
			mf_free(line);
	}
	if (evbuffer_search(a, "\r\n", 2, NULL).pos >= 0) {
		char *line = mf_ptr(S_READLN, evbuffer_readln(a, &n, EVBUFFER_EOL_CRLF_STRICT), 1);
		if (line && mf_is_live(line))
			mf_free(line);
	}
	/* A view of a buffer holding plain data. */
	src = mf_ptr(S_BUFFER_NEW, evbuffer_new(), 1);
	if (src) {
		mf_int(S_ADD, evbuffer_add(src, text, 2500), 0);
		/* libevent 2.1.12 reports success when it runs out of memory
		 * here (the data is then missing), and so do we. */
		if (evbuffer_get_length(src) > 0)
			mf_int(S_ADD_BUFFER_REFERENCE, evbuffer_add_buffer_reference(b, src), 0);
	}

	/* File segments: ours to free, the fd ours to close. */
	fd = make_file();
	seg = mf_ptr(S_SEGMENT_NEW, evbuffer_file_segment_new(fd, 0, 4000, 0), 1);
	if (seg) {
		/* A failed evbuffer_add_file_segment drops a reference libevent
		 * 2.1.12 never took, freeing the segment under its owner: never
		 * refused here (evbuffer_add_file below covers that path). */
		mf_shielded++;
		mf_int(S_ADD_SEGMENT, evbuffer_add_file_segment(c, seg, 100, 1000), 0);
		mf_shielded--;
		evbuffer_file_segment_free(seg);
	}
	{
		/* evbuffer_add_file owns its fd once the segment exists: the fd
		 * stays open only when that failed. */
		int fd2 = dup(fd);
		if (!mf_int(S_ADD_FILE, evbuffer_add_file(c, fd2, 50, 500), 0) && fcntl(fd2, F_GETFD) != -1)
			close(fd2);
	}
	if (evbuffer_get_length(c) > 0) {
		size_t want = evbuffer_get_length(c) < sizeof out ? evbuffer_get_length(c) : sizeof out;
		int k = (int)evbuffer_copyout(c, out, sizeof out);
		mf_note(S_COPYOUT, k == (int)want ? MF_OK : k == -1 ? MF_FAILED : MF_ODD);
	}
	if (evbuffer_get_length(c) >= 300) {
		int k = evbuffer_remove(c, out, 300);
		mf_note(S_REMOVE, k == 300 ? MF_OK : k == -1 ? MF_FAILED : MF_ODD);
	}
	mf_int(S_DRAIN, evbuffer_drain(a, 10), 0);

	{
		int lr = event_base_loop(base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		mf_note(S_LOOP, lr == 0 || lr == 1 ? MF_OK : lr == -1 ? MF_FAILED : MF_ODD);
	}
	r->final_a = evbuffer_get_length(a);
	r->final_b = evbuffer_get_length(b) + evbuffer_get_length(c);

	/* Dropping the file chains closes nothing of ours: fd closes below. */
	close(fd);
out:
	if (a && ea)
		evbuffer_remove_cb_entry(a, ea);
	if (b && eb)
		evbuffer_remove_cb_entry(b, eb);
	if (a)
		evbuffer_free(a);
	if (b)
		evbuffer_free(b);
	if (c)
		evbuffer_free(c);
	if (src)
		evbuffer_free(src);
	event_base_free(base);
	if (r->cleanups != r->references_added)
		mf_check_failures++;
}

static void baseline(const struct mf_run *r)
{
	printf("baseline: immediate callbacks ran: %s, deferred callbacks ran: %s\n",
	       r->immediate_calls > 0 ? "yes" : "no", r->deferred_calls > 0 ? "yes" : "no");
	printf("baseline: bytes left in a: %zu, in b and c: %zu\n", r->final_a, r->final_b);
	printf("baseline: reference cleanups %d for %d references\n", r->cleanups, r->references_added);
}

int main(void)
{
	struct mf_run r;
	for (size_t i = 0; i < sizeof text; i++)
		text[i] = (char)('a' + i % 26);
	return mf_main(&r, sizeof r, sites, NSITES);
}
