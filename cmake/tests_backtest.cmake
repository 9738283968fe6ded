# The backtest suite on PostgreSQL too (stored runs and scenarios):
# tests/store/with_pg.sh starts a throwaway server and runs test_backtest,
# which then runs every test on SQLite and on PostgreSQL.
if(TARGET test_backtest)
  add_test(NAME unit/backtest_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_backtest>)
  set_tests_properties(unit/backtest_pg PROPERTIES LABELS "unit;store" TIMEOUT 300)
endif()
