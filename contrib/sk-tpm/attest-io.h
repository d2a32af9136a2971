/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The small files of the EK round trip (attest-io.c).
 */
#ifndef SK_TPM_ATTEST_IO_H
#define SK_TPM_ATTEST_IO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* At most max bytes of path; 0, or -1 (missing, unreadable, too long). */
int round_read_small(const char *path, uint8_t *buf, size_t max,
    size_t *len);
/* buf into path, mode 0600, not through a symbolic link; 0, or -1 said. */
int round_write_private(const char *path, const uint8_t *buf, size_t len);
/* path opened for writing a public file of attest export (mode 0644):
 * never through a symbolic link, and only a regular file (a FIFO planted
 * there would hang the export); NULL with the error said. */
FILE *export_open(const char *path);

#endif /* SK_TPM_ATTEST_IO_H */
