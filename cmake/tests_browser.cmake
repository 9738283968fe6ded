# Browser tests of the dashboard (tests/browser/, node's test runner with
# playwright-core driving Debian's chromium against a real `walltrack
# serve`). Registered only when node is on the PATH; the suite itself skips,
# saying why, when chromium or node_modules are absent (scripts/setup.sh
# installs both). Screenshots go to <build>/browser-artifacts/.
find_program(WT_NODE node)
if(WT_NODE)
  add_test(NAME browser/dashboard
    COMMAND ${WT_NODE} --test ${CMAKE_SOURCE_DIR}/tests/browser/)
  set_tests_properties(browser/dashboard PROPERTIES
    LABELS browser TIMEOUT 300
    SKIP_REGULAR_EXPRESSION "# SKIP browser tests:"
    ENVIRONMENT "WT_BINARY=$<TARGET_FILE:walltrack>;WT_ARTIFACTS=${CMAKE_BINARY_DIR}/browser-artifacts"
    DEPENDS walltrack)
else()
  message(STATUS "browser tests: node not found, not registered (scripts/setup.sh installs it)")
endif()
