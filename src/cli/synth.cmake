# `ichigen synth` (included from src/cli/CMakeLists.txt).
add_library(ichigen_cli_synth STATIC ${CMAKE_CURRENT_LIST_DIR}/synth_command.cc)
target_include_directories(ichigen_cli_synth PUBLIC ${PROJECT_SOURCE_DIR}/src)
target_link_libraries(ichigen_cli_synth
  PUBLIC CLI11::CLI11
  PRIVATE ichigen_synth ichigen_geo ichigen_io ichigen_core nlohmann_json::nlohmann_json
  ichigen_warnings)
