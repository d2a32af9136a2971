/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sk-tpm doctor: PCR-bound resident keys (issue 12). The current value of
 * every PCR such a key is bound to, then per key whether the values it was
 * enrolled with still hold; a key that no longer matches will be refused
 * until the platform boots as it did then.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "doctor-checks.h"
#include "handle.h"
#include "policy.h"
#include "resident.h"
#include "tpm.h"

static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* Offset of PCR i's value in values laid out for mask. */
static size_t
value_at(uint32_t mask, unsigned i)
{
	return policy_pcr_count(mask & ((1u << i) - 1)) * POLICY_DIGEST_LEN;
}

/* One key: does it match the current values (read for mask)? */
static void
check_binding(struct doctor *d, const struct resident *res, uint32_t mask,
    const uint8_t *now)
{
	const struct kh *kh = res->kh;
	char app[4 * 256 + 1], pcrs[80], is[13], was[13];
	unsigned i, bad = POLICY_PCR_COUNT;

	cli_safe_text(res->rec->application, app, sizeof(app));
	cli_pcr_text(kh, pcrs, sizeof(pcrs));
	for (i = 0; i < POLICY_PCR_COUNT && bad == POLICY_PCR_COUNT; i++)
		if ((kh->pcr_mask & (1u << i)) && memcmp(now + value_at(mask,
		    i), kh->pcr_values + value_at(kh->pcr_mask, i),
		    POLICY_DIGEST_LEN) != 0)
			bad = i;
	if (bad == POLICY_PCR_COUNT) {
		report(d, OK, "PCR binding: 0x%08x %s bound to %s: the current "
		    "values match", res->index, app, pcrs);
		return;
	}
	hex(now + value_at(mask, bad), 6, is);
	hex(kh->pcr_values + value_at(kh->pcr_mask, bad), 6, was);
	report(d, WARN, "PCR binding: 0x%08x %s bound to %s: PCR %u is %s..., "
	    "the key was enrolled with %s...: it will be refused until the "
	    "platform boots as then; enroll a new key", res->index, app, pcrs,
	    bad, is, was);
}

void
check_pcrs(struct doctor *d, struct tpm *tpm,
    const struct resident_list *list)
{
	uint8_t now[POLICY_VALUES_MAX];
	char value[2 * POLICY_DIGEST_LEN + 1], err[512];
	uint32_t mask = 0;
	size_t i, len;
	unsigned p;

	for (i = 0; i < list->count; i++)
		mask |= list->items[i].kh->pcr_mask;
	if (mask == 0)
		return;
	if (tpm_pcr_read(tpm, mask, now, &len) != 0) {
		report(d, FAIL, "PCR bindings: %s", library_error(err,
		    sizeof(err), "the PCRs cannot be read"));
		return;
	}
	for (p = 0; p < POLICY_PCR_COUNT; p++) {
		if (!(mask & (1u << p)))
			continue;
		hex(now + value_at(mask, p), POLICY_DIGEST_LEN, value);
		report(d, INFO, "PCR %u (sha256), bound by a resident key, is "
		    "now %s", p, value);
	}
	for (i = 0; i < list->count; i++)
		if (list->items[i].kh->pcr_mask != 0)
			check_binding(d, &list->items[i], mask, now);
}
