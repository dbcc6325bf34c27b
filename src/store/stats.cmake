# Statistics store (included from src/store/CMakeLists.txt): materialized
# daily figures beside the core store (the same SQLite file or PostgreSQL
# database), migration track 3000–3999.
add_library(ichigen_store_stats STATIC
  ${CMAKE_CURRENT_LIST_DIR}/postgres_stats_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_stats_store.cc
)
target_include_directories(ichigen_store_stats PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_store_stats PUBLIC ichigen_store ichigen_core ichigen_domain
  SQLite::SQLite3 PRIVATE ichigen_warnings)

ichigen_test(store_contribution_log_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/contribution_log_test.cc
  LIBS ichigen_store_stats)
