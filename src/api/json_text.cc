#include "api/json_text.h"

#include <nlohmann/json.hpp>

#include "text/normalize.h"

namespace ichigen::api {

void AppendJsonString(std::string& out, std::string_view value) {
  if (!text::IsValidUtf8(value)) {
    // Rare (stored text is validated on the way in): the library's own
    // replacement of the bad bytes, exactly as DumpJson does it.
    out += nlohmann::json(std::string(value))
               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return;
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t plain = 0;  // start of the run of bytes copied as they are
  for (size_t i = 0; i < value.size(); ++i) {
    const auto c = static_cast<unsigned char>(value[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(value.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(value.data() + plain, value.size() - plain);
  out += '"';
}

void JsonObjectText::Key(std::string_view key) {
  if (!first_) out_ += ',';
  first_ = false;
  AppendJsonString(out_, key);
  out_ += ':';
}

JsonObjectText& JsonObjectText::Text(std::string_view key, std::string_view value) {
  Key(key);
  AppendJsonString(out_, value);
  return *this;
}

JsonObjectText& JsonObjectText::OptionalText(std::string_view key, std::string_view value) {
  return value.empty() ? Null(key) : Text(key, value);
}

JsonObjectText& JsonObjectText::Int(std::string_view key, int64_t value) {
  Key(key);
  out_ += std::to_string(value);
  return *this;
}

JsonObjectText& JsonObjectText::Bool(std::string_view key, bool value) {
  Key(key);
  out_ += value ? "true" : "false";
  return *this;
}

JsonObjectText& JsonObjectText::Null(std::string_view key) {
  Key(key);
  out_ += "null";
  return *this;
}

std::string& JsonObjectText::Value(std::string_view key) {
  Key(key);
  return out_;
}

JsonObjectText& JsonObjectText::Raw(std::string_view key, std::string_view json) {
  Key(key);
  out_ += json;
  return *this;
}

}  // namespace ichigen::api
