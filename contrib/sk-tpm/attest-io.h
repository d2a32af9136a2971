/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The small files of the EK round trip (attest-io.c).
 */
#ifndef SK_TPM_ATTEST_IO_H
#define SK_TPM_ATTEST_IO_H

#include <stddef.h>
#include <stdint.h>

/* At most max bytes of path; 0, or -1 (missing, unreadable, too long). */
int round_read_small(const char *path, uint8_t *buf, size_t max,
    size_t *len);
/* buf into path, mode 0600, not through a symbolic link; 0, or -1 said. */
int round_write_private(const char *path, const uint8_t *buf, size_t len);

#endif /* SK_TPM_ATTEST_IO_H */
