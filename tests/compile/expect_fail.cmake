# Run by ctest (cmake -P): compiles tests/compile/wrong_row.c with the
# project's C compiler and flags (-fsyntax-only). The right structs must
# compile; each wrong struct (WT_WRONG_ROW=1..5) must be rejected with an
# incompatible-pointer-types error, not fail for some other reason.
# Inputs: CC, SRC, INC (the src/ folder), FLAGS (";"-separated).
set(base ${FLAGS} -std=c11 -D_POSIX_C_SOURCE=200809L -I${INC} -fsyntax-only ${SRC})
execute_process(COMMAND ${CC} ${base} RESULT_VARIABLE rc ERROR_VARIABLE err)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "wrong_row.c with the right structs does not compile:\n${err}")
endif()
foreach(c 1 2 3 4 5)
  execute_process(COMMAND ${CC} ${base} -DWT_WRONG_ROW=${c} RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "case ${c}: a wrong row struct compiled")
  endif()
  if(NOT err MATCHES "incompatible-pointer-types|incompatible pointer")
    message(FATAL_ERROR "case ${c}: failed, but not for the wrong struct:\n${err}")
  endif()
  message(STATUS "case ${c}: rejected as it should be")
endforeach()
