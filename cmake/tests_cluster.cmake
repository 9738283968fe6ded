# Several daemons on one PostgreSQL (issue 20, item 7): three `serve`
# nodes on a throwaway server, the leader killed mid-feed
# (tests/integration/test_cluster_pg.c). synchronous_commit=on: every
# acknowledged delivery must be in the server's table.
if(TARGET test_cluster_pg)
  add_test(NAME integration/cluster_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_cluster_pg>)
  set_tests_properties(integration/cluster_pg PROPERTIES LABELS "integration;store" TIMEOUT 600
                       ENVIRONMENT "WALLTRACK_TEST_PG_SYNCHRONOUS_COMMIT=on")
endif()

# A standby's promotion counts every stored swap once: its warm-up held
# while deliveries arrive (tests/integration/test_promote_pg.c).
if(TARGET test_promote_pg)
  add_test(NAME integration/promote_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_promote_pg>)
  set_tests_properties(integration/promote_pg PROPERTIES LABELS "integration;store" TIMEOUT 600)
endif()
