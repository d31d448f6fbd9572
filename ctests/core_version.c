/* Covers: event_get_version, event_get_version_number, LIBEVENT_VERSION,
 * LIBEVENT_VERSION_NUMBER, event_get_supported_methods, and that the backend
 * environment variables (EVENT_NOEPOLL, EVENT_NOPOLL) pick the method that
 * event_base_get_method reports. */
#include <event2/event.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    const char **methods;
    struct event_base *base;
    int i;

    printf("version %s\n", event_get_version());
    printf("version number 0x%08x\n", (unsigned)event_get_version_number());
    printf("header version %s 0x%08x\n", LIBEVENT_VERSION, (unsigned)LIBEVENT_VERSION_NUMBER);
    printf("header matches library: %s\n",
           strcmp(LIBEVENT_VERSION, event_get_version()) == 0 &&
           LIBEVENT_VERSION_NUMBER == event_get_version_number() ? "yes" : "no");

    methods = event_get_supported_methods();
    printf("supported:");
    for (i = 0; methods && methods[i]; i++)
        printf(" %s", methods[i]);
    printf("\n");

    base = event_base_new();
    if (!base) {
        printf("event_base_new failed\n");
        return 1;
    }
    printf("method %s\n", event_base_get_method(base));
    event_base_free(base);
    libevent_global_shutdown();
    return 0;
}
