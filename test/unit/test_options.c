/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Parsing the sk_option array that ssh-keygen -O hands to the provider.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"
#include "options.h"
#include "sk-api.h"

/* Room for a few options and the NULL that ends the array. */
struct optv {
	struct sk_option opt[8];
	struct sk_option *ptr[9];
	size_t n;
};

static void
add(struct optv *v, const char *name, const char *value, uint8_t required)
{
	assert_true(v->n < 8);
	/* OpenSSH's struct has non-const strings; the parser only reads. */
	v->opt[v->n].name = (char *)(uintptr_t)name;
	v->opt[v->n].value = (char *)(uintptr_t)value;
	v->opt[v->n].required = required;
	v->ptr[v->n] = &v->opt[v->n];
	v->n++;
	v->ptr[v->n] = NULL;
}

static void
init(struct optv *v)
{
	memset(v, 0, sizeof(*v));
	log_reset();
}

/* Start from garbage so that a parser that forgets to clear is caught. */
static void
dirty(struct sk_opts *o)
{
	memset(o, 0xa5, sizeof(*o));
}

static void
test_null_and_empty(void **state)
{
	struct optv v;
	struct sk_opts o;

	(void)state;
	init(&v);
	dirty(&o);
	assert_int_equal(opt_parse(NULL, &o), 0);
	assert_null(o.device);
	assert_int_equal(o.user_id_len, 0);
	dirty(&o);
	assert_int_equal(opt_parse(v.ptr, &o), 0);
	assert_null(o.device);
	assert_int_equal(o.user_id_len, 0);
	assert_null(log_last_error());
}

static void
test_device_and_user(void **state)
{
	static const char device[] = "swtpm:host=127.0.0.1,port=9";
	struct optv v;
	struct sk_opts o;

	(void)state;
	init(&v);
	add(&v, "device", device, 0);
	add(&v, "user", "alice", 0);
	dirty(&o);
	assert_int_equal(opt_parse(v.ptr, &o), 0);
	/* Borrowed, not copied. */
	assert_ptr_equal(o.device, device);
	assert_int_equal(o.user_id_len, 5);
	assert_memory_equal(o.user_id, "alice", 5);
	assert_null(log_last_error());
	/* Known options marked required are just as fine. */
	init(&v);
	add(&v, "user", "bob", 1);
	add(&v, "device", device, 1);
	assert_int_equal(opt_parse(v.ptr, &o), 0);
	assert_ptr_equal(o.device, device);
	assert_int_equal(o.user_id_len, 3);
	assert_memory_equal(o.user_id, "bob", 3);
}

static void
test_user_length(void **state)
{
	char user[OPT_USER_MAX + 2];
	struct optv v;
	struct sk_opts o;

	(void)state;
	memset(user, 'u', OPT_USER_MAX);
	user[OPT_USER_MAX] = '\0';
	init(&v);
	add(&v, "user", user, 0);
	assert_int_equal(opt_parse(v.ptr, &o), 0);
	assert_int_equal(o.user_id_len, OPT_USER_MAX);
	assert_memory_equal(o.user_id, user, OPT_USER_MAX);
	/* One byte more is refused with an error line, not truncated. */
	user[OPT_USER_MAX] = 'u';
	user[OPT_USER_MAX + 1] = '\0';
	init(&v);
	add(&v, "user", user, 0);
	assert_int_equal(opt_parse(v.ptr, &o), SSH_SK_ERR_GENERAL);
	assert_non_null(log_last_error());
	/* An empty user is no user. */
	init(&v);
	add(&v, "user", "", 0);
	dirty(&o);
	assert_int_equal(opt_parse(v.ptr, &o), 0);
	assert_int_equal(o.user_id_len, 0);
}

static void
test_unknown(void **state)
{
	struct optv v;
	struct sk_opts o;

	(void)state;
	/* Not required: ignored, and what follows is still parsed. */
	init(&v);
	add(&v, "application", "ssh:x", 0);
	add(&v, "user", "carol", 0);
	assert_int_equal(opt_parse(v.ptr, &o), 0);
	assert_int_equal(o.user_id_len, 5);
	assert_memory_equal(o.user_id, "carol", 5);
	assert_null(log_last_error());
	/* Required: refused as unsupported, naming the option. */
	init(&v);
	add(&v, "user", "carol", 0);
	add(&v, "frobnicate", "yes", 1);
	assert_int_equal(opt_parse(v.ptr, &o), SSH_SK_ERR_UNSUPPORTED);
	assert_non_null(log_last_error());
	assert_non_null(strstr(log_last_error(), "frobnicate"));
	/* Names match exactly, not by prefix or case. */
	init(&v);
	add(&v, "Device", "x", 1);
	assert_int_equal(opt_parse(v.ptr, &o), SSH_SK_ERR_UNSUPPORTED);
	init(&v);
	add(&v, "users", "x", 1);
	assert_int_equal(opt_parse(v.ptr, &o), SSH_SK_ERR_UNSUPPORTED);
}

static void
test_null_entries(void **state)
{
	struct optv v;
	struct sk_opts o;

	(void)state;
	init(&v);
	add(&v, NULL, "x", 0);
	assert_int_not_equal(opt_parse(v.ptr, &o), 0);
	assert_non_null(log_last_error());
	init(&v);
	add(&v, "user", NULL, 0);
	assert_int_not_equal(opt_parse(v.ptr, &o), 0);
	assert_non_null(log_last_error());
	init(&v);
	add(&v, "device", NULL, 1);
	assert_int_not_equal(opt_parse(v.ptr, &o), 0);
	init(&v);
	add(&v, NULL, NULL, 0);
	assert_int_not_equal(opt_parse(v.ptr, &o), 0);
}

static void
test_empty_device(void **state)
{
	struct optv v;
	struct sk_opts o;

	(void)state;
	init(&v);
	add(&v, "device", "", 0);
	assert_int_not_equal(opt_parse(v.ptr, &o), 0);
	assert_non_null(log_last_error());
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_null_and_empty),
		cmocka_unit_test(test_device_and_user),
		cmocka_unit_test(test_user_length),
		cmocka_unit_test(test_unknown),
		cmocka_unit_test(test_null_entries),
		cmocka_unit_test(test_empty_device),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
