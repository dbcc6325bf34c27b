// StrCat: joins strings and integers into one std::string for messages.
// GCC 12's library has no <format>, and messages here only ever splice a few
// values into fixed text. Thread-safety: pure function.
#pragma once

#include <charconv>
#include <concepts>
#include <string>
#include <string_view>

namespace ichigen::io {
namespace str_cat_internal {

inline void Append(std::string& out, std::string_view s) { out.append(s); }
inline void Append(std::string& out, const char* s) { out.append(s); }
inline void Append(std::string& out, char c) { out.push_back(c); }
template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>)
void Append(std::string& out, T value) {
  char buffer[24];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, result.ptr);
}

}  // namespace str_cat_internal

template <typename... Args>
std::string StrCat(const Args&... args) {
  std::string out;
  (str_cat_internal::Append(out, args), ...);
  return out;
}

// "U+301C": the code point as people look it up.
inline std::string CodePointName(char32_t c) {
  char buffer[16];
  auto result = std::to_chars(buffer, buffer + sizeof buffer, static_cast<uint32_t>(c), 16);
  std::string hex(buffer, result.ptr);
  for (char& ch : hex) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  while (hex.size() < 4) hex.insert(hex.begin(), '0');
  return "U+" + hex;
}

}  // namespace ichigen::io
