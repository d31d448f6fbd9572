/* Covers: bev_transfer.c with 4 MiB per transfer, so that it also runs
 * under valgrind (socket, pair and filter bufferevents, watermarks forcing
 * suspend/resume, checksums).
 * ctest-timeout: 60
 */
#define TRANSFER_MB 4
#include "bev_transfer.c"
