# SPDX-License-Identifier: BSD-2-Clause
# Only the TPM layer (sk/tpm/) talks to the TPM's software stack: fails when
# one of the given archives or objects, the layers outside sk/tpm/ and the
# provider's entry points, refers to a symbol of tpm2-tss (ESYS, MU, RC,
# the TCTI loader, FAPI). Run by the build (sk/CMakeLists.txt) as
#
#   cmake -DNM=nm -P esys-boundary.cmake FILE...
if(NOT NM)
	message(FATAL_ERROR "esys-boundary.cmake: no nm (-DNM=...)")
endif()
# The arguments after the script's own name.
set(files)
set(first -1)
math(EXPR last "${CMAKE_ARGC} - 1")
foreach(i RANGE ${last})
	if(first GREATER_EQUAL 0 AND i GREATER_EQUAL first)
		list(APPEND files "${CMAKE_ARGV${i}}")
	elseif("${CMAKE_ARGV${i}}" STREQUAL "-P")
		math(EXPR first "${i} + 2")
	endif()
endforeach()
if(NOT files)
	message(FATAL_ERROR "esys-boundary.cmake: no files to check")
endif()

set(found)
foreach(file IN LISTS files)
	# -A: each line names the archive member; -u: undefined symbols only.
	execute_process(COMMAND ${NM} -A -u ${file}
	    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE rc)
	if(NOT rc EQUAL 0)
		message(FATAL_ERROR "esys-boundary.cmake: ${NM} ${file}: ${err}")
	endif()
	string(REGEX MATCHALL "[^\n]* U (Esys_|Tss2_|Fapi_)[A-Za-z0-9_]*"
	    hits "${out}")
	foreach(hit IN LISTS hits)
		string(REGEX REPLACE ":[ 0-9a-f]* U " ": " hit "${hit}")
		get_filename_component(dir "${file}" DIRECTORY)
		string(REPLACE "${dir}/" "" hit "${hit}")
		list(APPEND found "${hit}")
	endforeach()
endforeach()
if(found)
	list(JOIN found "\n  " lines)
	message(FATAL_ERROR "only sk/tpm/ may call into tpm2-tss, but:\n"
	    "  ${lines}\n"
	    "Move the TPM work into sk/tpm/ and call it through tpm.h.")
endif()
