/*
 * Which TCTI strings reach a resource manager that flushes on close
 * (sk/tpm/tpm-rm.c): only those may leave the last FlushContext out.
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

static void
test_resource_managers(void **state)
{
	(void)state;
	assert_true(tcti_flushes_on_close("tabrmd"));
	assert_true(tcti_flushes_on_close("tabrmd:bus_type=session"));
	assert_true(tcti_flushes_on_close("tabrmd:bus_name=com.intel.tss2."
	    "Tabrmd,bus_type=system"));
	assert_true(tcti_flushes_on_close("device:/dev/tpmrm0"));
	assert_true(tcti_flushes_on_close("device:/dev/tpmrm12"));
	assert_true(tcti_flushes_on_close("libtss2-tcti-tabrmd.so.0"));
	assert_true(tcti_flushes_on_close("libtss2-tcti-device.so.0:"
	    "/dev/tpmrm0"));
	assert_true(tcti_flushes_on_close("/usr/lib/x86_64-linux-gnu/"
	    "libtss2-tcti-tabrmd.so.0:bus_type=session"));
	/* pcap changes nothing: what it wraps decides. */
	assert_true(tcti_flushes_on_close("pcap:tabrmd:bus_type=session"));
	assert_true(tcti_flushes_on_close("pcap:device:/dev/tpmrm0"));
}

static void
test_direct(void **state)
{
	(void)state;
	assert_false(tcti_flushes_on_close("device:/dev/tpm0"));
	/* The default list goes on to /dev/tpm0 when tpmrm0 fails. */
	assert_false(tcti_flushes_on_close("device"));
	assert_false(tcti_flushes_on_close("device:"));
	assert_false(tcti_flushes_on_close("device:/dev/tpmrm"));
	assert_false(tcti_flushes_on_close("device:/dev/tpmrm0x"));
	assert_false(tcti_flushes_on_close("swtpm:host=127.0.0.1,port=2321"));
	assert_false(tcti_flushes_on_close("mssim:host=localhost"));
	assert_false(tcti_flushes_on_close("pcap:swtpm:port=2321"));
	assert_false(tcti_flushes_on_close("pcap"));
	assert_false(tcti_flushes_on_close("tabrmdx"));
	assert_false(tcti_flushes_on_close("libtss2-tcti-tabrmdx.so"));
	assert_false(tcti_flushes_on_close(""));
	/* A TCTI of ours in front of a broker (the tests' fault TCTI) may
	 * do anything: taken as direct. */
	assert_false(tcti_flushes_on_close("/tmp/libtss2-tcti-fault.so:"
	    "tabrmd:bus_type=session"));
	assert_false(tcti_flushes_on_close("pcap:pcap:pcap:pcap:pcap:"
	    "tabrmd"));
}

/* The device path is followed through symbolic links: what it names
 * decides, not the link's name. */
static void
test_device_link(void **state)
{
	char dir[] = "/tmp/sk-tpm-rm.XXXXXX", link[64], conf[80];

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(link, sizeof(link), "%s/tpmrm0", dir);
	assert_int_equal(symlink("/dev/null", link), 0);
	snprintf(conf, sizeof(conf), "device:%s", link);
	assert_false(tcti_flushes_on_close(conf));
	unlink(link);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resource_managers),
		cmocka_unit_test(test_direct),
		cmocka_unit_test(test_device_link),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
