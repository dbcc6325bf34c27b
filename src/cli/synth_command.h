// `ichigen synth`: writes a synthetic file in a product input layout
// (HER-SYS export or status update sheet) for demos, tests and benchmarks;
// see synth/synth.h for what the files contain. Thread-safety: the command
// runs on the main thread.
#pragma once

#include <CLI/CLI.hpp>

namespace ichigen::cli {

void AddSynthCommand(CLI::App& app);

}  // namespace ichigen::cli
