/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Where unlock tickets live (doc/unlock.md): files named
 * HEX(policyRef).ticket in $XDG_RUNTIME_DIR/sk-tpm/, the directory the SRK
 * context cache uses (srk-cache-file.h: the user's own, mode 0700, opened
 * without following links, owner checked), each of mode 0600 and replaced
 * atomically (a new file renamed over the old). Files only; what a ticket
 * holds is ticket-file.h's.
 */
#ifndef SK_TICKET_STORE_H
#define SK_TICKET_STORE_H

#include <stddef.h>
#include <stdint.h>

/* 0 with *len, or -1 when there is no usable file (debug line). */
int ticket_store_read(const char *name, uint8_t *buf, size_t size,
    size_t *len);
/* 0, or -1 with a debug line (the directory is made if needed). */
int ticket_store_write(const char *name, const uint8_t *data, size_t len);
/* 0 when removed, 1 when there was none, -1 on error. */
int ticket_store_remove(const char *name);
/* Each name ending in ".ticket" in the directory, to fn; 0, or -1 when
 * there is no directory. */
int ticket_store_each(void (*fn)(void *, const char *name), void *ctx);

#endif /* SK_TICKET_STORE_H */
