/*
 * evbuffer_add_printf / evbuffer_add_vprintf: the formatting happens here,
 * straight into the buffer's free space, which the Swift side hands out
 * (cev_evbuffer_printf_space) and then accounts for
 * (cev_evbuffer_printf_commit).  Like libevent: ask for 64 bytes of room
 * first; when the text does not fit, ask for exactly its size and format
 * again.
 *
 * Formats made only of text and the common integer and string conversions
 * (%d %i %u %x %X %o %c %s %% with flags, width, precision and length
 * modifiers) are formatted by cev_format below, which gives exactly what
 * vsnprintf gives for them at a fraction of the cost; on anything else
 * (floating point, %p, %n, positional arguments, wide characters, NULL
 * strings, glibc's %m, ...) it gives up and vsnprintf formats the whole
 * text.
 */
#include "CEventSys.h"
#include <stdarg.h>
#include <stdint.h>

void *cev_evbuffer_printf_space(struct evbuffer *buf, size_t want, char **start, size_t *space);
int cev_evbuffer_printf_commit(struct evbuffer *buf, void *token, size_t n);
void cev_evbuffer_lock(struct evbuffer *buf);
void cev_evbuffer_unlock(struct evbuffer *buf);

#define CEV_EXPORT __attribute__((visibility("default")))

/* Output state of cev_format: kept in locals (the compiler keeps them in
 * registers), written through these helpers. */
struct cev_out {
	char *w;        /* next byte to write */
	char *end;      /* end of the caller's buffer */
	size_t total;   /* bytes produced, written or not */
};

/* Copy n <= 16 bytes without a call. */
static inline void
cev_copy_short(char *d, const char *s, size_t n)
{
	if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n > 0) {
		d[0] = s[0];
		d[n >> 1] = s[n >> 1];
		d[n - 1] = s[n - 1];
	}
}

static inline struct cev_out
cev_put(struct cev_out o, const char *s, size_t n)
{
	size_t room = (size_t)(o.end - o.w);
	if (n <= room) {
		if (n <= 16)
			cev_copy_short(o.w, s, n);
		else
			memcpy(o.w, s, n);
		o.w += n;
	} else {
		memcpy(o.w, s, room);
		o.w = o.end;
	}
	o.total += n;
	return o;
}

static inline struct cev_out
cev_pad(struct cev_out o, char c, size_t n)
{
	size_t room = (size_t)(o.end - o.w), k = n < room ? n : room;
	if (n == 0)
		return o;
	memset(o.w, c, k);
	o.w += k;
	o.total += n;
	return o;
}

/* vsnprintf for text and the conversions above: writes at most cap bytes
 * (no terminator) and returns the full length, or -1 as soon as it meets
 * anything else (the caller then formats again with vsnprintf, from its
 * own copy of the arguments; nothing read so far was read with a wrong
 * type). */
