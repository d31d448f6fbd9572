/* C helpers of the extra library: the calls Swift cannot make (variadic). */
#include "CEventExtra.h"
