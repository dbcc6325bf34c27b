// Running a command line from an integration test (the built binary, a
// pipeline around it): what it printed on standard output and how it ended.
// Thread-safety: Shell may run on several threads at once (one pipe each).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <string>

namespace ichigen::test {

struct ShellResult {
  int exit = -1;    // the exit code; -1 if it could not start or did not exit normally
  std::string out;  // standard output (and standard error when the line says 2>&1)
};

inline ShellResult Shell(const std::string& command) {
  ShellResult run;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return run;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) run.out.append(buffer, n);
  const int status = ::pclose(pipe);
  run.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

}  // namespace ichigen::test
