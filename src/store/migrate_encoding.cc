#include "store/migrate_encoding.h"

#include <charconv>

#include "core/hex.h"

namespace ichigen::store::migration {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

uint64_t ParseHex(std::string_view hex) {
  uint64_t value = 0;
  std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
  return value;
}

}  // namespace

void TableChecksum::AddRow(std::string_view encoding) {
  hasher_.Update(encoding);
  const std::string hex = hasher_.HexDigest();
  const uint64_t high = ParseHex(std::string_view(hex).substr(0, 16));
  const uint64_t low = ParseHex(std::string_view(hex).substr(16, 16));
  low_ += low;
  high_ += high + (low_ < low ? 1 : 0);  // the carry
  ++rows_;
}

std::string TableChecksum::Hex() const {
  std::string out(32, '0');
  for (int i = 0; i < 16; ++i) {
    out[static_cast<size_t>(15 - i)] = kHexDigits[(high_ >> (4 * i)) & 0xF];
    out[static_cast<size_t>(31 - i)] = kHexDigits[(low_ >> (4 * i)) & 0xF];
  }
  return out;
}

void AppendNumber(std::string& out, int64_t value) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void AppendNumber(std::string& out, double value) {
  char buffer[64];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value);
  out.append(buffer, end);
}

void CanonicalInteger(std::string& out, int64_t value) {
  out += 'i';
  AppendNumber(out, value);
  out += ';';
}

void CanonicalReal(std::string& out, double value) {
  out += 'r';
  AppendNumber(out, value);
  out += ';';
}

void CanonicalBytes(std::string& out, char kind, std::string_view bytes) {
  out += kind;
  AppendNumber(out, static_cast<int64_t>(bytes.size()));
  out += ':';
  out.append(bytes);
}

void CopyText(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out += c;
    }
  }
}

void CopyBytea(std::string& out, std::string_view bytes) {
  out += "\\\\x";
  for (unsigned char c : bytes) {
    out += kHexDigits[c >> 4];
    out += kHexDigits[c & 0xF];
  }
}

bool DecodeByteaHex(std::string_view text, std::string& out) {
  out.clear();
  if (!text.starts_with("\\x") || text.size() % 2 != 0) return false;
  for (size_t i = 2; i < text.size(); i += 2) {
    const int high = core::HexValue(text[i]);
    const int low = core::HexValue(text[i + 1]);
    if (high < 0 || low < 0) return false;
    out += static_cast<char>(high * 16 + low);
  }
  return true;
}

}  // namespace ichigen::store::migration
