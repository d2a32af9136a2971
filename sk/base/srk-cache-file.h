/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The files of the SRK context cache (tpm-srk-cache.c says what they hold
 * and why): $XDG_RUNTIME_DIR/sk-tpm/, a directory of the user's own, mode
 * 0700, on the per-boot tmpfs systemd-logind makes for each user. Nothing
 * here talks to the TPM; every failure is a debug line and a cache miss,
 * never an error line.
 */
#ifndef SK_SRK_CACHE_FILE_H
#define SK_SRK_CACHE_FILE_H

#include <stddef.h>
#include <stdint.h>

/* The largest cache file read: a saved context and a Name. */
#define SRK_CACHE_FILE_MAX	8192

/* The cache directory, opened (and made, if create) without following a
 * symbolic link: XDG_RUNTIME_DIR must be an absolute path to a directory
 * the user owns that nobody else may write, and sk-tpm/ in it must be the
 * user's and mode 0700. A directory descriptor, or -1 when there is no
 * usable one (the cache is then simply not used). */
int srk_cache_dir_open(int create);
/* The regular file name (no '/') in the directory, if it is the user's,
 * not readable or writable by others and at most size bytes. 0 with *len
 * set, or -1. */
int srk_cache_file_read(int dir, const char *name, uint8_t *buf, size_t size,
    size_t *len);
/* Replace name with data: a new file of mode 0600 renamed over it, so
 * that a reader sees the old file or the new one, never a part. 0 or -1
 * (nothing left behind). */
int srk_cache_file_write(int dir, const char *name, const uint8_t *data,
    size_t len);

#endif /* SK_SRK_CACHE_FILE_H */
