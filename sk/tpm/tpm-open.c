/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Reaching the TPM. tpm2-tss's own default search ends at a simulator on
 * localhost:2321, which on a shared machine may be anybody's; we never go
 * there unless SK_TPM_TCTI (or -O device=) names it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <tss2/tss2_rc.h>

#include "config.h"
#include "log.h"
#include "sk-api.h"
#include "tpm-internal.h"

#define TPMRM_PATH		"/dev/tpmrm0"
#define DBUS_SYSTEM_SOCKET	"/run/dbus/system_bus_socket"

#define NO_TPM_HELP \
	"add yourself to group tss (sudo usermod -aG tss $USER, then log in " \
	"again) if /dev/tpmrm0 exists, or set SK_TPM_TCTI to a tpm2-tss " \
	"TCTI such as swtpm:host=127.0.0.1,port=2321"

/*
 * The tabrmd TCTI goes through GLib, which prints "** CRITICAL **" lines
 * that TSS2_LOG cannot silence when the broker is missing. Quiet stderr for
 * the duration of this one call unless the user asked for diagnostics.
 */
static TSS2_RC
init_tabrmd_quietly(const char *conf, TSS2_TCTI_CONTEXT **tcti)
{
	TSS2_RC rc;
	int saved = -1, devnull = -1;

	if (!log_debug_enabled()) {
		fflush(stderr);
		saved = dup(STDERR_FILENO);
		devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
		if (saved != -1 && devnull != -1)
			dup2(devnull, STDERR_FILENO);
	}
	rc = Tss2_TctiLdr_Initialize(conf, tcti);
	if (saved != -1) {
		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (devnull != -1)
		close(devnull);
	return rc;
}

static int
open_default(struct tpm *t)
{
	char why_rm[128];
	TSS2_RC rc;

	if (access(TPMRM_PATH, R_OK | W_OK) == 0) {
		rc = Tss2_TctiLdr_Initialize("device:" TPMRM_PATH, &t->tcti);
		if (rc == TSS2_RC_SUCCESS) {
			snprintf(t->tcti_name, sizeof(t->tcti_name),
			    "device:%s", TPMRM_PATH);
			return 0;
		}
		snprintf(why_rm, sizeof(why_rm), "cannot be opened (%s)",
		    Tss2_RC_Decode(rc));
	} else if (errno == EACCES)
		snprintf(why_rm, sizeof(why_rm), "permission denied");
	else
		snprintf(why_rm, sizeof(why_rm), "absent");
	sk_debug("%s: %s %s", __func__, TPMRM_PATH, why_rm);

	/* tpm2-abrmd listens on the system D-Bus; without a bus it cannot be
	 * running, and trying would only print GLib noise. */
	if (access(DBUS_SYSTEM_SOCKET, F_OK) == 0 ||
	    getenv("DBUS_SYSTEM_BUS_ADDRESS") != NULL) {
		rc = init_tabrmd_quietly("tabrmd", &t->tcti);
		if (rc == TSS2_RC_SUCCESS) {
			snprintf(t->tcti_name, sizeof(t->tcti_name), "tabrmd");
			return 0;
		}
		sk_debug("%s: tabrmd: %s", __func__, Tss2_RC_Decode(rc));
	}
	sk_error("no TPM found: %s is %s and tpm2-abrmd is not running; "
	    NO_TPM_HELP, TPMRM_PATH, why_rm);
	return SSH_SK_ERR_DEVICE_NOT_FOUND;
}

int
tpm_open(const char *tcti, struct tpm **out)
{
	struct tpm *t = NULL;
	TSS2_RC rc;
	int r = SSH_SK_ERR_GENERAL;

	*out = NULL;
	if ((t = calloc(1, sizeof(*t))) == NULL) {
		sk_error("out of memory");
		goto out;
	}
	if (tcti != NULL) {
		/* SK_TPM_TCTI=tabrmd:... with the broker down: the one
		 * line below, not GLib's warnings as well. */
		if (strncmp(tcti, "tabrmd", 6) == 0 &&
		    (tcti[6] == '\0' || tcti[6] == ':'))
			rc = init_tabrmd_quietly(tcti, &t->tcti);
		else
			rc = Tss2_TctiLdr_Initialize(tcti, &t->tcti);
		if (rc != TSS2_RC_SUCCESS) {
			sk_error("cannot reach the TPM at \"%s\" (%s); check "
			    "SK_TPM_TCTI", tcti, Tss2_RC_Decode(rc));
			r = SSH_SK_ERR_DEVICE_NOT_FOUND;
			goto out;
		}
		snprintf(t->tcti_name, sizeof(t->tcti_name), "%s", tcti);
	} else if ((r = open_default(t)) != 0)
		goto out;
	/* Every wait for an answer bounded (tpm-tcti.c). */
	if (tcti_bounded_wrap(&t->tcti, config_tpm_timeout_ms()) != 0) {
		sk_error("out of memory");
		r = SSH_SK_ERR_GENERAL;
		goto out;
	}

	rc = Esys_Initialize(&t->esys, t->tcti, NULL);
	if (rc != TSS2_RC_SUCCESS) {
		r = rc_fail("connecting to the TPM", rc);
		if (r == SSH_SK_ERR_GENERAL)
			r = SSH_SK_ERR_DEVICE_NOT_FOUND;
		goto out;
	}
	if ((r = crypto_install(t)) != 0)
		goto out;
	rc = Esys_SetTimeout(t->esys, config_tpm_timeout_ms());
	if (rc != TSS2_RC_SUCCESS)
		sk_debug("%s: Esys_SetTimeout: %s", __func__,
		    Tss2_RC_Decode(rc));
	t->rm_flushes = tcti_flushes_on_close(t->tcti_name, "/sys");
	sk_debug("TPM reached through %s%s", t->tcti_name, t->rm_flushes ?
	    " (a resource manager: it flushes on close)" : "");
	*out = t;
	t = NULL;
	r = 0;
out:
	tpm_close(&t);
	return r;
}

void
tpm_close(struct tpm **tp)
{
	struct tpm *t;

	if (tp == NULL || (t = *tp) == NULL)
		return;
	if (t->esys != NULL) {
		tpm_hold_end(t);
		/* ESYS frees its copy of the owner password unwiped. */
		if (t->owner_auth.size > 0) {
			OPENSSL_cleanse(&t->owner_auth, sizeof(t->owner_auth));
			(void)Esys_TR_SetAuth(t->esys, ESYS_TR_RH_OWNER,
			    &t->owner_auth);
		}
		Esys_Finalize(&t->esys);
	}
	tcti_bounded_free(&t->tcti);
	OPENSSL_cleanse(&t->owner_auth, sizeof(t->owner_auth));
	free(t->hold);	/* left only if ESYS was gone */
	free(t);
	*tp = NULL;
}

const char *
tpm_tcti_name(const struct tpm *t)
{
	return t->tcti_name;
}
