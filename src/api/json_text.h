// JSON text written straight into a string, for the answers built on every
// request (patient search pages and details): building an nlohmann::json
// object per patient (a map node and a string per field) and then dumping
// it cost about a quarter of a search's CPU. The text is what DumpJson
// writes for the same values — the same escapes, invalid UTF-8 replaced
// with U+FFFD — except that an object's keys come in the order written.
// Thread-safety: functions without shared state.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ichigen::api {

// Appends `value` as a JSON string ("…" with escapes).
void AppendJsonString(std::string& out, std::string_view value);

// Builds one JSON object: Key(...) then a value, in order; Close() ends it.
class JsonObjectText {
 public:
  explicit JsonObjectText(std::string& out) : out_(out) { out_ += '{'; }
  JsonObjectText& Text(std::string_view key, std::string_view value);
  // null when empty, as the API shows an absent text field.
  JsonObjectText& OptionalText(std::string_view key, std::string_view value);
  JsonObjectText& Int(std::string_view key, int64_t value);
  JsonObjectText& Bool(std::string_view key, bool value);
  JsonObjectText& Null(std::string_view key);
  // `json` must be valid JSON text already (checked by the caller).
  JsonObjectText& Raw(std::string_view key, std::string_view json);
  // Writes the key; the caller appends exactly one JSON value to the result.
  std::string& Value(std::string_view key);
  void Close() { out_ += '}'; }

 private:
  void Key(std::string_view key);
  std::string& out_;
  bool first_ = true;
};

}  // namespace ichigen::api
