# The install test (tests/integration/test_install.c) needs to know how this
# build installs: cmake, the build folder, the prefix, and systemd-analyze
# when the machine has it (the unit is then verified).
if(TARGET test_install)
  find_program(WT_SYSTEMD_ANALYZE systemd-analyze)
  target_compile_definitions(test_install PRIVATE
    WT_CMAKE="${CMAKE_COMMAND}" WT_BUILD_DIR="${CMAKE_BINARY_DIR}"
    WT_INSTALL_PREFIX="${CMAKE_INSTALL_PREFIX}"
    WT_SYSTEMD_ANALYZE="$<$<BOOL:${WT_SYSTEMD_ANALYZE}>:${WT_SYSTEMD_ANALYZE}>")
  add_dependencies(test_install webdist docs_generated)
endif()
