# `ichigen serve`, `ichigen user`, `ichigen audit`, `ichigen migrate` (included from src/cli/CMakeLists.txt
# before the executable is defined; it links ${ICHIGEN_EXTRA_CLI_LIBS}).
add_library(ichigen_cli_server STATIC
  ${CMAKE_CURRENT_LIST_DIR}/audit_commands.cc
  ${CMAKE_CURRENT_LIST_DIR}/migrate_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/serve_command.cc
  ${CMAKE_CURRENT_LIST_DIR}/user_commands.cc
)
target_include_directories(ichigen_cli_server PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_cli_server
  PUBLIC ichigen_core ichigen_store CLI11::CLI11
  PRIVATE ichigen_api ichigen_audit ichigen_intake ichigen_cli_distribution ichigen_store_migrate
    nlohmann_json::nlohmann_json ichigen_warnings)
set(ICHIGEN_EXTRA_CLI_LIBS ichigen_cli_server ichigen_store_accounts)
