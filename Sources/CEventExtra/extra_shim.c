/* C helpers of the extra library: the calls Swift cannot make (variadic). */
#include "CEventExtra.h"

#include <stdio.h>

/* evdns's default log route (libevent: event_warnx / event_msgx with
 * "[evdns] " in front). Stand-in until the core's log symbols are reachable. */
void cev_extra_log(int severity, const char *msg)
{
	fprintf(stderr, "[%s] %s\n", severity == 2 ? "warn" : "msg", msg);
}
