# The soak campaign (tests/soak/run.sh, docs/operations.md): its load
# generator and sampler is built with everything else so that it keeps
# compiling, but no test is registered: the campaign takes minutes to
# hours, kills daemons and fills disks on purpose, so neither ctest nor
# `make check` runs it.
add_executable(soak_load ${CMAKE_SOURCE_DIR}/tests/soak/soak_load.c)
target_compile_options(soak_load PRIVATE ${WT_CWARN})
target_compile_definitions(soak_load PRIVATE WT_FIXTURES="${CMAKE_SOURCE_DIR}/tests/fixtures")
target_link_libraries(soak_load PRIVATE wtcore)
