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
	/* libevent clears the last byte of the buffer; for a size beyond
	 * ssize_t that byte is not in the buffer (SIZE_MAX: two before it). */
	if (buflen <= (size_t)SSIZE_MAX)
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

/* Debug mode's table of events is process-wide: events of bases in
 * different threads meet there. A static mutex needs no allocation and
 * cannot interfere with the program's lock callbacks; it is only taken
 * while debug mode is on and lock callbacks are set. */
static pthread_mutex_t debug_map_mutex = PTHREAD_MUTEX_INITIALIZER;
void cev_debug_map_lock(void) { pthread_mutex_lock(&debug_map_mutex); }
void cev_debug_map_unlock(void) { pthread_mutex_unlock(&debug_map_mutex); }

/* The signal handler's owner base and its counters are process-wide: bases
 * looping in different threads meet there. Taken inside a base lock, and
 * nothing is taken inside it; only while lock callbacks are set. */
static pthread_mutex_t signal_globals_mutex = PTHREAD_MUTEX_INITIALIZER;
void cev_signal_globals_lock(void) { pthread_mutex_lock(&signal_globals_mutex); }
void cev_signal_globals_unlock(void) { pthread_mutex_unlock(&signal_globals_mutex); }
