/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Resident credentials in TPM NV against a real simulator: store, refuse
 * a duplicate, replace with force, list, skip what is not ours, and keep
 * everything when NV runs out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "cbor-strict.h"
#include "record.h"
#include "sk-api.h"
#include "sk-test-util.h"
#include "tpm-util.h"

#define RK	SSH_SK_RESIDENT_KEY

static const char *tcti, *tcti2;

static char opt_name[] = "user", opt_value[64];
static struct sk_option opt_user = { opt_name, opt_value, 0 };
static struct sk_option *user_opts[] = { &opt_user, NULL };

static int
enroll(const char *app, const char *user, uint8_t flags, const char *pin,
    struct sk_enroll_response **e)
{
	uint8_t challenge[32] = { 0 };

	*e = NULL;
	if (user != NULL)
		snprintf(opt_value, sizeof(opt_value), "%s", user);
	return sk_enroll(SSH_SK_ECDSA, challenge, sizeof(challenge), app,
	    flags, pin, user != NULL ? user_opts : NULL, e);
}

static size_t
load(struct sk_resident_key ***rks)
{
	size_t n = 99;

	*rks = NULL;
	assert_int_equal(sk_load_resident_keys(NULL, NULL, rks, &n), 0);
	return n;
}

static int
setup(void **state)
{
	(void)state;
	setenv("SK_TPM_TCTI", tcti, 1);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (tu_count_leftovers(tcti) != 0)
		return -1;
	return tu_nv_clear(tcti);
}

static void
test_empty(void **state)
{
	struct sk_resident_key **rks;

	(void)state;
	assert_int_equal(load(&rks), 0);
	assert_null(rks);
}

static void
test_store_and_load(void **state)
{
	struct sk_enroll_response *a, *b, *c;
	struct sk_resident_key **rks;
	size_t n, i;

	(void)state;
	assert_int_equal(enroll("ssh:", NULL, SSH_SK_USER_PRESENCE_REQD | RK,
	    NULL, &a), 0);
	assert_int_equal(a->flags, SSH_SK_USER_PRESENCE_REQD | RK);
	assert_int_equal(enroll("ssh:work", "alice", RK |
	    SSH_SK_USER_VERIFICATION_REQD, "1234", &b), 0);
	/* Two users under one application. */
	assert_int_equal(enroll("ssh:work", "bob", RK, NULL, &c), 0);
	assert_int_equal(tu_count_handles(tcti, 0x01000000u), 3);

	n = load(&rks);
	assert_int_equal(n, 3);
	for (i = 0; i < n; i++) {
		const struct sk_enroll_response *want;

		if (strcmp(rks[i]->application, "ssh:") == 0)
			want = a;
		else if (memcmp(rks[i]->user_id, "alice", 5) == 0)
			want = b;
		else
			want = c;
		assert_int_equal(rks[i]->alg, SSH_SK_ECDSA);
		assert_int_equal(rks[i]->key.public_key_len, 65);
		assert_memory_equal(rks[i]->key.public_key, want->public_key,
		    65);
		assert_int_equal(rks[i]->key.key_handle_len,
		    want->key_handle_len);
		assert_memory_equal(rks[i]->key.key_handle, want->key_handle,
		    want->key_handle_len);
		assert_int_equal(rks[i]->user_id_len, 32);
		assert_int_equal(!!(rks[i]->flags &
		    SSH_SK_USER_VERIFICATION_REQD), want == b);
	}
	stu_free_resident(rks, n);
	stu_free_enroll(a);
	stu_free_enroll(b);
	stu_free_enroll(c);
}

static void
test_exists_then_force(void **state)
{
	struct sk_enroll_response *a, *again = NULL, *forced;
	struct sk_resident_key **rks;
	size_t n;

	(void)state;
	assert_int_equal(enroll("ssh:dup", "carol", RK, NULL, &a), 0);
	/* Refused before anything is created. */
	assert_int_equal(enroll("ssh:dup", "carol", RK, NULL, &again),
	    SSH_SK_ERR_CREDENTIAL_EXISTS);
	assert_null(again);
	assert_int_equal(tu_count_handles(tcti, 0x01000000u), 1);
	/* Forced: replaced, and the force bit is not echoed. */
	assert_int_equal(enroll("ssh:dup", "carol", RK |
	    SSH_SK_FORCE_OPERATION, NULL, &forced), 0);
	assert_int_equal(forced->flags, RK);
	n = load(&rks);
	assert_int_equal(n, 1);
	assert_memory_equal(rks[0]->key.public_key, forced->public_key, 65);
	stu_free_resident(rks, n);
	stu_free_enroll(a);
	stu_free_enroll(forced);
}

