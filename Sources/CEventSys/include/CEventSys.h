/*
 * The C surface the Swift code sees: system headers (Embedded Swift has no
 * Glibc module), our public structs, and a few helpers for things Swift
 * cannot reach (errno, FD_SET macros, variadic formatting).
 */
#ifndef CEVENTSYS_H
#define CEVENTSYS_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/timerfd.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/tcp.h>
#include <sys/random.h>

#include <event2/event_struct.h>
#include <event2/thread.h>

/* event_self_cbarg's unique address (shim.c). */
void *cev_self_cbarg_marker(void);

static inline int cev_errno(void) { return errno; }
/* Guards debug mode's process-wide table of events (shim.c). */
void cev_debug_map_lock(void);
void cev_debug_map_unlock(void);
/* Guards the process-wide signal ownership (shim.c). */
void cev_signal_globals_lock(void);
void cev_signal_globals_unlock(void);
static inline void cev_set_errno(int e) { errno = e; }

/* fcntl is variadic; these fixed-arity forms are what Swift can call. */
static inline int fcntl_getfl(int fd) { return fcntl(fd, F_GETFL); }
static inline int fcntl_setfl(int fd, int fl) { return fcntl(fd, F_SETFL, fl); }
static inline int fcntl_getfd(int fd) { return fcntl(fd, F_GETFD); }
static inline int fcntl_setfd(int fd, int fl) { return fcntl(fd, F_SETFD, fl); }

/* open is variadic too. */
static inline int cev_open_mode(const char *path, int flags, unsigned mode) { return open(path, flags, (mode_t)mode); }

static inline void cev_fd_set(int fd, fd_set *s) { FD_SET(fd, s); }
static inline void cev_fd_clr(int fd, fd_set *s) { FD_CLR(fd, s); }
static inline int cev_fd_isset(int fd, const fd_set *s) { return FD_ISSET(fd, s); }

/* Out of memory (runtime_alloc.c): the calling thread's count of refused
 * allocations, and allocation that falls back to the emergency reserve. */
unsigned long cev_alloc_failure_count(void);
void *cev_mem_alloc_or_reserve(size_t size);
void cev_mem_free_any(void *p);

/* ---- evbuffer (buffer.h): types and helpers, see CEventBuffer.h ---- */
#include "CEventBuffer.h"

/* ---- bufferevent (bufferevent.h): see CEventBufferEvent.h ---- */
#include "CEventBufferEvent.h"

/* ---- libevent-internal exports (issue 15): see CEventInternal.h ---- */
#include "CEventInternal.h"

#endif
