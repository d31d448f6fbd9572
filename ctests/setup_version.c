/* Covers: event_get_version (string), event_get_version_number (0x02010c00
 * for 2.1.12-stable), agreement with the header macros LIBEVENT_VERSION and
 * LIBEVENT_VERSION_NUMBER (and EVENT__VERSION / EVENT__NUMERIC_VERSION from
 * event-config.h), stability across calls, and libevent_global_shutdown
 * being safe to call twice, including before anything else was used. */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    const char *v = event_get_version();
    ev_uint32_t n = event_get_version_number();
    printf("event_get_version: \"%s\"\n", v);
    printf("event_get_version_number: 0x%08x\n", (unsigned)n);
    printf("LIBEVENT_VERSION: \"%s\"\n", LIBEVENT_VERSION);
    printf("LIBEVENT_VERSION_NUMBER: 0x%08x\n", (unsigned)LIBEVENT_VERSION_NUMBER);
    printf("EVENT__VERSION: \"%s\"\n", EVENT__VERSION);
    printf("EVENT__NUMERIC_VERSION: 0x%08x\n", (unsigned)EVENT__NUMERIC_VERSION);
    printf("string matches macro: %s\n", strcmp(v, LIBEVENT_VERSION) == 0 ? "yes" : "no");
    printf("number matches macro: %s\n", n == LIBEVENT_VERSION_NUMBER ? "yes" : "no");
    printf("same pointer on second call: %s\n", event_get_version() == v ? "yes" : "no");
    printf("major.minor.patch from number: %u.%u.%u\n", (unsigned)(n >> 24), (unsigned)((n >> 16) & 0xff),
           (unsigned)((n >> 8) & 0xff));

    libevent_global_shutdown();
    printf("global shutdown #1 done\n");
    libevent_global_shutdown();
    printf("global shutdown #2 done\n");
    return 0;
}
