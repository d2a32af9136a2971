# SPDX-License-Identifier: BSD-2-Clause
# The version of sk-tpm, read from the one place it is written: the
# project() line of the top-level CMakeLists.txt.
let
  cmake = builtins.readFile ../../CMakeLists.txt;
  found = builtins.match ".*project\\(sk-tpm VERSION ([0-9]+\\.[0-9]+\\.[0-9]+)[ )].*" cmake;
in
if found == null then throw "sk-tpm: no version in CMakeLists.txt" else builtins.head found
