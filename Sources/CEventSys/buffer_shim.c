/*
 * evbuffer_add_printf / evbuffer_add_vprintf: the formatting happens here,
 * straight into the buffer's free space, which the Swift side hands out
 * (cev_evbuffer_printf_space) and then accounts for
 * (cev_evbuffer_printf_commit).  Like libevent: ask for 64 bytes of room
 * first; when the text does not fit, ask for exactly its size and format
 * again.
 */
#include "CEventSys.h"
#include <stdarg.h>

void *cev_evbuffer_printf_space(struct evbuffer *buf, size_t want, char **start, size_t *space);
int cev_evbuffer_printf_commit(struct evbuffer *buf, void *token, size_t n);

#define CEV_EXPORT __attribute__((visibility("default")))

CEV_EXPORT int
evbuffer_add_vprintf(struct evbuffer *buf, const char *fmt, va_list ap)
{
	char *dst;
	size_t space;
	void *token;
	int n;
	va_list aq;

	if (fmt == NULL)
		return -1;
	token = cev_evbuffer_printf_space(buf, 64, &dst, &space);
	if (token == NULL)
		return -1;
	va_copy(aq, ap);
	n = vsnprintf(dst, space, fmt, aq);
	va_end(aq);
	if (n < 0)
		return -1;
	if ((size_t)n >= space) {
		token = cev_evbuffer_printf_space(buf, (size_t)n + 1, &dst, &space);
		if (token == NULL)
			return -1;
		va_copy(aq, ap);
		n = vsnprintf(dst, space, fmt, aq);
		va_end(aq);
		if (n < 0 || (size_t)n >= space)
			return -1;
	}
	return cev_evbuffer_printf_commit(buf, token, (size_t)n);
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
