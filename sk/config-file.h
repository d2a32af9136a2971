/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The config file: $SK_TPM_CONFIG if set, else
 * $XDG_CONFIG_HOME/sk-tpm/config (~/.config/sk-tpm/config), else
 * /etc/sk-tpm/config; the first that exists is read. Lines are
 * "name = value", blank, or comments starting with '#'. The settings are
 * "pcrs" (pcr-bind.h) and "unlock" (unlock.h); any other is an error.
 */
#ifndef SK_CONFIG_FILE_H
#define SK_CONFIG_FILE_H

#include <stddef.h>

#include "config.h"

#define CONFIG_LINE_MAX	256

/* The value of setting name into value (the last one given), "" if unset
 * or there is no file. 0, or -1 with an error line. */
int config_file_get(const struct sk_config *, const char *name, char *value,
    size_t len);

#endif /* SK_CONFIG_FILE_H */
