# PostgresStore: the Store on a PostgreSQL server, over libpq. Included from
# src/store/CMakeLists.txt; the contract tests (store_test) run against it
# when ICHIGEN_TEST_PG names a server.
find_package(PostgreSQL REQUIRED)
target_sources(ichigen_store PRIVATE
  pg_events.cc
  pg_handle.cc
  pg_migrations.cc
  postgres_candidates.cc
  postgres_store.cc
)
target_link_libraries(ichigen_store PUBLIC PostgreSQL::PostgreSQL)

# The accounts and audit stores on PostgreSQL: they need only the interfaces
# (account_store.h, audit_store.h) and the libpq wrappers of ichigen_store.
target_sources(ichigen_store PRIVATE
  postgres_account_store.cc
  postgres_audit_store.cc
)

# `ichigen migrate`: a SQLite store (and its accounts companion file) copied
# into PostgreSQL and compared; its own library, since it reads both.
add_library(ichigen_store_migrate STATIC
  ${CMAKE_CURRENT_LIST_DIR}/migrate.cc
  ${CMAKE_CURRENT_LIST_DIR}/migrate_encoding.cc
  ${CMAKE_CURRENT_LIST_DIR}/migrate_plan.cc
)
target_include_directories(ichigen_store_migrate PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_store_migrate PUBLIC ichigen_core
  PRIVATE ichigen_store ichigen_store_accounts ichigen_warnings)

ichigen_test(store_migrate_encoding_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/migrate_encoding_test.cc
  LIBS ichigen_store_migrate)
