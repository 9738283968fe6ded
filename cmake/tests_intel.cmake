# Discovery through the whole pipeline on PostgreSQL too: the same
# test_discovery (simulated market -> decoder -> store -> profiles ->
# discovery -> watchlist -> curation) against a throwaway server started by
# tests/store/with_pg.sh (see tests_store.cmake).
if(TARGET test_discovery)
  add_test(NAME unit/discovery_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_discovery>)
  set_tests_properties(unit/discovery_pg PROPERTIES LABELS "unit;store" TIMEOUT 300)
endif()
