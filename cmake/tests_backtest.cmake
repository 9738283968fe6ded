# The backtest suite on PostgreSQL too (stored runs and scenarios):
# tests/store/with_pg.sh starts a throwaway server and runs test_backtest,
# which then runs every test on SQLite and on PostgreSQL.
if(TARGET test_backtest)
  add_test(NAME unit/backtest_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_backtest>)
  set_tests_properties(unit/backtest_pg PROPERTIES LABELS "unit;store" TIMEOUT 300)
endif()

# Backtest jobs over the daemon's API on PostgreSQL too
# (tests/integration/test_backtest_jobs.c runs on SQLite, then on the
# server with_pg.sh starts).
if(TARGET test_backtest_jobs)
  add_test(NAME integration/backtest_jobs_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_backtest_jobs>)
  set_tests_properties(integration/backtest_jobs_pg PROPERTIES LABELS "integration;store"
                       TIMEOUT 300)
endif()

# Fidelity on PostgreSQL too (tests/integration/test_backtest_fidelity.c):
# a paper serve on a throwaway server, then its window as recorded.
if(TARGET test_backtest_fidelity)
  add_test(NAME integration/backtest_fidelity_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_backtest_fidelity>)
  set_tests_properties(integration/backtest_fidelity_pg PROPERTIES LABELS "integration;store"
                       TIMEOUT 600)
endif()
