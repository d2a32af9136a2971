/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Resident enrollments at the same time, each interleaving made to happen
 * deterministically on the simulator (the parallel test through
 * tpm2-abrmd is test/fault/par-resident.sh):
 *   - the index a store picked from its listing was defined meanwhile by
 *     another process: the store takes the next free one, and the TPM's
 *     lockout counter does not move;
 *   - settling (resident-settle.c): of two records of one pair, the one at
 *     the higher index stays, whichever enrollment looks; a record of
 *     another pair, or one that changed since it was read, is never
 *     removed; an enrollment whose record was already taken away loses
 *     without removing anything.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "handle.h"
#include "record.h"
#include "resident.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm.h"
#include "tpm-util.h"

#define APP	"ssh:race"
#define USER	"u"

static const char *tcti;

static char opt_name[] = "user", opt_value[] = USER;
static struct sk_option opt_user = { opt_name, opt_value, 0 };
static struct sk_option *user_opts[] = { &opt_user, NULL };

static void
enroll_resident(const char *app)
{
	struct sk_enroll_response *e = NULL;
	uint8_t challenge[32] = { 0 };

	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    app, SSH_SK_RESIDENT_KEY, NULL, user_opts, &e), 0);
	stu_free_enroll(e);
}

/* Whether the listing holds a usable record at index. */
static bool
listed(struct tpm *t, uint32_t index)
{
	struct resident_list list;
	bool found = false;
	size_t i;

	assert_int_equal(resident_load(t, &list), 0);
	for (i = 0; i < list.count; i++)
		found |= list.items[i].index == index;
	resident_list_free(&list);
	return found;
}

static int
setup(void **state)
{
	(void)state;
	setenv("SK_TPM_TCTI", tcti, 1);
	assert_int_equal(tu_nv_clear(tcti), 0);
	assert_int_equal(tu_da_reset(tcti), 0);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	assert_int_equal(tu_nv_clear(tcti), 0);
	assert_int_equal(tu_count_leftovers(tcti), 0);
	return 0;
}

static void
test_define_retry(void **state)
{
	struct tpm *t = NULL;
	uint8_t a[64], b[64];
	uint32_t ia = 0, ib = 0, ic = 0;
	uint32_t stale[1] = { TPM_NV_FIRST + 1 };
	int da;

	(void)state;
	memset(a, 0x5a, sizeof(a));
	memset(b, 0xa5, sizeof(b));
	da = tu_da_counter(tcti);
	assert_true(da >= 0);
	assert_int_equal(tpm_open(tcti, &t), 0);
	assert_int_equal(tpm_nv_store(t, a, sizeof(a), NULL, 0, &ia), 0);
	assert_int_equal(ia, TPM_NV_FIRST);
	/* A listing taken before that store: the first slot looks free. */
	assert_int_equal(tpm_nv_store(t, b, sizeof(b), NULL, 0, &ib), 0);
	assert_int_equal(ib, TPM_NV_FIRST + 1);
	/* Stale twice over: FIRST listed as free (it is not), FIRST + 1 as
	 * used (it is), FIRST + 2 free. */
	assert_int_equal(tpm_nv_store(t, b, sizeof(b), stale, 1, &ic), 0);
	assert_int_equal(ic, TPM_NV_FIRST + 2);
	/* Above a given index (an overwrite). */
	assert_int_equal(tpm_nv_store_from(t, a, sizeof(a), NULL, 0,
	    TPM_NV_FIRST + 1, &ia), 0);
	assert_int_equal(ia, TPM_NV_FIRST + 3);
	tpm_close(&t);
	assert_int_equal(tu_da_counter(tcti), da);
}

static void
test_settle_higher_stays(void **state)
{
	struct tpm *t = NULL;
	struct rec *rec = NULL;
	uint8_t *buf = NULL, *other = NULL;
	size_t len = 0, other_len = 0;
	const uint8_t *user = (const uint8_t *)USER;
	const uint32_t lo = TPM_NV_FIRST, mid = TPM_NV_FIRST + 1,
	    hi = TPM_NV_FIRST + 2;
	int da;

	(void)state;
	da = tu_da_counter(tcti);
	enroll_resident(APP);		/* at lo */
	enroll_resident("ssh:other");	/* at mid: another pair */
	assert_int_equal(tpm_open(tcti, &t), 0);
	assert_int_equal(tpm_nv_read(t, lo, &buf, &len), 0);
	assert_int_equal(rec_decode(buf, len, &rec), KH_OK);
	{
		/* The simulator's blobs are within kh_worst_len's bounds. */
		struct kh *kh = NULL;

		assert_int_equal(kh_decode(rec->key_handle,
		    rec->key_handle_len, &kh), KH_OK);
		assert_true(kh->tpm_public_len <= KH_KEY_PUBLIC_BOUND);
		assert_true(kh->tpm_private_len <= KH_KEY_PRIVATE_BOUND);
		kh_free(&kh);
	}

	/* Another enrollment of the pair stored a copy above ours: ours
	 * goes, theirs and the other pair's stay. */
	assert_int_equal(tu_nv_write(tcti, hi, buf, len), 0);
	assert_int_equal(resident_settle(t, APP, user, 1, lo,
	    rec->key_handle, rec->key_handle_len),
	    SSH_SK_ERR_CREDENTIAL_EXISTS);
	assert_false(listed(t, lo));
	assert_true(listed(t, mid));
	assert_true(listed(t, hi));

	/* Ours is above: the one below goes, the other pair stays. */
	assert_int_equal(tu_nv_write(tcti, lo, buf, len), 0);
	assert_int_equal(resident_settle(t, APP, user, 1, hi,
	    rec->key_handle, rec->key_handle_len), 0);
	assert_false(listed(t, lo));
	assert_true(listed(t, mid));
	assert_true(listed(t, hi));

	/* Ours was taken away already: lose, remove nothing. */
	assert_int_equal(resident_settle(t, APP, user, 1, lo,
	    rec->key_handle, rec->key_handle_len),
	    SSH_SK_ERR_CREDENTIAL_EXISTS);
	assert_true(listed(t, mid));
	assert_true(listed(t, hi));

	/* Removing by content: an index that holds something else now is
	 * left alone, one that is gone is no error. */
	assert_int_equal(tpm_nv_read(t, mid, &other, &other_len), 0);
	assert_int_equal(tpm_nv_remove_if(t, hi, other, other_len),
	    TPM_NV_CHANGED);
	assert_true(listed(t, hi));
	assert_int_equal(tpm_nv_remove_if(t, lo, buf, len), TPM_NV_GONE);
	assert_int_equal(tpm_nv_remove_if(t, hi, buf, len), 0);
	assert_false(listed(t, hi));
	tpm_close(&t);
	assert_int_equal(tu_da_counter(tcti), da);
	rec_free(&rec);
	free(buf);
	free(other);
}

