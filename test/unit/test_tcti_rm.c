/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Which TCTI strings reach a resource manager that flushes on close
 * (sk/tpm/tpm-rm.c): only those may leave the last FlushContext out. A
 * device is judged by its sysfs class, here read from a stand-in sysfs
 * tree that gives /dev/null (char 1:3) the class the test wants.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include <cmocka.h>

#include "tpm-internal.h"

#define NUL_DEV		"/dev/null"

struct fake_sysfs {
	char root[32];
	char dir[96];
	char link[128];
};

/* A stand-in sysfs in which /dev/null's entry says class, or (class
 * NULL) has no entry at all. */
static void
fake_sysfs(struct fake_sysfs *f, const char *class)
{
	struct stat st;
	char target[64];

	snprintf(f->root, sizeof(f->root), "/tmp/sk-tpm-sysfs.XXXXXX");
	assert_non_null(mkdtemp(f->root));
	assert_int_equal(stat(NUL_DEV, &st), 0);
	snprintf(f->dir, sizeof(f->dir), "%s/dev", f->root);
	assert_int_equal(mkdir(f->dir, 0700), 0);
	snprintf(f->dir, sizeof(f->dir), "%s/dev/char", f->root);
	assert_int_equal(mkdir(f->dir, 0700), 0);
	snprintf(f->dir, sizeof(f->dir), "%s/dev/char/%u:%u", f->root,
	    major(st.st_rdev), minor(st.st_rdev));
	assert_int_equal(mkdir(f->dir, 0700), 0);
	snprintf(f->link, sizeof(f->link), "%s/subsystem", f->dir);
	if (class == NULL) {
		f->link[0] = '\0';
		return;
	}
	/* As the kernel links it: relative, into /sys/class. */
	snprintf(target, sizeof(target), "../../../class/%s", class);
	assert_int_equal(symlink(target, f->link), 0);
}

static void
fake_sysfs_remove(struct fake_sysfs *f)
{
	char p[64];

	if (f->link[0] != '\0')
		unlink(f->link);
	rmdir(f->dir);
	snprintf(p, sizeof(p), "%s/dev/char", f->root);
	rmdir(p);
	snprintf(p, sizeof(p), "%s/dev", f->root);
	rmdir(p);
	rmdir(f->root);
}

static void
test_resource_managers(void **state)
{
	struct fake_sysfs f;

	(void)state;
	fake_sysfs(&f, "tpmrm");
	assert_true(tcti_device_is_rm(NUL_DEV, f.root));
	assert_true(tcti_flushes_on_close("device:" NUL_DEV, f.root));
	assert_true(tcti_flushes_on_close("libtss2-tcti-device.so.0:"
	    NUL_DEV, f.root));
	/* pcap changes nothing: what it wraps decides. */
	assert_true(tcti_flushes_on_close("pcap:device:" NUL_DEV, f.root));
	fake_sysfs_remove(&f);

	assert_true(tcti_flushes_on_close("tabrmd", "/sys"));
	assert_true(tcti_flushes_on_close("tabrmd:bus_type=session", "/sys"));
	assert_true(tcti_flushes_on_close("tabrmd:bus_name=com.intel.tss2."
	    "Tabrmd,bus_type=system", "/sys"));
	assert_true(tcti_flushes_on_close("libtss2-tcti-tabrmd.so.0", "/sys"));
	assert_true(tcti_flushes_on_close("/usr/lib/x86_64-linux-gnu/"
	    "libtss2-tcti-tabrmd.so.0:bus_type=session", "/sys"));
	/* pcap changes nothing: what it wraps decides. */
	assert_true(tcti_flushes_on_close("pcap:tabrmd:bus_type=session",
	    "/sys"));
}

static void
test_direct(void **state)
{
	(void)state;
	assert_false(tcti_flushes_on_close("device:/dev/tpm0", "/sys"));
	/* The default list goes on to /dev/tpm0 when tpmrm0 fails. */
	assert_false(tcti_flushes_on_close("device", "/sys"));
	assert_false(tcti_flushes_on_close("device:", "/sys"));
	assert_false(tcti_flushes_on_close("device:/dev/tpmrm", "/sys"));
	assert_false(tcti_flushes_on_close("device:/dev/tpmrm0x", "/sys"));
	assert_false(tcti_flushes_on_close("swtpm:host=127.0.0.1,port=2321",
	    "/sys"));
	assert_false(tcti_flushes_on_close("mssim:host=localhost", "/sys"));
	assert_false(tcti_flushes_on_close("pcap:swtpm:port=2321", "/sys"));
	assert_false(tcti_flushes_on_close("pcap", "/sys"));
	assert_false(tcti_flushes_on_close("tabrmdx", "/sys"));
	assert_false(tcti_flushes_on_close("libtss2-tcti-tabrmdx.so",
	    "/sys"));
	assert_false(tcti_flushes_on_close("", "/sys"));
	/* A TCTI of ours in front of a broker (the tests' fault TCTI) may
	 * do anything: taken as direct. */
	assert_false(tcti_flushes_on_close("/tmp/libtss2-tcti-fault.so:"
	    "tabrmd:bus_type=session", "/sys"));
	assert_false(tcti_flushes_on_close("pcap:pcap:pcap:pcap:pcap:"
	    "tabrmd", "/sys"));
}

/* The device path is followed through symbolic links: what it names
 * decides, not the link's name. */
/* The device's class decides, not its name: a direct TPM (class tpm)
 * named tpmrm0, a device without a sysfs entry and one of another class
 * are all flushed explicitly. */
static void
test_device_class(void **state)
{
	struct fake_sysfs f;
	char dir[] = "/tmp/sk-tpm-rm.XXXXXX", file[64], conf[80];

	(void)state;
	fake_sysfs(&f, "tpm");
	assert_false(tcti_device_is_rm(NUL_DEV, f.root));
	assert_false(tcti_flushes_on_close("device:" NUL_DEV, f.root));
	fake_sysfs_remove(&f);
	fake_sysfs(&f, NULL);
	assert_false(tcti_device_is_rm(NUL_DEV, f.root));
	fake_sysfs_remove(&f);
	/* The real sysfs: /dev/null is of class mem. */
	assert_false(tcti_device_is_rm(NUL_DEV, "/sys"));
	/* A regular file named tpmrm0 is no device at all. */
	assert_non_null(mkdtemp(dir));
	snprintf(file, sizeof(file), "%s/tpmrm0", dir);
	assert_int_equal(close(open(file, O_CREAT | O_WRONLY, 0600)), 0);
	snprintf(conf, sizeof(conf), "device:%s", file);
	assert_false(tcti_flushes_on_close(conf, "/sys"));
	unlink(file);
	rmdir(dir);
}

static void
test_device_link(void **state)
{
	char dir[] = "/tmp/sk-tpm-rm.XXXXXX", link[64], conf[80];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/tpmrm0", dir);
	assert_int_equal(symlink("/dev/null", link), 0);
	snprintf(conf, sizeof(conf), "device:%s", link);
	assert_false(tcti_flushes_on_close(conf, "/sys"));
	unlink(link);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resource_managers),
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_device_class),
		cmocka_unit_test(test_device_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
