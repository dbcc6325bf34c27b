# `ichigen agreements|consent|distribute|packages|ack|alerts|lastmile`
# (included from src/cli/CMakeLists.txt before the executable is defined).
add_library(ichigen_cli_distribution STATIC
  ${CMAKE_CURRENT_LIST_DIR}/distribution_commands.cc
)
target_include_directories(ichigen_cli_distribution PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_cli_distribution
  PUBLIC ichigen_cli ichigen_core ichigen_store ichigen_store_distribution ichigen_api CLI11::CLI11
  PRIVATE ichigen_distribution_service ichigen_distribution_scheduler
    ichigen_distribution ichigen_geo ichigen_io ichigen_domain
    nlohmann_json::nlohmann_json ichigen_warnings)
list(APPEND ICHIGEN_EXTRA_CLI_LIBS ichigen_cli_distribution ichigen_store_distribution)

ichigen_test(cli_distribution_test
  SOURCES ${CMAKE_CURRENT_LIST_DIR}/distribution_commands_test.cc
  LIBS ichigen_cli_distribution ichigen_store_distribution ichigen_distribution
  LABEL integration)
