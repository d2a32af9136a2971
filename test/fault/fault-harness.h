/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the TPM fault programs (test_fault*.c) share. Each runs the real
 * libsk-tpm.so against its own swtpm (test/with-swtpm.sh --srk), with the
 * fault TCTI (tcti-fault.c) between the two to make one chosen command
 * fail:
 *
 *   with-swtpm.sh --srk -- test_fault_X /abs/path/libtss2-tcti-fault.so
 *
 * The harness (fault-harness.c) arms the fault TCTI and reads its log,
 * calls the library timed and with its stderr, judges the outcome (a clean
 * SSH_SK_ERR_* within a bounded time and exactly one "sk-tpm:" line), and
 * makes the keys every fault must leave usable; fault-tpm.c looks at and
 * cleans up the simulator itself (NV indices, leftover handles).
 */
#ifndef TEST_FAULT_HARNESS_H
#define TEST_FAULT_HARNESS_H

#include <stddef.h>
#include <stdint.h>

#include "sk-api.h"

/* A correctness bound, not a speed test: a fault must never turn into a
 * long wait or a hang. */
#define FAULT_BOUND_S	15.0
#define NV_RANGE	0x01000000u
#define APP		"ssh:"
#define RK_APP		"ssh:fault-rk"
#define PIN		"271828"

extern const char *tcti;		/* the simulator, directly */
extern char fault_tcti[1024];		/* the fault TCTI in front of it */
extern char kill_cmd[256];		/* stops the simulator for good */

/* Made before any fault; every fault must leave them usable. */
extern struct sk_enroll_response *keep;		/* a plain key */
extern struct sk_enroll_response *keep_rk;	/* a resident one */
extern struct sk_enroll_response *keep_pin;	/* one with a PIN */

struct outcome {
	int r;
	double secs;
	char err[4096];
};

/* The fault TCTI: the fault at (command:nth, or any:nth), of a mode
 * (tcti-fault.c), times times or once; and no fault, the simulator direct. */
void fault_set(const char *at, const char *mode, const char *times);
void fault_clear(void);
/* The fault TCTI's log: read whole, occurrences of needle, emptied. */
char *log_read(void);
int log_count(const char *needle);
void log_reset(void);

/* Library calls, timed, with their stderr. A signature that succeeds is
 * verified with OpenSSL; keep_pin is signed with its PIN. */
void run_enroll_pin(const char *app, uint8_t flags, const char *pin,
    const char *user, struct sk_enroll_response **, struct outcome *);
void run_enroll(const char *app, uint8_t flags, const char *user,
    struct sk_enroll_response **, struct outcome *);
void run_sign(const struct sk_enroll_response *, const char *app,
    struct sk_sign_response **, struct outcome *);
/* A clean failure: an SSH_SK_ERR_* a caller understands, in bounded time,
 * exactly one line on stderr and that from the library (with needle in
 * it, unless NULL). A success: 0, and silent. */
void expect_clean_failure(const char *what, const struct outcome *,
    const char *needle);
void expect_success(const char *what, const struct outcome *);

/* What must survive every fault: the keys sign, the resident one loads,
 * nothing stays loaded. resident_count: the records that load, *found
 * whether one has the public point want_point. */
size_t resident_count(const uint8_t *want_point, int *found);
void check_survivors(void);
/* Start the simulator again after a kill (SWTPM_RESTART). */
void restart_simulator(void);

/* The simulator itself (fault-tpm.c). The indices of our NV range, at most
 * max; remove those not in spare (with unwritten_only, only those defined
 * and never written), returning how many went; flush every transient
 * object and session, returning how many went. */
size_t nv_snapshot(uint32_t *out, size_t max);
int nv_remove(int unwritten_only, const uint32_t *spare, size_t nspare);
int flush_everything(void);

/* cmocka fixtures: the group makes and frees keep, keep_rk and keep_pin;
 * each test starts with no fault and an empty log, and must end with
 * nothing left in the TPM. */
int fault_group_setup(void **);
int fault_group_teardown(void **);
int fault_setup(void **);
int fault_teardown(void **);

/* Before the tests: the environment, the fault TCTI, the kill script; 0,
 * or the exit status to end with. After them: the scratch directory
 * removed; the exit status. */
int fault_start(int argc, char **argv);
int fault_finish(int r);

#endif /* TEST_FAULT_HARNESS_H */
