# Distribution store (included from src/store/CMakeLists.txt): agreements,
# consent, packages, receipts, last mile and alerts (track 4000–4999), on
# SQLite and on PostgreSQL (the libpq wrappers come with ichigen_store).
add_library(ichigen_store_distribution STATIC
  ${CMAKE_CURRENT_LIST_DIR}/postgres_distribution_store.cc
  ${CMAKE_CURRENT_LIST_DIR}/sqlite_distribution_store.cc
)
target_include_directories(ichigen_store_distribution PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_store_distribution
  PUBLIC ichigen_store ichigen_store_accounts ichigen_distribution ichigen_core SQLite::SQLite3
  PRIVATE ichigen_warnings)

ichigen_test(store_distribution_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/sqlite_distribution_store_test.cc
  LIBS ichigen_store_distribution ichigen_store)

# Distribution services (sources in src/distribution/): the daily package
# service and the last-mile service compose the Store, the DistributionStore
# and the pure builder. Declared here because src/distribution stays pure.
add_library(ichigen_distribution_service STATIC
  ${PROJECT_SOURCE_DIR}/src/distribution/lastmile_service.cc
  ${PROJECT_SOURCE_DIR}/src/distribution/package_service.cc
  ${PROJECT_SOURCE_DIR}/src/distribution/sheet_import.cc
)
target_include_directories(ichigen_distribution_service PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_distribution_service
  PUBLIC ichigen_distribution ichigen_store ichigen_store_distribution ichigen_domain ichigen_geo
  PRIVATE nlohmann_json::nlohmann_json ichigen_warnings)
# The consent and last-mile sheets: header synonyms as data, read with the
# intake's header matcher and the CSV/XLSX reader.
ichigen_add_data(profiles/lastmile.json distribution/consent_sheet.json)
target_link_libraries(ichigen_distribution_service PRIVATE ichigen_intake ichigen_io)

ichigen_test(distribution_service_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/distribution/package_service_test.cc
  LIBS ichigen_distribution_service ichigen_store_distribution ichigen_io
    nlohmann_json::nlohmann_json
  LABEL integration)

# The daily build scheduler (pure: a clock and a job are injected).
add_library(ichigen_distribution_scheduler STATIC
  ${PROJECT_SOURCE_DIR}/src/distribution/daily_scheduler.cc
)
target_include_directories(ichigen_distribution_scheduler PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_distribution_scheduler
  PUBLIC ichigen_distribution ichigen_core Threads::Threads
  PRIVATE ichigen_warnings)

ichigen_test(distribution_scheduler_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/distribution/daily_scheduler_test.cc
  LIBS ichigen_distribution_scheduler)

ichigen_test(distribution_sheet_test
  SOURCES ${PROJECT_SOURCE_DIR}/src/distribution/sheet_import_test.cc
  LIBS ichigen_distribution_service ichigen_store_distribution ichigen_store ichigen_resources)
