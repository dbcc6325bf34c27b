# Statistics commands (included from src/cli/CMakeLists.txt before the
# executable is defined).
add_library(ichigen_cli_stats STATIC
  ${CMAKE_CURRENT_LIST_DIR}/stats_commands.cc
)
target_include_directories(ichigen_cli_stats PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_cli_stats
  PUBLIC ichigen_core ichigen_store CLI11::CLI11
  PRIVATE ichigen_stats ichigen_io ichigen_domain ichigen_geo ichigen_text nlohmann_json::nlohmann_json
  ichigen_warnings)
list(APPEND ICHIGEN_EXTRA_CLI_LIBS ichigen_cli_stats ichigen_store_stats)
