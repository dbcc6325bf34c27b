#include "api/json_log.h"

namespace ichigen::api {

void JsonLog::Write(const std::string& level, const std::string& message, nlohmann::json fields) {
  if (!fields.is_object()) fields = nlohmann::json::object();
  fields["ts"] = audit::IsoUtc(clock_(), true);
  fields["level"] = level;
  fields["msg"] = message;
  const std::string line = fields.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  std::lock_guard lock(mu_);
  out_ << line << '\n';
  out_.flush();
}

}  // namespace ichigen::api
