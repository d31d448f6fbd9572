/*
 * event2/visibility.h -- export markers for the public entry points.
 *
 * Programs that merely use the library see both markers expand to nothing.
 * They only turn into an export attribute while one of libevent's own shared
 * library targets is being compiled (the *_shared_EXPORTS macros that a
 * CMake build defines), exactly as with libevent 2.1.12.
 */
#ifndef EVENT2_VISIBILITY_H_INCLUDED_
#define EVENT2_VISIBILITY_H_INCLUDED_

#include <event2/event-config.h>

#if defined(event_shared_EXPORTS) || \
    defined(event_extra_shared_EXPORTS) || \
    defined(event_core_shared_EXPORTS) || \
    defined(event_pthreads_shared_EXPORTS) || \
    defined(event_openssl_shared_EXPORTS)
/* Building the library itself: publish the symbol. */
# if defined (__SUNPRO_C) && (__SUNPRO_C >= 0x550)
#define EVENT2_EXPORT_SYMBOL __global
# elif defined __GNUC__
#define EVENT2_EXPORT_SYMBOL __attribute__ ((visibility("default")))
# elif defined(_MSC_VER)
#define EVENT2_EXPORT_SYMBOL __declspec(dllexport)
# else
#define EVENT2_EXPORT_SYMBOL /* no marker known for this compiler */
# endif
#else
/* Consumer side: a plain declaration. */
#define EVENT2_EXPORT_SYMBOL
#endif

/* Core-library variant; differs from the above only with MSVC DLLs. */
#if defined(_MSC_VER)
# if defined(event_core_shared_EXPORTS)
#define EVENT2_CORE_EXPORT_SYMBOL __declspec(dllexport)
# elif defined(event_extra_shared_EXPORTS) || \
       defined(EVENT_VISIBILITY_WANT_DLLIMPORT)
#define EVENT2_CORE_EXPORT_SYMBOL __declspec(dllimport)
# endif
#endif

#if !defined(EVENT2_CORE_EXPORT_SYMBOL)
#define EVENT2_CORE_EXPORT_SYMBOL EVENT2_EXPORT_SYMBOL
#endif

#endif /* end of include guard */
