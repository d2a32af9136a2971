/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The unlock window's setting (unlock.h): a duration in seconds, minutes
 * and hours.
 */
#include <string.h>

#include "config.h"
#include "log.h"
#include "unlock.h"

#define SETTING_MAX	256	/* a config file line's length */

int
unlock_parse(const char *v, uint32_t *seconds)
{
	uint64_t total = 0, n;
	const char *p = v;
	int any = 0;

	*seconds = 0;
	if (v == NULL)
		return -1;
	if (strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		return 0;
	while (*p != '\0') {
		if (*p < '0' || *p > '9')
			return -1;
		for (n = 0; *p >= '0' && *p <= '9'; p++) {
			n = n * 10 + (uint64_t)(*p - '0');
			if (n > KH_UNLOCK_MAX)
				return -1;
		}
		switch (*p) {
		case 'h':
			n *= 3600;
			p++;
			break;
		case 'm':
			n *= 60;
			p++;
			break;
		case 's':
			p++;
			break;
		case '\0':
			/* A bare number is seconds, but only alone. */
			if (any)
				return -1;
			break;
		default:
			return -1;
		}
		total += n;
		any = 1;
		if (total > KH_UNLOCK_MAX)
			return -1;
	}
	if (!any || total == 0)
		return -1;
	*seconds = (uint32_t)total;
	return 0;
}

int
unlock_window(const struct sk_config *cfg, uint32_t *seconds, bool *given)
{
	char from_file[SETTING_MAX];
	const char *v = cfg->unlock, *what = "SK_TPM_UNLOCK";

	*seconds = 0;
	if (given != NULL)
		*given = false;
	if (v == NULL) {
		if (config_file_value(cfg, "unlock", from_file,
		    sizeof(from_file)) != 0)
			return -1;
		if (from_file[0] == '\0')
			return 0;
		v = from_file;
		what = "the unlock setting";
	}
	if (given != NULL)
		*given = true;
	if (unlock_parse(v, seconds) != 0) {
		sk_error("%s=%s is not understood: use a duration such as "
		    "15m, 1h or 1h30m, at most 12h, or \"off\"", what, v);
		return -1;
	}
	return 0;
}
