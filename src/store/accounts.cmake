# Accounts and audit stores (included from src/store/CMakeLists.txt).
add_library(ichigen_store_accounts STATIC
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_account_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_audit_store.cc
)
target_include_directories(ichigen_store_accounts PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_store_accounts PUBLIC ichigen_store ichigen_core SQLite::SQLite3
  PRIVATE ichigen_warnings)

ichigen_test(store_accounts_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/sqlite_account_store_test.cc
    ${CMAKE_CURRENT_LIST_DIR}/sqlite_audit_store_test.cc
  LIBS ichigen_store_accounts ichigen_store)
