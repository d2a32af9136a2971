/*
 * How PCR-bound credentials (issue 12) are shown: the binding in
 * "sk-tpm list", and in "sk-tpm doctor" the current values of every PCR a
 * resident key is bound to and whether each key still matches.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "handle.h"
#include "log.h"
#include "policy.h"
#include "resident.h"
#include "tpm.h"

void
cli_pcr_text(const struct kh *kh, char *out, size_t len)
{
	char list[POLICY_PCR_COUNT * 3 + 1];

	if (len == 0)
		return;
	out[0] = '\0';
	if (kh->pcr_mask == 0)
		return;
	policy_format_pcrs(kh->pcr_mask, list, sizeof(list));
	snprintf(out, len, "sha256:%s", list);
}

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
check_key(const struct resident *res, uint32_t mask, const uint8_t *now,
    cli_pcr_emit *emit, void *ctx)
{
	const struct kh *kh = res->kh;
	char app[4 * 256 + 1], pcrs[80], is[13], was[13], line[1536];
	unsigned i, bad = POLICY_PCR_COUNT;

	cli_safe_text(res->rec->application, app, sizeof(app));
	cli_pcr_text(kh, pcrs, sizeof(pcrs));
	for (i = 0; i < POLICY_PCR_COUNT && bad == POLICY_PCR_COUNT; i++)
		if ((kh->pcr_mask & (1u << i)) && memcmp(now + value_at(mask,
		    i), kh->pcr_values + value_at(kh->pcr_mask, i),
		    POLICY_DIGEST_LEN) != 0)
			bad = i;
	if (bad == POLICY_PCR_COUNT) {
		snprintf(line, sizeof(line), "PCR binding: 0x%08x %s bound to "
		    "%s: the current values match", res->index, app, pcrs);
		emit(ctx, CLI_PCR_OK, line);
		return;
	}
	hex(now + value_at(mask, bad), 6, is);
	hex(kh->pcr_values + value_at(kh->pcr_mask, bad), 6, was);
	snprintf(line, sizeof(line), "PCR binding: 0x%08x %s bound to %s: "
	    "PCR %u is %s..., the key was enrolled with %s...: it will be "
	    "refused until the platform boots as then; enroll a new key",
	    res->index, app, pcrs, bad, is, was);
	emit(ctx, CLI_PCR_WARN, line);
}

int
cli_pcr_check(struct tpm *tpm, const struct resident_list *list,
    cli_pcr_emit *emit, void *ctx)
{
	uint8_t now[POLICY_VALUES_MAX];
	char value[2 * POLICY_DIGEST_LEN + 1], line[256];
	uint32_t mask = 0;
	size_t i, len;
	unsigned p;

	for (i = 0; i < list->count; i++)
		mask |= list->items[i].kh->pcr_mask;
	if (mask == 0)
		return 0;
	if (tpm_pcr_read(tpm, mask, now, &len) != 0)
		return -1;
	for (p = 0; p < POLICY_PCR_COUNT; p++) {
		if (!(mask & (1u << p)))
			continue;
		hex(now + value_at(mask, p), POLICY_DIGEST_LEN, value);
		snprintf(line, sizeof(line), "PCR %u (sha256), bound by a "
		    "resident key, is now %s", p, value);
		emit(ctx, CLI_PCR_INFO, line);
	}
	for (i = 0; i < list->count; i++)
		if (list->items[i].kh->pcr_mask != 0)
			check_key(&list->items[i], mask, now, emit, ctx);
	return 0;
}
