// JsonLog: structured log lines, one JSON object per line, on a stream
// (stderr in production). Lines never carry personal data: requests are
// logged by route template and path (ids only), never query strings or
// bodies. Thread-safety: thread-safe; mu_ serializes writes.
#pragma once

#include <mutex>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "audit/clock.h"

namespace ichigen::api {

class JsonLog {
 public:
  JsonLog(std::ostream& out, audit::Clock clock) : out_(out), clock_(std::move(clock)) {}
  void Write(const std::string& level, const std::string& message,
             nlohmann::json fields = nlohmann::json::object());

 private:
  std::ostream& out_;  // guarded by mu_
  audit::Clock clock_;
  std::mutex mu_;
};

}  // namespace ichigen::api