static long
cev_format(char *dst, size_t cap, const char *fmt, va_list ap)
{
	struct cev_out o = {dst, dst + cap, 0};
	const char *p = fmt;
	for (;;) {
		const char *lit = p;
		int left = 0, plus = 0, space = 0, alt = 0, zero = 0;
		long width = 0, prec = -1;
		char len = 0, conv;
		while (*p && *p != '%')
			p++;
		if (p > lit)
			o = cev_put(o, lit, (size_t)(p - lit));
		if (!*p)
			return (long)o.total;
		p++;
		if (*p == '%') {
			o = cev_put(o, "%", 1);
			p++;
			continue;
		}
		for (;; p++) {
			if (*p == '-') left = 1;
			else if (*p == '+') plus = 1;
			else if (*p == ' ') space = 1;
			else if (*p == '#') alt = 1;
			else if (*p == '0') zero = 1;
			else break;
		}
		if (*p == '*') {
			int w;
			if (p[1] >= '0' && p[1] <= '9')
				return -1;      /* "*N$" */
			w = va_arg(ap, int);
			if (w < 0) {
				left = 1;
				width = -(long)w;
			} else {
				width = w;
			}
			p++;
		} else {
			while (*p >= '0' && *p <= '9')
				width = width * 10 + (*p++ - '0');
			if (*p == '$')
				return -1;      /* positional */
		}
		if (*p == '.') {
			p++;
			prec = 0;
			if (*p == '*') {
				int pr;
				if (p[1] >= '0' && p[1] <= '9')
					return -1;
				pr = va_arg(ap, int);
				prec = pr < 0 ? -1 : pr;
				p++;
			} else {
				while (*p >= '0' && *p <= '9')
					prec = prec * 10 + (*p++ - '0');
			}
		}
		switch (*p) {
		case 'h':
			len = p[1] == 'h' ? 'H' : 'h';
			p += len == 'H' ? 2 : 1;
			break;
		case 'l':
			len = p[1] == 'l' ? 'q' : 'l';
			p += len == 'q' ? 2 : 1;
			break;
		case 'z': case 'j': case 't':
			len = *p++;
			break;
		}
		conv = *p++;
		switch (conv) {
		case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
			break;
		case 's': case 'c':
			if (zero || len)
				return -1;
			break;
		default:
			return -1;
		}
		if (conv == 's' || conv == 'c') {
			const char *s;
			char ch;
			size_t n;
			if (conv == 'c') {
				ch = (char)va_arg(ap, int);
				s = &ch;
				n = 1;
			} else {
				s = va_arg(ap, const char *);
				if (!s)
					return -1;
				n = prec >= 0 ? strnlen(s, (size_t)prec) : strlen(s);
			}
			if (!left && (size_t)width > n)
				o = cev_pad(o, ' ', (size_t)width - n);
			o = cev_put(o, s, n);
			if (left && (size_t)width > n)
				o = cev_pad(o, ' ', (size_t)width - n);
			continue;
		}
		{
			/* integers */
			uintmax_t v;
			int neg = 0, base = conv == 'o' ? 8 : (conv == 'x' || conv == 'X') ? 16 : 10;
			const char *digits = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
			char buf[72], *e = buf + sizeof(buf), *d = e;
			const char *prefix = "";
			char sign = 0;
			size_t ndig, nzero = 0, plen, body;
			if (conv == 'd' || conv == 'i') {
				intmax_t sv;
				switch (len) {
				case 'H': sv = (signed char)va_arg(ap, int); break;
				case 'h': sv = (short)va_arg(ap, int); break;
				case 'l': sv = va_arg(ap, long); break;
				case 'q': sv = va_arg(ap, long long); break;
				case 'z': sv = va_arg(ap, ssize_t); break;
				case 'j': sv = va_arg(ap, intmax_t); break;
				case 't': sv = va_arg(ap, ptrdiff_t); break;
				default: sv = va_arg(ap, int); break;
				}
				if (sv < 0) {
					neg = 1;
					v = (uintmax_t)0 - (uintmax_t)sv;
				} else {
					v = (uintmax_t)sv;
				}
				sign = neg ? '-' : plus ? '+' : space ? ' ' : 0;
			} else {
				switch (len) {
				case 'H': v = (unsigned char)va_arg(ap, unsigned); break;
				case 'h': v = (unsigned short)va_arg(ap, unsigned); break;
				case 'l': v = va_arg(ap, unsigned long); break;
				case 'q': v = va_arg(ap, unsigned long long); break;
				case 'z': v = va_arg(ap, size_t); break;
				case 'j': v = va_arg(ap, uintmax_t); break;
				case 't': v = (uintmax_t)va_arg(ap, ptrdiff_t); break;
				default: v = va_arg(ap, unsigned); break;
				}
			}
			if (base == 10) {
				while (v) {
					*--d = (char)('0' + v % 10);
					v /= 10;
				}
			} else {
				uintmax_t t = v;
				while (t) {
					*--d = digits[t % (unsigned)base];
					t /= (unsigned)base;
				}
			}
			ndig = (size_t)(e - d);
			if (prec < 0 && ndig == 0) {
				*--d = '0';
				ndig = 1;
			}
			if (prec >= 0 && (size_t)prec > ndig)
				nzero = (size_t)prec - ndig;
			if (alt && conv == 'o' && nzero == 0 && (ndig == 0 || *d != '0'))
				nzero = 1;
			if (alt && base == 16 && ndig > 0 && !(ndig == 1 && *d == '0'))
				prefix = conv == 'X' ? "0X" : "0x";
			plen = (*prefix ? 2 : 0) + (sign ? 1 : 0);
			body = plen + nzero + ndig;
			if (zero && !left && prec < 0 && (size_t)width > body) {
				nzero += (size_t)width - body;
				body = (size_t)width;
			}
			if (!left && (size_t)width > body)
				o = cev_pad(o, ' ', (size_t)width - body);
			if (sign)
				o = cev_put(o, &sign, 1);
			if (*prefix)
				o = cev_put(o, prefix, 2);
			o = cev_pad(o, '0', nzero);
			o = cev_put(o, d, ndig);
			if (left && (size_t)width > body)
				o = cev_pad(o, ' ', (size_t)width - body);
		}
	}
}

