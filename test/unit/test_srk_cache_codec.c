/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The SRK context cache's file form (sk/tpm/tpm-srk-cache.c): what is written
 * decodes to the same Name and context; anything cut, extended or not of
 * the shape the library writes (another Name size or algorithm, another
 * hierarchy, a context that is not a transient object's, an empty blob,
 * another magic or version) is refused; the file name is the Name in hex.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "srk-cache-file.h"
#include "tpm-internal.h"

static void
sample(TPM2B_NAME *name, TPMS_CONTEXT *ctx)
{
	size_t i;

	memset(name, 0, sizeof(*name));
	memset(ctx, 0, sizeof(*ctx));
	name->size = KH_NAME_LEN;
	name->name[0] = 0x00;
	name->name[1] = 0x0b;
	for (i = 2; i < KH_NAME_LEN; i++)
		name->name[i] = (uint8_t)(i * 7);
	ctx->sequence = 0x1122334455667788ull;
	ctx->savedHandle = 0x80000000u;
	ctx->hierarchy = TPM2_RH_OWNER;
	ctx->contextBlob.size = 300;
	for (i = 0; i < 300; i++)
		ctx->contextBlob.buffer[i] = (uint8_t)(i ^ 0x5a);
}

static int
roundtrip(const TPM2B_NAME *name, const TPMS_CONTEXT *ctx)
{
	uint8_t buf[SRK_CACHE_FILE_MAX];
	TPMS_CONTEXT back;
	TPM2B_NAME nback;
	size_t len;

	if (srk_cache_encode(name, ctx, buf, sizeof(buf), &len) != 0)
		return -2;
	return srk_cache_decode(buf, len, &nback, &back);
}

static void
test_roundtrip(void **state)
{
	uint8_t buf[SRK_CACHE_FILE_MAX];
	TPMS_CONTEXT ctx, back;
	TPM2B_NAME name, nback;
	size_t len, cut;

	(void)state;
	sample(&name, &ctx);
	assert_int_equal(srk_cache_encode(&name, &ctx, buf, sizeof(buf),
	    &len), 0);
	assert_memory_equal(buf, "SKTPMSRK\0\1", 10);
	assert_int_equal(srk_cache_decode(buf, len, &nback, &back), 0);
	assert_int_equal(nback.size, name.size);
	assert_memory_equal(nback.name, name.name, name.size);
	assert_true(back.sequence == ctx.sequence);
	assert_int_equal(back.savedHandle, ctx.savedHandle);
	assert_int_equal(back.hierarchy, ctx.hierarchy);
	assert_int_equal(back.contextBlob.size, ctx.contextBlob.size);
	assert_memory_equal(back.contextBlob.buffer, ctx.contextBlob.buffer,
	    ctx.contextBlob.size);

	for (cut = 0; cut < len; cut++)
		assert_int_equal(srk_cache_decode(buf, cut, &nback, &back),
		    -1);
	buf[len] = 0;
	assert_int_equal(srk_cache_decode(buf, len + 1, &nback, &back), -1);
	buf[0] ^= 1;
	assert_int_equal(srk_cache_decode(buf, len, &nback, &back), -1);
	buf[0] ^= 1;
	buf[9] = 2;
	assert_int_equal(srk_cache_decode(buf, len, &nback, &back), -1);
	/* No room: refused, not cut. */
	assert_int_equal(srk_cache_encode(&name, &ctx, buf, 100, &len), -1);
}

static void
test_shape(void **state)
{
	TPMS_CONTEXT ctx;
	TPM2B_NAME name;

	(void)state;
	sample(&name, &ctx);
	assert_int_equal(roundtrip(&name, &ctx), 0);
	ctx.savedHandle = 0x80000002u;		/* stClear object */
	assert_int_equal(roundtrip(&name, &ctx), 0);

	sample(&name, &ctx);
	ctx.hierarchy = TPM2_RH_NULL;
	assert_int_equal(roundtrip(&name, &ctx), -1);
	sample(&name, &ctx);
	ctx.savedHandle = 0x02000000u;		/* an HMAC session */
	assert_int_equal(roundtrip(&name, &ctx), -1);
	sample(&name, &ctx);
	ctx.contextBlob.size = 0;
	assert_int_equal(roundtrip(&name, &ctx), -1);
	sample(&name, &ctx);
	name.size = 20;
	assert_int_equal(roundtrip(&name, &ctx), -1);
	sample(&name, &ctx);
	name.name[1] = 0x04;			/* SHA-1 */
	assert_int_equal(roundtrip(&name, &ctx), -1);
}

static void
test_file_name(void **state)
{
	char out[SRK_CACHE_NAME_MAX];
	TPMS_CONTEXT ctx;
	TPM2B_NAME name;

	(void)state;
	sample(&name, &ctx);
	assert_int_equal(srk_cache_file_name(&name, out), 0);
	assert_int_equal(strlen(out), 4 + 2 * KH_NAME_LEN + 4);
	assert_int_equal(strncmp(out, "srk-000b0e151c", 14), 0);
	assert_string_equal(out + strlen(out) - 4, ".ctx");
	assert_null(strchr(out, '/'));
	name.size = 0;
	assert_int_equal(srk_cache_file_name(&name, out), -1);
	name.size = sizeof(name.name);
	assert_int_equal(srk_cache_file_name(&name, out), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_file_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
