/* Variadic and va_list entry points live in C; they format and hand bytes to Swift. */
#include "CEventSys.h"
