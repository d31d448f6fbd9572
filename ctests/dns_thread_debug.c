/* Covers: dns_thread.c's lookups from two threads with lock debugging on
 * (evthread_enable_lock_debugging): the dns base's lock taken and released
 * in pairs, never freed while held.
 * ctest-libs: -levent_pthreads
 * ctest-timeout: 30
 */
#define DNS_LOCK_DEBUG 1
#include "dns_thread.c"
