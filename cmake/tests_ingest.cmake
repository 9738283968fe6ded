# Ingest: a libFuzzer target for the Helius decoder, built with clang when
# its fuzzer runtime is installed (Debian: libclang-rt-14-dev, or the
# runtime shipped with the clang package), and run briefly as a ctest
# (label "fuzz") from the real fixtures as seeds. The decoder sources are
# compiled into the target directly by clang, instrumented, rather than
# linked from wtcore (built by the default compiler without coverage).
find_program(WT_CLANG NAMES clang clang-14)
if(WT_CLANG)
  execute_process(COMMAND ${WT_CLANG} -print-file-name=libclang_rt.fuzzer-x86_64.a
    OUTPUT_VARIABLE WT_FUZZ_RT OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
  if(NOT EXISTS "${WT_FUZZ_RT}")
    execute_process(COMMAND ${WT_CLANG} -print-resource-dir
      OUTPUT_VARIABLE WT_CLANG_RES OUTPUT_STRIP_TRAILING_WHITESPACE ERROR_QUIET)
    set(WT_FUZZ_RT "${WT_CLANG_RES}/lib/linux/libclang_rt.fuzzer-x86_64.a")
  endif()
endif()

if(WT_CLANG AND EXISTS "${WT_FUZZ_RT}")
  set(WT_FUZZ_SRC
    ${CMAKE_SOURCE_DIR}/tests/fuzz/fuzz_helius.c
    ${CMAKE_SOURCE_DIR}/src/ingest/helius.c
    ${CMAKE_SOURCE_DIR}/src/ingest/helius_raw.c
    ${CMAKE_SOURCE_DIR}/src/ingest/netbal.c
    ${CMAKE_SOURCE_DIR}/src/base/clock.c
    ${CMAKE_SOURCE_DIR}/src/ingest/skip.c
    ${CMAKE_SOURCE_DIR}/src/base/buf.c
    ${CMAKE_SOURCE_DIR}/src/base/jw.c
    ${CMAKE_SOURCE_DIR}/src/base/mem.c
    ${CMAKE_SOURCE_DIR}/src/base/str.c
    ${CMAKE_SOURCE_DIR}/src/base/err.c
    ${CMAKE_SOURCE_DIR}/src/base/vec.c
    ${CMAKE_SOURCE_DIR}/src/solana/base58.c
    ${CMAKE_SOURCE_DIR}/src/solana/pubkey.c)
  set(WT_FUZZ_BIN ${CMAKE_BINARY_DIR}/fuzz_helius)
  set(WT_FUZZ_JSON ${CMAKE_BINARY_DIR}/fuzz_helius_json.o)
  # json.cc (simdjson) is compiled by clang++ with the sanitizers but without
  # fuzzer coverage: the fuzzer steers the decoder's branches.
  add_custom_command(OUTPUT ${WT_FUZZ_JSON}
    COMMAND ${WT_CLANG}++ -g -O1 -std=c++17 -D_POSIX_C_SOURCE=200809L
            -fsanitize=address,undefined -fno-sanitize=vptr -I${CMAKE_SOURCE_DIR}/src
            -c ${CMAKE_SOURCE_DIR}/src/base/json.cc -o ${WT_FUZZ_JSON}
    DEPENDS ${CMAKE_SOURCE_DIR}/src/base/json.cc ${CMAKE_SOURCE_DIR}/src/base/json.h VERBATIM)
  add_custom_command(OUTPUT ${WT_FUZZ_BIN}
    COMMAND ${WT_CLANG} -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L
            -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
            -I${CMAKE_SOURCE_DIR}/src ${WT_FUZZ_SRC} ${WT_FUZZ_JSON}
            -lsimdjson -lstdc++ -lm -o ${WT_FUZZ_BIN}
    DEPENDS ${WT_FUZZ_SRC} ${WT_FUZZ_JSON}
    COMMAND_EXPAND_LISTS VERBATIM)
  add_custom_target(fuzz_helius_bin ALL DEPENDS ${WT_FUZZ_BIN})
  set(WT_FUZZ_CORPUS ${CMAKE_BINARY_DIR}/fuzz_helius_corpus)
  file(MAKE_DIRECTORY ${WT_FUZZ_CORPUS})
  file(GLOB WT_FUZZ_SEEDS ${CMAKE_SOURCE_DIR}/tests/fixtures/real/helius_*.json
    ${CMAKE_SOURCE_DIR}/tests/fixtures/real/rpc_getTransaction_*.json)
  add_test(NAME fuzz/fuzz_helius
    COMMAND ${WT_FUZZ_BIN} -runs=20000 -max_len=32768 -rss_limit_mb=1024
            ${WT_FUZZ_CORPUS} ${CMAKE_SOURCE_DIR}/tests/fixtures/real)
  set_tests_properties(fuzz/fuzz_helius PROPERTIES LABELS fuzz TIMEOUT 120)
else()
  message(STATUS "libFuzzer runtime not found: fuzz/fuzz_helius not built")
endif()
