/* Variadic and va_list entry points live in C; they format and hand bytes to Swift. */
#include "CEventSys.h"

/* event_self_cbarg's marker: an address of ours that is never written. A C
 * static, because taking a Swift global's address is an inout access, which
 * two threads making events at once would race on. */
static char self_cbarg_marker;

void *cev_self_cbarg_marker(void)
{
	return &self_cbarg_marker;
}

/* ------------------------------------------------------------------------
 * util.h: evutil_snprintf / evutil_vsnprintf.
 * The result is always NUL-terminated when there is room for anything at
 * all; the return value is what vsnprintf reports (the untruncated length),
 * except that an empty buffer gives 0, as libevent's does.  NULL buffers
 * and formats, on which libevent would crash, give -1.
 * --------------------------------------------------------------------- */
#include <stdarg.h>

__attribute__((visibility("default")))
int evutil_vsnprintf(char *buf, size_t buflen, const char *format, va_list ap)
{
	int r;
	if (buflen == 0)
		return 0;
	if (buf == NULL || format == NULL)
		return -1;
	r = vsnprintf(buf, buflen, format, ap);
	buf[buflen - 1] = '\0';
	return r;
}

__attribute__((visibility("default")))
int evutil_snprintf(char *buf, size_t buflen, const char *format, ...)
{
	int r;
	va_list ap;
	va_start(ap, format);
	r = evutil_vsnprintf(buf, buflen, format, ap);
	va_end(ap);
	return r;
}
/* ---------------------------------------------------- end of util.h part */