static void
test_foreign_record_skipped(void **state)
{
	struct sk_enroll_response *mine, *theirs;
	struct sk_resident_key **rks;
	uint8_t *blob = NULL;
	size_t n, len = 0;

	(void)state;
	/* A record made on the second simulator, copied byte for byte into
	 * this one: it names another SRK. */
	setenv("SK_TPM_TCTI", tcti2, 1);
	assert_int_equal(enroll("ssh:", "eve", RK, NULL, &theirs), 0);
	assert_int_equal(tu_nv_read_first(tcti2, &blob, &len), 0);
	assert_int_equal(tu_nv_clear(tcti2), 0);
	setenv("SK_TPM_TCTI", tcti, 1);
	assert_int_equal(tu_nv_write(tcti, 0x01a5c5f0u, blob, len), 0);
	/* And a record that is not even ours. */
	assert_int_equal(tu_nv_write(tcti, 0x01a5c5f1u,
	    (const uint8_t *)"garbage!", 8), 0);
	assert_int_equal(enroll("ssh:", "frank", RK, NULL, &mine), 0);

	n = load(&rks);
	assert_int_equal(n, 1);
	assert_memory_equal(rks[0]->key.public_key, mine->public_key, 65);
	stu_free_resident(rks, n);
	/* Skipped, never deleted. */
	assert_int_equal(tu_count_handles(tcti, 0x01000000u), 3);
	free(blob);
	stu_free_enroll(mine);
	stu_free_enroll(theirs);
}

/*
 * A record another user of the TPM planted, complete and valid in every
 * other way (its key handle is a real one of this TPM, made for that
 * application), whose application or user id would turn into a path or a
 * terminal escape in ssh-keygen -K's file names and messages.
 */
static void
plant(uint32_t index, const char *app, const char *user)
{
	struct sk_enroll_response *e;
	uint8_t buf[REC_MAX_LEN];
	struct cbor_wr w;

	/* Not resident: the application is only hashed into the handle. */
	assert_int_equal(enroll(app, NULL, 0, NULL, &e), 0);
	cwr_init(&w, buf, sizeof(buf));
	cwr_map(&w, 5);
	cwr_uint(&w, 0);
	cwr_text(&w, REC_MAGIC, strlen(REC_MAGIC));
	cwr_uint(&w, 1);
	cwr_uint(&w, REC_VERSION);
	cwr_uint(&w, 2);
	cwr_text(&w, app, strlen(app));
	cwr_uint(&w, 3);
	cwr_bytes(&w, (const uint8_t *)user, strlen(user));
	cwr_uint(&w, 4);
	cwr_bytes(&w, e->key_handle, e->key_handle_len);
	assert_false(w.full);
	assert_int_equal(tu_nv_write(tcti, index, buf, w.off), 0);
	stu_free_enroll(e);
}

static void
test_planted_names_skipped(void **state)
{
	struct sk_enroll_response *mine, *refused;
	struct sk_resident_key **rks;
	size_t n;

	(void)state;
	plant(0x01a5c5f0u, "ssh:../x", "alice");
	plant(0x01a5c5f1u, "ssh:\x1b[2J\x1b[31mred", "alice");
	plant(0x01a5c5f2u, "ssh:ok", "../../.ssh/authorized_keys");
	plant(0x01a5c5f3u, "ssh:ok", "\x1b]0;owned\x07");
	assert_int_equal(enroll("ssh:mine", "bob", RK, NULL, &mine), 0);
	/* What ssh-keygen -K and ssh-add -K get: only the genuine one. */
	n = load(&rks);
	assert_int_equal(n, 1);
	assert_string_equal(rks[0]->application, "ssh:mine");
	assert_memory_equal(rks[0]->key.public_key, mine->public_key, 65);
	stu_free_resident(rks, n);
	/* Skipped, not deleted. */
	assert_int_equal(tu_count_handles(tcti, 0x01000000u), 5);
	/* And such names are refused at enrollment, before any TPM work. */
	assert_int_equal(enroll("ssh:../x", "bob", RK, NULL, &refused),
	    SSH_SK_ERR_GENERAL);
	assert_int_equal(enroll("ssh:y", "a/b", RK, NULL, &refused),
	    SSH_SK_ERR_GENERAL);
	assert_null(refused);
	assert_int_equal(tu_count_handles(tcti, 0x01000000u), 5);
	stu_free_enroll(mine);
}

static void
test_nv_full(void **state)
{
	struct sk_enroll_response *e = NULL;
	struct sk_resident_key **rks;
	char user[32];
	int i, stored = 0, r = 0;
	size_t n;

	(void)state;
	/* Fill the simulator until the TPM says no. */
	for (i = 0; i < 256 && r == 0; i++) {
		snprintf(user, sizeof(user), "user%03d", i);
		r = enroll("ssh:fill", user, RK, NULL, &e);
		if (r == 0)
			stored++;
		stu_free_enroll(e);
	}
	fprintf(stderr, "# NV filled after %d records\n", stored);
	assert_int_equal(r, SSH_SK_ERR_GENERAL);
	assert_true(stored > 0);
	/* Everything stored before still loads; nothing half-written. */
	n = load(&rks);
	assert_int_equal(n, (size_t)stored);
	stu_free_resident(rks, n);
	assert_int_equal(tu_count_handles(tcti, 0x01000000u), stored);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_store_and_load, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_exists_then_force, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_foreign_record_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_planted_names_skipped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_nv_full, setup, teardown),
	};

	setenv("TSS2_LOG", "all+NONE", 1);
	tcti = getenv("SK_TPM_TCTI");
	tcti2 = getenv("SK_TPM_TCTI_2");
	if (tcti == NULL || tcti2 == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --second\n");
		return 1;
	}
	tcti = strdup(tcti);
	tcti2 = strdup(tcti2);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
