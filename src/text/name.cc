#include "text/name.h"

#include <algorithm>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

#include "core/resources.h"
#include "text/unicode.h"

namespace ichigen::text {
namespace {

using internal::AppendUtf8;
using internal::DecodeNext;

constexpr std::string_view kFoldFile = "text/kanji_variant_fold.tsv";
constexpr std::string_view kConfusableFile = "text/kanji_confusable.tsv";

uint64_t PairKey(char32_t a, char32_t b) {
  if (a > b) std::swap(a, b);
  return (static_cast<uint64_t>(a) << 32) | b;
}

struct NameTables {
  std::unordered_map<char32_t, char32_t> fold;
  std::vector<std::pair<char32_t, char32_t>> confusable;
  std::unordered_set<uint64_t> confusable_keys;
  core::Status status;
};

// One TSV row's first two columns, each a single code point. Returns false
// (and says why in `why`) for anything else.
bool ParsePairRow(std::string_view line, char32_t& a, char32_t& b, std::string& why) {
  const size_t tab1 = line.find('\t');
  if (tab1 == std::string_view::npos) {
    why = "expected at least two tab-separated columns";
    return false;
  }
  const size_t tab2 = line.find('\t', tab1 + 1);
  const std::string_view f1 = line.substr(0, tab1);
  const std::string_view f2 = line.substr(
      tab1 + 1, tab2 == std::string_view::npos ? std::string_view::npos : tab2 - tab1 - 1);
  auto single = [](std::string_view f, char32_t& out) {
    if (f.empty()) return false;
    size_t pos = 0;
    out = DecodeNext(f, pos);
    return pos == f.size() && out != internal::kReplacement;
  };
  if (!single(f1, a) || !single(f2, b)) {
    why = "each of the first two columns must be exactly one character";
    return false;
  }
  return true;
}

// Calls row(a, b, line_no) for each data row; `header` is the first column
// of the header row, skipped like comments.
template <typename Row>
core::Status ForEachRow(std::string_view file, std::string_view header, Row row) {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile(file));
  size_t start = 0;
  int line_no = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    start = end + 1;
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    if (line.starts_with(header) && line.size() > header.size() &&
        line[header.size()] == '\t') {
      continue;
    }
    char32_t a = 0;
    char32_t b = 0;
    std::string why;
    const std::string where = std::string(file) + ":" + std::to_string(line_no);
    if (!ParsePairRow(line, a, b, why)) {
      return core::Fail(core::Code::kFailedPrecondition,
                        "異体字表の行を読めません: " + why,
                        "cannot read table row: " + why, where);
    }
    RETURN_IF_ERROR(row(a, b, where));
  }
  return core::Ok();
}

core::Status LoadInto(NameTables& t) {
  RETURN_IF_ERROR(ForEachRow(kFoldFile, "variant", [&](char32_t v, char32_t s,
                                                       const std::string& where) -> core::Status {
    if (v == s || !t.fold.emplace(v, s).second) {
      return core::Fail(core::Code::kFailedPrecondition,
                        "異体字表: 同じ字の重複または自己対応です",
                        "fold table: duplicate or self-mapped variant", where);
    }
    return core::Ok();
  }));
  for (const auto& [variant, standard] : t.fold) {
    if (t.fold.contains(standard)) {
      std::string where(kFoldFile);
      AppendUtf8(where, U' ');
      AppendUtf8(where, variant);
      return core::Fail(core::Code::kFailedPrecondition,
                        "異体字表: 標準字がさらに別の字に対応しています（連鎖）",
                        "fold table: a standard form is itself folded (chain)", where);
    }
  }
  auto fold = [&](char32_t c) {
    auto it = t.fold.find(c);
    return it == t.fold.end() ? c : it->second;
  };
  return ForEachRow(kConfusableFile, "a", [&](char32_t a, char32_t b,
                                              const std::string& where) -> core::Status {
    if (fold(a) == fold(b)) {
      return core::Fail(core::Code::kFailedPrecondition,
                        "紛らわしい字の組が異体字表で同一視されています",
                        "a confusable pair is folded together by the fold table", where);
    }
    t.confusable.emplace_back(a, b);
    t.confusable_keys.insert(PairKey(a, b));
    return core::Ok();
  });
}