/* An overwrite stores above the record it replaces, even with free slots
 * below, and then only the new record is left. */
static void
test_overwrite_goes_above(void **state)
{
	struct sk_enroll_response *e = NULL;
	struct resident_list list;
	struct tpm *t = NULL;
	uint8_t challenge[32] = { 0 };
	size_t i, n = 0;
	uint32_t at = 0;

	(void)state;
	enroll_resident("ssh:first");		/* at FIRST */
	enroll_resident(APP);			/* at FIRST + 1 */
	enroll_resident("ssh:third");		/* at FIRST + 2 */
	assert_int_equal(tpm_open(tcti, &t), 0);
	assert_int_equal(resident_load(t, &list), 0);
	assert_int_equal(resident_highest(&list, APP,
	    (const uint8_t *)USER, 1), TPM_NV_FIRST + 1);
	resident_list_free(&list);
	assert_int_equal(tpm_nv_delete(t, TPM_NV_FIRST), 0);
	tpm_close(&t);

	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    APP, SSH_SK_RESIDENT_KEY | SSH_SK_FORCE_OPERATION, NULL,
	    user_opts, &e), 0);
	stu_free_enroll(e);

	assert_int_equal(tpm_open(tcti, &t), 0);
	assert_int_equal(resident_load(t, &list), 0);
	for (i = 0; i < list.count; i++)
		if (strcmp(list.items[i].rec->application, APP) == 0) {
			n++;
			at = list.items[i].index;
		}
	assert_int_equal(n, 1);
	/* Neither the free FIRST nor the old FIRST + 1. */
	assert_int_equal(at, TPM_NV_FIRST + 3);
	assert_int_equal(list.count, 2);
	resident_list_free(&list);
	tpm_close(&t);
}

/* A resident key whose handle could outgrow its record (the longest
 * application and user id, 24 PCRs) is refused before the TPM is asked
 * anything: here the TCTI names a port where nothing listens, and the one
 * line is about the size, not about a missing TPM. Fewer PCRs get as far
 * as the TPM. */
static void
test_too_large_refused_before_tpm(void **state)
{
	static char app[REC_APP_MAX + 1], user[REC_USER_MAX + 1];
	struct sk_enroll_response *e = NULL;
	struct sk_option o = { opt_name, user, 0 }, *opts[] = { &o, NULL };
	uint8_t challenge[32] = { 0 };
	const char *err;

	(void)state;
	memset(app, 'a', REC_APP_MAX);
	memcpy(app, "ssh:", 4);
	memset(user, 'u', REC_USER_MAX);
	setenv("SK_TPM_TCTI", "swtpm:host=127.0.0.1,port=1", 1);
	/* Every PCR that may be bound: all but 16 and 23. */
	setenv("SK_TPM_PCRS", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,17,"
	    "18,19,20,21,22", 1);
	assert_int_equal(stu_capture_start(), 0);
	assert_int_equal(sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge),
	    app, SSH_SK_RESIDENT_KEY, NULL, opts, &e), SSH_SK_ERR_GENERAL);
	err = stu_capture_stop();
	assert_null(e);
	assert_int_equal(stu_count_sk_lines(err), 1);
	assert_non_null(strstr(err, "bound to 22 PCRs could need a key handle "
	    "of 1771 bytes, but its record has room for 1703"));

	setenv("SK_TPM_PCRS", "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,17,"
	    "18,19", 1);
	assert_int_equal(stu_capture_start(), 0);
	assert_int_not_equal(sk_enroll(SSH_SK_ECDSA, challenge,
	    sizeof(challenge), app, SSH_SK_RESIDENT_KEY, NULL, opts, &e), 0);
	err = stu_capture_stop();
	assert_null(strstr(err, "room"));
	unsetenv("SK_TPM_PCRS");
	setenv("SK_TPM_TCTI", tcti, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_define_retry, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_settle_higher_stays,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_overwrite_goes_above,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_too_large_refused_before_tpm, setup, teardown),
	};

	setenv("TSS2_LOG", "all+NONE", 1);
	unsetenv("SK_TPM_DEBUG");
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --srk\n");
		return 1;
	}
	tcti = strdup(tcti);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
