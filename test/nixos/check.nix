# SPDX-License-Identifier: BSD-2-Clause
# The report format of the evaluation tests: each check is one line,
# "ok NAME" or "FAIL NAME: DETAIL" (DETAIL is only evaluated on failure);
# report joins them. test/nixos/lib.sh (report_check) prints the report and
# fails on any FAIL line.
{ lib }:
rec {
  check =
    name: ok: detail:
    if ok then "ok   ${name}\n" else "FAIL ${name}: ${detail}\n";

  # eq NAME GOT WANT: GOT == WANT, both shown on failure.
  eq =
    name: got: want:
    check name (got == want) "got ${lib.generators.toPretty { } got}, want ${
      lib.generators.toPretty { } want
    }";

  # has NAME TEXT NEEDLE: TEXT contains NEEDLE.
  has =
    name: text: needle:
    check name (lib.hasInfix needle text) "no \"${needle}\" in:\n${text}";

  hasNot =
    name: text: needle:
    check name (!lib.hasInfix needle text) "unexpected \"${needle}\" in:\n${text}";

  report = lib.concatStrings;
}
