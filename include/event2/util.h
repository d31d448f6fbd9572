/* PROVISIONAL: the headers helper replaces this with the complete util.h. */
#ifndef EVENT2_UTIL_H_INCLUDED_
#define EVENT2_UTIL_H_INCLUDED_
#include <event2/event-config.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/time.h>
#include <sys/socket.h>
typedef uint64_t ev_uint64_t;
typedef int64_t ev_int64_t;
typedef uint32_t ev_uint32_t;
typedef int32_t ev_int32_t;
typedef uint16_t ev_uint16_t;
typedef int16_t ev_int16_t;
typedef uint8_t ev_uint8_t;
typedef int8_t ev_int8_t;
typedef uintptr_t ev_uintptr_t;
typedef intptr_t ev_intptr_t;
typedef ssize_t ev_ssize_t;
typedef off_t ev_off_t;
typedef socklen_t ev_socklen_t;
#define evutil_socket_t int
#endif
