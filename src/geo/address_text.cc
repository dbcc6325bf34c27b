#include "geo/address_text.h"

#include <algorithm>

#include "core/resources.h"
#include "geo/table_reader.h"

namespace ichigen::geo {

namespace {

constexpr char32_t kReplacement = 0xFFFD;

// Half-width katakana U+FF66..U+FF9D → full width.
constexpr char32_t kHalfKana[] = {
    U'ヲ', U'ァ', U'ィ', U'ゥ', U'ェ', U'ォ', U'ャ', U'ュ', U'ョ', U'ッ', U'ー', U'ア', U'イ', U'ウ',
    U'エ', U'オ', U'カ', U'キ', U'ク', U'ケ', U'コ', U'サ', U'シ', U'ス', U'セ', U'ソ', U'タ', U'チ',
    U'ツ', U'テ', U'ト', U'ナ', U'ニ', U'ヌ', U'ネ', U'ノ', U'ハ', U'ヒ', U'フ', U'ヘ', U'ホ', U'マ',
    U'ミ', U'ム', U'メ', U'モ', U'ヤ', U'ユ', U'ヨ', U'ラ', U'リ', U'ル', U'レ', U'ロ', U'ワ', U'ン'};

bool IsSpace(char32_t c) {
  return c == U' ' || c == U'\t' || c == U'\r' || c == U'\n' || c == 0x3000 || c == 0xA0;
}

bool IsHyphenLike(char32_t c) {
  switch (c) {
    case U'-': case 0x2010: case 0x2011: case 0x2012: case 0x2013: case 0x2014:
    case 0x2015: case 0x2212: case 0xFE63: case 0x2043: case 0x02D7: case 0x2500:
    case 0x2501: case 0xFF0D:
      return true;
    default:
      return false;
  }
}

bool IsAsciiAlnum(char32_t c) {
  return (c >= U'0' && c <= U'9') || (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z');
}

bool IsDigit(char32_t c) { return c >= U'0' && c <= U'9'; }

// Voiced (゛) form of a katakana, or 0.
char32_t Voiced(char32_t c) {
  if ((c >= U'カ' && c <= U'ト' && (c - U'カ') % 2 == 0 && c != U'ッ') ||
      (c >= U'ハ' && c <= U'ホ' && (c - U'ハ') % 3 == 0)) {
    // ツ (U+30C4) sits after ッ, breaking the even step; handled below.
    return c + 1;
  }
  if (c == U'ツ') return U'ヅ';
  if (c == U'テ') return U'デ';
  if (c == U'ト') return U'ド';
  if (c == U'ウ') return U'ヴ';
  return 0;
}

char32_t SemiVoiced(char32_t c) {
  if (c >= U'ハ' && c <= U'ホ' && (c - U'ハ') % 3 == 0) return c + 2;
  return 0;
}

bool IsKanjiDigit(char32_t c) {
  switch (c) {
    case U'〇': case U'零': case U'一': case U'二': case U'三': case U'四': case U'五':
    case U'六': case U'七': case U'八': case U'九': case U'十': case U'百': case U'千':
      return true;
    default:
      return false;
  }
}

int KanjiDigitValue(char32_t c) {
  switch (c) {
    case U'〇': case U'零': return 0;
    case U'一': return 1;
    case U'二': return 2;
    case U'三': return 3;
    case U'四': return 4;
    case U'五': return 5;
    case U'六': return 6;
    case U'七': return 7;
    case U'八': return 8;
    case U'九': return 9;
    default: return -1;
  }
}

}  // namespace

char32_t DecodeUtf8(std::string_view s, size_t* pos) {
  const size_t i = *pos;
  const auto b0 = static_cast<unsigned char>(s[i]);
  if (b0 < 0x80) {
    *pos = i + 1;
    return b0;
  }
  int len = 0;
  char32_t c = 0;
  if ((b0 & 0xE0) == 0xC0) {
    len = 2;
    c = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3;
    c = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4;
    c = b0 & 0x07;
  } else {
    *pos = i + 1;
    return kReplacement;
  }
  if (i + static_cast<size_t>(len) > s.size()) {
    *pos = i + 1;
    return kReplacement;
  }
  for (int k = 1; k < len; ++k) {
    const auto b = static_cast<unsigned char>(s[i + static_cast<size_t>(k)]);
    if ((b & 0xC0) != 0x80) {
      *pos = i + 1;
      return kReplacement;
    }
    c = (c << 6) | (b & 0x3F);
  }
  *pos = i + static_cast<size_t>(len);
  return c;
}


namespace {

int Utf8Length(char32_t c) { return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4; }

void PutUtf8(char* out, char32_t c) {
  std::string tmp;
  AppendUtf8(tmp, c);
  std::copy(tmp.begin(), tmp.end(), out);
}

}  // namespace

core::Result<KanjiFold> KanjiFold::Load() {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile("geo/kanji_fold.tsv"));
  std::vector<std::pair<char32_t, char32_t>> pairs;
  for (const TableRow& row : ReadTable(text, '\t', true)) {
    if (row.fields.size() < 2) {
      return core::Fail(core::Code::kDataLoss, "異体字表の行が不正です", "bad kanji fold line",
                        "geo/kanji_fold.tsv:" + std::to_string(row.line));
    }
    size_t a = 0;
    size_t b = 0;
    const char32_t from = DecodeUtf8(row.fields[0], &a);
    const char32_t to = DecodeUtf8(row.fields[1], &b);
    if (a != row.fields[0].size() || b != row.fields[1].size() || from == kReplacement ||
        to == kReplacement) {
      return core::Fail(core::Code::kDataLoss, "異体字表の行が不正です",
                        "kanji fold line must hold one character per column",
                        "geo/kanji_fold.tsv:" + std::to_string(row.line));
    }
    pairs.emplace_back(from, to);
  }
  return KanjiFold(std::move(pairs));
}

KanjiFold::KanjiFold(std::vector<std::pair<char32_t, char32_t>> pairs) : pairs_(std::move(pairs)) {
  std::sort(pairs_.begin(), pairs_.end());
}

char32_t KanjiFold::Fold(char32_t c) const {
  if (c < 0x3400) return c;
  const auto it = std::lower_bound(pairs_.begin(), pairs_.end(), std::make_pair(c, char32_t{0}));
  return (it != pairs_.end() && it->first == c) ? it->second : c;
}

char32_t KeyChar(char32_t c, const KanjiFold& fold) {
  switch (c) {
    case U'ヶ': case U'ヵ': case U'カ': case U'が':
      return U'ケ';
    case U'の': case U'之':
      return U'ノ';
    default:
      return fold.Fold(c);
  }
}

void NormalizeAddressText(std::string_view raw, const KanjiFold& fold, std::string& display,
                          AddressKey& key) {
  display.clear();
  key.count = 0;
  key.byte[0] = 0;
  key.display[0] = 0;
  char32_t prev = 0;        // last display character
  bool pending_space = false;
  size_t pos = 0;
  while (pos < raw.size()) {
    char32_t c = DecodeUtf8(raw, &pos);
    if (IsSpace(c)) {
      pending_space = prev != 0;
      continue;
    }
    if (c >= 0xFE00 && c <= 0xFE0F) continue;      // variation selectors
    if (c >= 0xE0100 && c <= 0xE01EF) continue;    // ideographic variation selectors
    if (c < 0x20 || c == 0x7F || c == 0x200B || c == 0xFEFF) continue;  // controls, ZWSP, BOM
    if (c >= 0xFF01 && c <= 0xFF5E) c -= 0xFEE0;   // full-width ASCII
    // Voicing marks (half-width, spacing or combining) join the previous kana.
    if (c == 0xFF9E || c == 0x3099 || c == 0x309B || c == 0xFF9F || c == 0x309A || c == 0x309C) {
      const bool semi = c == 0xFF9F || c == 0x309A || c == 0x309C;
      const char32_t joined = semi ? SemiVoiced(prev) : Voiced(prev);
      if (joined != 0 && !display.empty()) {
        // Replace the previous character (3 bytes: katakana) in both forms.
        display.resize(display.size() - 3);
        AppendUtf8(display, joined);
        prev = joined;
        if (key.count > 0 && key.chars[static_cast<size_t>(key.count - 1)] != joined) {
          const int i = key.count - 1;
          const char32_t k = KeyChar(joined, fold);
          key.chars[static_cast<size_t>(i)] = k;
          PutUtf8(key.bytes.data() + key.byte[static_cast<size_t>(i)], k);
        }
      }
      continue;
    }
    if (c >= 0xFF66 && c <= 0xFF9D) c = kHalfKana[c - 0xFF66];
    if (IsHyphenLike(c)) c = U'-';
    if ((c == U'ー' || c == 0xFF70) && IsDigit(prev)) c = U'-';
    if (c == 0xFF70) c = U'ー';
    if (pending_space && IsAsciiAlnum(prev) && IsAsciiAlnum(c)) display.push_back(' ');
    pending_space = false;
    const bool keyed = key.count < AddressKey::kMaxKeyChars;
    if (keyed) {
      const auto i = static_cast<size_t>(key.count);
      const char32_t k = KeyChar(c, fold);
      key.display[i] = static_cast<uint32_t>(display.size());
      key.chars[i] = k;
      PutUtf8(key.bytes.data() + key.byte[i], k);
      key.byte[i + 1] = static_cast<uint16_t>(key.byte[i] + Utf8Length(k));
      ++key.count;
    }
    AppendUtf8(display, c);
    prev = c;
    if (keyed) key.display[static_cast<size_t>(key.count)] = static_cast<uint32_t>(display.size());
  }
}

std::string NameKey(std::string_view name, const KanjiFold& fold) {
  std::string display;
  AddressKey key;
  NormalizeAddressText(name, fold, display, key);
  return std::string(key.Slice(0, key.count));
}

int ParseKanjiNumber(std::u32string_view digits) {
  if (digits.empty() || digits.size() > 8) return -1;
  const bool positional = std::none_of(digits.begin(), digits.end(), [](char32_t c) {
    return c == U'十' || c == U'百' || c == U'千';
  });
  int value = 0;
  if (positional) {
    for (char32_t c : digits) {
      const int d = KanjiDigitValue(c);
      if (d < 0) return -1;
      value = value * 10 + d;
    }
    return value;
  }
  int current = -1;
  int last_unit = 100000;
  for (char32_t c : digits) {
    const int d = KanjiDigitValue(c);
    if (d >= 0) {
      if (current >= 0) return -1;  // 二三十 is not a number
      current = d;
      continue;
    }
    const int unit = c == U'十' ? 10 : c == U'百' ? 100 : c == U'千' ? 1000 : 0;
    if (unit == 0 || unit >= last_unit) return -1;  // 十百 is not a number
    value += (current < 0 ? 1 : current) * unit;
    current = -1;
    last_unit = unit;
  }
  if (current >= 0) value += current;
  return value;
}

namespace {

// A cursor over the display-form rest, as code points.
struct RestReader {
  std::u32string_view text;
  size_t i = 0;
  bool AtEnd() const { return i >= text.size(); }
  char32_t Peek(size_t ahead = 0) const {
    return i + ahead < text.size() ? text[i + ahead] : 0;
  }
  bool StartsWith(std::u32string_view s, size_t ahead = 0) const {
    return text.substr(std::min(text.size(), i + ahead)).starts_with(s);
  }
};

// Length of a kanji-numeral run starting at `at`.
size_t KanjiRun(const RestReader& r, size_t at) {
  size_t n = 0;
  while (IsKanjiDigit(r.Peek(at + n))) ++n;
  return n;
}

// What follows position `at` that makes a preceding number an address
// number: 丁目, 番地, 番 (not 番町/番丁/番街), 号, '-', or の before a number.
enum class Marker { kNone, kChome, kBanchi, kBan, kGo, kHyphen, kNo };

Marker MarkerAt(const RestReader& r, size_t at);

// True when what follows a kanji run of length `n` at `at` shows the run is
// an address number: a marker, the end, or ASCII (a room number, a space).
bool KanjiNumberEnds(const RestReader& r, size_t at, size_t n) {
  if (MarkerAt(r, at + n) != Marker::kNone) return true;
  const char32_t next = r.Peek(at + n);
  return next == 0 || next < 0x80;
}

// True when a number (ASCII digits, or a kanji run that ends as a number)
// starts at `at`; used right after a marker.
bool NumberAt(const RestReader& r, size_t at) {
  if (IsDigit(r.Peek(at))) return true;
  const size_t n = KanjiRun(r, at);
  return n > 0 && KanjiNumberEnds(r, at, n);
}

Marker MarkerAt(const RestReader& r, size_t at) {
  const char32_t c = r.Peek(at);
  if (c == U'丁' && r.Peek(at + 1) == U'目') return Marker::kChome;
  if (c == U'番' && r.Peek(at + 1) == U'地') return Marker::kBanchi;
  if (c == U'番') {
    const char32_t next = r.Peek(at + 1);
    if (next == U'町' || next == U'丁' || next == U'街' || next == U'館' || next == U'通') {
      return Marker::kNone;
    }
    return Marker::kBan;
  }
  if (c == U'号') return Marker::kGo;
  if (c == U'-') return Marker::kHyphen;
  if (c == U'の' && (IsDigit(r.Peek(at + 1)) || KanjiRun(r, at + 1) > 0)) return Marker::kNo;
  return Marker::kNone;
}

size_t MarkerLength(Marker m) {
  return (m == Marker::kChome || m == Marker::kBanchi) ? 2 : m == Marker::kNone ? 0 : 1;
}

}  // namespace

std::string NormalizeAddressRest(std::string_view display_rest) {
  // Decode once into a small buffer; the rest is short.
  std::u32string chars;
  chars.reserve(display_rest.size());
  for (size_t pos = 0; pos < display_rest.size();) chars.push_back(DecodeUtf8(display_rest, &pos));
  RestReader r{chars};
  std::string out;
  out.reserve(display_rest.size());
  while (!r.AtEnd()) {
    const char32_t c = r.Peek();
    // A number: ASCII digits, or kanji numerals that a marker follows (or
    // that follow an address hyphen, as in 3-四).
    size_t digits_len = 0;
    int value = -1;
    if (IsDigit(c)) {
      while (IsDigit(r.Peek(digits_len))) ++digits_len;
    } else if (IsKanjiDigit(c)) {
      const size_t n = KanjiRun(r, 0);
      const bool after_hyphen = !out.empty() && out.back() == '-';
      if (MarkerAt(r, n) != Marker::kNone || (after_hyphen && KanjiNumberEnds(r, 0, n))) {
        value = ParseKanjiNumber(r.text.substr(r.i, n));
        if (value >= 0) digits_len = n;
      }
    }
    if (digits_len == 0) {
      AppendUtf8(out, c);
      ++r.i;
      continue;
    }
    if (value >= 0) {
      out += std::to_string(value);
    } else {
      for (size_t k = 0; k < digits_len; ++k) out.push_back(static_cast<char>(r.Peek(k)));
    }
    r.i += digits_len;
    Marker m = MarkerAt(r, 0);
    if (m == Marker::kNone) continue;
    const size_t len = MarkerLength(m);
    // 番地の5: the の joins like a hyphen.
    size_t after = len;
    if ((m == Marker::kBanchi || m == Marker::kBan) && r.Peek(after) == U'の') ++after;
    if (NumberAt(r, after)) {
      out.push_back('-');
      r.i += after;
    } else if (r.i + len >= chars.size() &&
               (m == Marker::kBanchi || m == Marker::kBan || m == Marker::kGo ||
                m == Marker::kHyphen)) {
      r.i += len;  // 4番地 at the end is 4; a trailing hyphen goes too
    } else if (m == Marker::kHyphen || m == Marker::kNo) {
      out.push_back('-');
      r.i += len;
    }
    // Otherwise the marker stays as written (2丁目, 5号室) and is copied.
  }
  return out;
}

}  // namespace ichigen::geo
