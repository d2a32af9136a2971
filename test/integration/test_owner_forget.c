/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The owner password is used once and forgotten (issue 8, point 4): after
 * tpm_nv_store and tpm_nv_delete, ESYS's owner-hierarchy object no longer
 * holds it, so a later command of the same context that authorises the
 * owner hierarchy through a password session (CreatePrimary of a derived
 * SRK) cannot send it in clear. Shown on a capture of tpm2-tss's pcap TCTI:
 * a control capture where the password is attached on purpose holds it;
 * the capture of store, delete and CreatePrimary does not.
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

#include "tpm-internal.h"
#include "tpm-util.h"

#define OWNER_PW	"owner-pw-5120-in-clear?"

static const char *tcti;
static char pcap_tcti[512];

/* Whether the capture at path holds the owner password. */
static bool
capture_holds_password(const char *path)
{
	uint8_t *buf;
	long size;
	FILE *f;
	bool found;

	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	size = ftell(f);
	rewind(f);
	assert_true(size > 100);
	buf = malloc((size_t)size);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)size, f), (size_t)size);
	fclose(f);
	found = memmem(buf, (size_t)size, OWNER_PW, strlen(OWNER_PW)) != NULL;
	free(buf);
	return found;
}

static void
capture_to(char *path)
{
	int fd;

	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	setenv("TCTI_PCAP_FILE", path, 1);
}

static void
test_owner_password_forgotten(void **state)
{
	char control[] = "/tmp/sk-tpm-owner-control.XXXXXX";
	char path[] = "/tmp/sk-tpm-owner.XXXXXX";
	struct tpm *t = NULL;
	struct srk srk = SRK_INIT;
	TPM2B_AUTH pw = { .size = sizeof(OWNER_PW) - 1 };
	uint8_t record[64];
	uint32_t index = 0;

	(void)state;
	assert_int_equal(tu_owner_auth(tcti, "", OWNER_PW), 0);

	/* Control: a password session that carries the owner password
	 * shows it in the capture. */
	capture_to(control);
	assert_int_equal(tpm_open(pcap_tcti, &t), 0);
	memcpy(pw.buffer, OWNER_PW, pw.size);
	assert_int_equal(Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER, &pw),
	    TSS2_RC_SUCCESS);
	assert_int_equal(srk_create_transient(t, &srk), 0);
	srk_close(t, &srk);
	tpm_close(&t);
	assert_true(capture_holds_password(control));
	unlink(control);

	/* Store and delete with the owner password, then derive the SRK
	 * through a password session in the same context: refused for want
	 * of the password, which it no longer carries. */
	capture_to(path);
	assert_int_equal(tpm_open(pcap_tcti, &t), 0);
	assert_int_equal(tpm_set_owner_auth(t, OWNER_PW), 0);
	memset(record, 0x5a, sizeof(record));
	assert_int_equal(tpm_nv_store(t, record, sizeof(record), NULL, 0,
	    &index), 0);
	assert_int_equal(tpm_nv_delete(t, index), 0);
	assert_int_not_equal(srk_create_transient(t, &srk), 0);
	srk_close(t, &srk);
	tpm_close(&t);
	assert_false(capture_holds_password(path));
	unlink(path);

	assert_int_equal(tu_owner_auth(tcti, OWNER_PW, ""), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_owner_password_forgotten),
	};
	int r;

	setenv("TSS2_LOG", "all+NONE", 1);
	unsetenv("SK_TPM_DEBUG");
	if ((tcti = getenv("SK_TPM_TCTI")) == NULL) {
		fprintf(stderr, "run me through test/with-swtpm.sh --srk\n");
		return 1;
	}
	tcti = strdup(tcti);
	snprintf(pcap_tcti, sizeof(pcap_tcti), "pcap:%s", tcti);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	if (tu_count_leftovers(tcti) != 0)
		r = 1;
	return r;
}
