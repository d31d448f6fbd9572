/* C helpers of the extra library: the calls Swift cannot make (variadic). */
#include "CEventExtra.h"

void cevx_log(int severity, const char *msg)
{
	switch (severity) {
	case EVENT_LOG_DEBUG: event_debugx_("%s", msg); break;
	case EVENT_LOG_MSG: event_msgx("%s", msg); break;
	default: event_warnx("%s", msg); break;
	}
}