const NameTables& Tables() {
  static const NameTables kTables = [] {
    NameTables t;
    t.status = LoadInto(t);
    if (!t.status.has_value()) {
      // Folding with a table that failed its checks could merge different
      // people; folding nothing only loses some matches.
      t.fold.clear();
    }
    return t;
  }();
  return kTables;
}

bool IsNameSeparator(char32_t c) {
  // ' ' is every white space after normalization; ・ (and ･, which NFKC
  // widens to it) and · separate names written in kana or Latin.
  return c == ' ' || c == internal::kMiddleDot || c == 0x00B7;
}

void AddFlag(std::vector<std::string>& flags, std::string_view flag) {
  if (std::find(flags.begin(), flags.end(), flag) == flags.end()) flags.emplace_back(flag);
}

}  // namespace

char32_t FoldKanjiVariant(char32_t c) {
  if (c < 0x3400) return c;  // nothing below the CJK blocks is in the table
  const auto& fold = Tables().fold;
  auto it = fold.find(c);
  return it == fold.end() ? c : it->second;
}

std::string FoldKanjiVariants(std::string_view utf8) {
  std::string out;
  out.reserve(utf8.size());
  for (size_t pos = 0; pos < utf8.size();) {
    const size_t before = pos;
    const char32_t c = DecodeNext(utf8, pos);
    const char32_t f = FoldKanjiVariant(c);
    if (f == c) {
      out.append(utf8.substr(before, pos - before));
    } else {
      AppendUtf8(out, f);
    }
  }
  return out;
}

bool AreConfusable(char32_t a, char32_t b) {
  const auto& keys = Tables().confusable_keys;
  if (keys.contains(PairKey(a, b))) return true;
  const char32_t fa = FoldKanjiVariant(a);
  const char32_t fb = FoldKanjiVariant(b);
  return fa != fb && keys.contains(PairKey(fa, fb));
}

const std::vector<std::pair<char32_t, char32_t>>& ConfusablePairs() {
  return Tables().confusable;
}

core::Status CheckNameTables() { return Tables().status; }

NormalizedName NormalizeName(std::string_view raw) {
  NormalizedName r;
  const std::u32string cps = internal::NormalizedCodePoints(raw);
  // Split into the parts the writer separated.
  std::vector<std::u32string_view> parts;
  const std::u32string_view all(cps);
  size_t start = 0;
  for (size_t i = 0; i <= all.size(); ++i) {
    if (i == all.size() || IsNameSeparator(all[i])) {
      if (i > start) parts.push_back(all.substr(start, i - start));
      start = i + 1;
    }
  }
  if (parts.empty()) {
    AddFlag(r.flags, "empty");
    return r;
  }
  r.has_split = parts.size() >= 2;
  if (parts.size() > 2) AddFlag(r.flags, "multiple_splits");

  bool all_kana = true;
  r.key.reserve(cps.size() * 3);
  r.folded_key.reserve(cps.size() * 3);
  for (size_t p = 0; p < parts.size(); ++p) {
    std::string part;
    part.reserve(parts[p].size() * 3);
    for (char32_t c : parts[p]) {
      AppendUtf8(part, c);
      if (internal::IsAsciiAlpha(c)) AddFlag(r.flags, "latin");
      if (internal::IsAsciiDigit(c)) AddFlag(r.flags, "digits");
      if (c == internal::kReplacement) AddFlag(r.flags, "invalid_utf8");
      if (!internal::IsKanaLetter(c) && c != internal::kProlongedSound) all_kana = false;
      // The folded key also forgives case in Latin names and hiragana vs
      // katakana in kana-only names.
      char32_t f = FoldKanjiVariant(c);
      if (f != c) AddFlag(r.flags, "variant_folded");
      if (internal::IsHiraganaLetter(f)) f += 0x60;
      AppendUtf8(r.folded_key, internal::AsciiUpper(f));
    }
    r.key += part;
    if (p > 0) r.display.push_back(' ');
    r.display += part;
    if (r.has_split) {
      if (p == 0) {
        r.family = part;
      } else {
        if (p > 1) r.given.push_back(' ');
        r.given += part;
      }
    }
  }
  if (all_kana) AddFlag(r.flags, "kana");
  if (!Tables().status.has_value()) AddFlag(r.flags, "fold_table_unavailable");
  return r;
}

}  // namespace ichigen::text
