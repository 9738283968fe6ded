# The store suite against a real PostgreSQL server: tests/store/with_pg.sh
# starts a throwaway server (initdb + pg_ctl, socket in a temporary folder,
# fsync off), exports WALLTRACK_TEST_PG_URL and runs test_store, which then
# runs every test on SQLite and on PostgreSQL. The script prints
# "skipped: ..." and succeeds only where no PostgreSQL binaries exist.
if(TARGET test_store)
  add_test(NAME unit/store_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_store>)
  set_tests_properties(unit/store_pg PROPERTIES LABELS "unit;store" TIMEOUT 300)
endif()

# The daemon on PostgreSQL across a server restart (pg_ctl -m immediate
# stop; start) under webhook load: tests/integration/test_pg_restart.c.
# synchronous_commit=on so that the server itself keeps every commit it
# acknowledged through its own crash.
if(TARGET test_pg_restart)
  add_test(NAME integration/pg_restart
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_pg_restart>)
  set_tests_properties(integration/pg_restart PROPERTIES LABELS "integration;store" TIMEOUT 600
                       ENVIRONMENT "WALLTRACK_TEST_PG_SYNCHRONOUS_COMMIT=on")
endif()

# The database name and its secrets (tests/integration/test_db_secrets.c),
# with a server so that `walltrack backup` runs (a fake pg_dump records
# what it was given).
if(TARGET test_db_secrets)
  add_test(NAME integration/db_secrets_pg
           COMMAND ${CMAKE_SOURCE_DIR}/tests/store/with_pg.sh $<TARGET_FILE:test_db_secrets>)
  set_tests_properties(integration/db_secrets_pg PROPERTIES LABELS "integration;store"
                       TIMEOUT 300)
endif()

# The typed row API (STORE_ROW_TYPES in store.h): a wrong row struct passed
# to a typed wrapper does not compile (tests/compile/expect_fail.cmake).
add_test(NAME unit/store_typed_rows
         COMMAND ${CMAKE_COMMAND} -DCC=${CMAKE_C_COMPILER} -DSRC=${CMAKE_SOURCE_DIR}/tests/compile/wrong_row.c
                 -DINC=${CMAKE_SOURCE_DIR}/src "-DFLAGS=${WT_CWARN}"
                 -P ${CMAKE_SOURCE_DIR}/tests/compile/expect_fail.cmake)
set_tests_properties(unit/store_typed_rows PROPERTIES LABELS "unit;store" TIMEOUT 120)
