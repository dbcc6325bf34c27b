# PostgresStore: the Store on a PostgreSQL server, over libpq. Included from
# src/store/CMakeLists.txt; the contract tests (store_test) run against it
# when ICHIGEN_TEST_PG names a server.
find_package(PostgreSQL REQUIRED)
target_sources(ichigen_store PRIVATE
  pg_handle.cc
  pg_migrations.cc
  postgres_store.cc
)
target_link_libraries(ichigen_store PUBLIC PostgreSQL::PostgreSQL)
