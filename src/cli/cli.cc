#include "cli/cli.h"

#include <iostream>

namespace ichigen::cli {

void CliContext::Report(const core::Error& error) {
  std::cerr << "エラー: " << error.message;
  if (!error.context.empty()) std::cerr << "（" << error.context << "）";
  std::cerr << "\nerror: " << (error.message_en.empty() ? error.message : error.message_en) << "\n";
  exit_code = core::ExitCodeFor(error.code);
}

}  // namespace ichigen::cli
