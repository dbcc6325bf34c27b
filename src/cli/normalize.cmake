# `ichigen normalize …` (src/cli/normalize_command.cc): included from
# src/cli/CMakeLists.txt.
add_library(ichigen_cli_normalize STATIC ${CMAKE_CURRENT_LIST_DIR}/normalize_command.cc)
target_include_directories(ichigen_cli_normalize PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_cli_normalize
  PUBLIC CLI11::CLI11
  PRIVATE ichigen_text ichigen_geo nlohmann_json::nlohmann_json ichigen_warnings)
