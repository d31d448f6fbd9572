/*
 * <evutil.h> -- 1.x location of the utility declarations; everything now
 * lives in <event2/util.h>.
 */
#ifndef EVENT1_EVUTIL_H_INCLUDED_
#define EVENT1_EVUTIL_H_INCLUDED_

#include <event2/util.h>

#endif /* end of include guard */
