# The crawl state on PostgreSQL too: test_store_crawl against a throwaway
# server started by tests/store/with_pg.sh (see tests_store.cmake).
if(TARGET test_store_crawl)
  add_test(NAME unit/store_crawl_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_store_crawl>)
  set_tests_properties(unit/store_crawl_pg PROPERTIES LABELS "unit;store" TIMEOUT 300)
endif()
