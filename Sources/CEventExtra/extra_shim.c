/* C helpers of the extra library: the calls Swift cannot make (most live
 * as inline functions in CEventExtra.h). */
#include "CEventExtra.h"
