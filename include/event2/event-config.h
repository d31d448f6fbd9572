/* PROVISIONAL: the headers helper replaces this with the full EVENT__* set. */
#ifndef EVENT2_EVENT_CONFIG_H_INCLUDED_
#define EVENT2_EVENT_CONFIG_H_INCLUDED_
#define EVENT__HAVE_SYS_TYPES_H 1
#define EVENT__HAVE_SYS_TIME_H 1
#define EVENT__HAVE_STDINT_H 1
#define EVENT__HAVE_UINTPTR_T 1
#define EVENT__SIZEOF_INT 4
#define EVENT__SIZEOF_LONG 8
#define EVENT__SIZEOF_SIZE_T 8
#define EVENT__NUMERIC_VERSION 0x02010c00
#define EVENT__VERSION "2.1.12-stable"
#endif
