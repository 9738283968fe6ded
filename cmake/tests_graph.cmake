# The wallet graph's store part on PostgreSQL too: test_graph's rebuild
# test (ids and blacklists carried over) against a throwaway server started
# by tests/store/with_pg.sh (see tests_store.cmake).
if(TARGET test_graph)
  add_test(NAME unit/graph_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_graph>)
  set_tests_properties(unit/graph_pg PROPERTIES LABELS "unit;store" TIMEOUT 300)
endif()
# The live edges written by graph_livesync, on PostgreSQL too.
if(TARGET test_graph_live)
  add_test(NAME unit/graph_live_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_graph_live>)
  set_tests_properties(unit/graph_live_pg PROPERTIES LABELS "unit;store" TIMEOUT 300)
endif()