/* One formatting pass: our formatter while it can, else vsnprintf. */
static long
cev_vformat(char *dst, size_t cap, const char *fmt, va_list ap, int *ours)
{
	long n;
	va_list aq;
	if (*ours) {
		va_copy(aq, ap);
		n = cev_format(dst, cap, fmt, aq);
		va_end(aq);
		if (n >= 0) {
			if ((size_t)n < cap)
				dst[n] = '\0';
			return n;
		}
		*ours = 0;
	}
	va_copy(aq, ap);
	n = vsnprintf(dst, cap, fmt, aq);
	va_end(aq);
	return n;
}

static int
cev_add_vprintf_locked(struct evbuffer *buf, const char *fmt, va_list ap)
{
	char *dst;
	size_t space;
	void *token;
	long n;
	int ours = 1;

	if (fmt == NULL)
		return -1;
	token = cev_evbuffer_printf_space(buf, 64, &dst, &space);
	if (token == NULL)
		return -1;
	n = cev_vformat(dst, space, fmt, ap, &ours);
	if (n < 0 || n > INT_MAX)
		return -1;
	if ((size_t)n >= space) {
		token = cev_evbuffer_printf_space(buf, (size_t)n + 1, &dst, &space);
		if (token == NULL)
			return -1;
		n = cev_vformat(dst, space, fmt, ap, &ours);
		if (n < 0 || (size_t)n >= space)
			return -1;
	}
	return cev_evbuffer_printf_commit(buf, token, (size_t)n);
}

CEV_EXPORT int
evbuffer_add_vprintf(struct evbuffer *buf, const char *fmt, va_list ap)
{
	int r;
	if (buf == NULL || fmt == NULL)
		return cev_add_vprintf_locked(buf, fmt, ap);   /* logs, fails */
	cev_evbuffer_lock(buf);
	r = cev_add_vprintf_locked(buf, fmt, ap);
	cev_evbuffer_unlock(buf);
	return r;
}

CEV_EXPORT int
evbuffer_add_printf(struct evbuffer *buf, const char *fmt, ...)
{
	int r;
	va_list ap;
	va_start(ap, fmt);
	r = evbuffer_add_vprintf(buf, fmt, ap);
	va_end(ap);
	return r;
}

/* ------------------------------------------------------------------------
 * Per-thread cache of freed chain memory, so that buffers which keep
 * filling and emptying (a socket read into a buffer that is then drained,
 * say) stop allocating once warm.  Chains are allocated in powers of two
 * from 1 KiB; each size up to 128 KiB keeps at most 256 KiB of free chains
 * per thread (2 MiB in all).  A thread's cache is freed when the thread
 * exits, and at process exit.  The 1 KiB class (at most CEV_CACHE_1K_MAX
 * chains) is also reached inline from Swift (CEventBuffer.h): buffers keep
 * no spare chain of their own.
 * --------------------------------------------------------------------- */
#include <pthread.h>

void cev_buffer_mem_free(void *p);   /* Swift: Memory.free */

#define CEV_CACHE_CLASS_BYTES (256 * 1024)

__thread struct cev_chain_cache cev_tcache;
static pthread_key_t cev_cache_key;
static pthread_once_t cev_cache_once = PTHREAD_ONCE_INIT;

static void
cev_cache_flush(struct cev_chain_cache *c)
{
	int k;
	for (k = 0; k < CEV_CACHE_CLASSES; k++) {
		while (c->head[k]) {
			void *p = c->head[k];
			c->head[k] = *(void **)p;
			cev_buffer_mem_free(p);
		}
		c->count[k] = 0;
	}
	c->room1k = 0;
}

static void cev_cache_thread_exit(void *arg) { cev_cache_flush(arg); }
/* libevent_global_shutdown (and process exit): the calling thread's cache
 * goes back now, so a program counting its allocator's blocks sees none left. */
void cev_chain_cache_flush_current(void) { cev_cache_flush(&cev_tcache); }

static int cev_cache_key_made;

static void
cev_cache_init(void)
{
	cev_cache_key_made = pthread_key_create(&cev_cache_key, cev_cache_thread_exit) == 0;
	atexit(cev_chain_cache_flush_current);
}

/* When the library is unloaded, no thread may run our destructor later. */
__attribute__((destructor)) static void
cev_cache_unload(void)
{
	if (cev_cache_key_made) {
		pthread_key_delete(cev_cache_key);
		cev_cache_key_made = 0;
	}
}

ssize_t
cev_buffer_writev(int fd, const struct cev_chain_view *c, size_t howmuch, unsigned stop_flags)
{
	struct iovec v[CEV_WRITE_IOVECS];
	int i = 0;
	while (c && i < CEV_WRITE_IOVECS && howmuch > 0 && !(c->flags & stop_flags)) {
		v[i].iov_base = c->buffer + c->misalign;
		if (howmuch >= c->off) {
			v[i++].iov_len = c->off;
			howmuch -= c->off;
		} else {
			v[i++].iov_len = howmuch;
			break;
		}
		c = c->next;
	}
	if (i == 0)
		return 0;
	return writev(fd, v, i);
}

/* Size class of an allocation of `total` bytes, or -1. */
static inline int
cev_cache_class(size_t total)
{
	int k;
	if (total < 1024 || total > (1024u << (CEV_CACHE_CLASSES - 1)) || (total & (total - 1)))
		return -1;
	k = __builtin_ctzl(total) - 10;
	return k;
}

/* A cached chain allocation of exactly `total` bytes, or NULL. */
void *
cev_chain_cache_get(size_t total)
{
	int k = cev_cache_class(total);
	void *p;
	if (k == 0)
		return cev_chain_cache_get_1k();
	if (k < 0 || !(p = cev_tcache.head[k]))
		return NULL;
	cev_tcache.head[k] = *(void **)p;
	cev_tcache.count[k]--;
	return p;
}

static inline void
cev_cache_push(void *p, int k)
{
	*(void **)p = cev_tcache.head[k];
	cev_tcache.head[k] = p;
	cev_tcache.count[k]++;
}

/* Most chains class k keeps. */
static inline unsigned
cev_cache_bound(int k)
{
	return k == 0 ? CEV_CACHE_1K_MAX : (unsigned)((CEV_CACHE_CLASS_BYTES >> 10) >> k);
}

/* First use of the cache on this thread: have it flushed at thread exit.
 * Out of line (and reached by a tail call) so the usual put saves no
 * registers. */
__attribute__((noinline, cold)) static int
cev_cache_put_first(void *p, int k)
{
	pthread_once(&cev_cache_once, cev_cache_init);
	pthread_setspecific(cev_cache_key, &cev_tcache);
	cev_tcache.registered = 1;
	cev_cache_push(p, k);
	cev_tcache.room1k = CEV_CACHE_1K_MAX - cev_tcache.count[0];
	return 1;
}

/* Keep a freed chain allocation of `total` bytes: 1 if kept, 0 if the
 * caller must free it.  Each class holds at most CEV_CACHE_CLASS_BYTES. */
int
cev_chain_cache_put(void *p, size_t total)
{
	int k = cev_cache_class(total);
	if (k < 0 || cev_tcache.count[k] >= cev_cache_bound(k))
		return 0;
	if (__builtin_expect(!cev_tcache.registered, 0))
		return cev_cache_put_first(p, k);
	cev_cache_push(p, k);
	/* After a flush (thread exit) the 1 KiB class comes here again. */
	cev_tcache.room1k = CEV_CACHE_1K_MAX - cev_tcache.count[0];
	return 1;
}
