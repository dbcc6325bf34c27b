#include "geo/address.h"

#include <algorithm>
#include <array>
#include <unordered_map>

#include "core/resources.h"
#include "geo/address_text.h"
#include "geo/table_reader.h"

namespace ichigen::geo {

std::string_view ConfidenceName(Confidence confidence) {
  switch (confidence) {
    case Confidence::kNone: return "none";
    case Confidence::kLow: return "low";
    case Confidence::kMedium: return "medium";
    case Confidence::kHigh: return "high";
  }
  return "none";
}

core::Result<PostalPrefectures> PostalPrefectures::Load() {
  constexpr std::string_view kFile = "geo/postal_prefix.csv";
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile(kFile));
  PostalPrefectures table;
  table.by_prefix_.assign(1000, 0);
  const std::vector<TableRow> rows = ReadTable(text, ',', true);
  for (size_t i = 1; i < rows.size(); ++i) {
    const TableRow& row = rows[i];
    int from = -1;
    int to = -1;
    int pref = 0;
    if (row.fields.size() >= 3 && row.fields[0].size() == 3 && row.fields[1].size() == 3) {
      from = std::atoi(row.fields[0].c_str());
      to = std::atoi(row.fields[1].c_str());
      pref = std::atoi(row.fields[2].c_str());
    }
    if (from < 0 || to < from || to > 999 || pref < 1 || pref > 47) {
      return core::Fail(core::Code::kDataLoss, "郵便番号表の行が不正です", "bad postal prefix row",
                        std::string(kFile) + ":" + std::to_string(row.line));
    }
    for (int p = from; p <= to; ++p) table.by_prefix_[static_cast<size_t>(p)] = static_cast<int8_t>(pref);
  }
  return table;
}

int PostalPrefectures::PrefectureOf(std::string_view postal_code) const {
  int digits = 0;
  int prefix = 0;
  size_t pos = 0;
  while (pos < postal_code.size() && digits < 3) {
    char32_t c = DecodeUtf8(postal_code, &pos);
    if (c >= 0xFF10 && c <= 0xFF19) c -= 0xFEE0;
    if (c >= U'0' && c <= U'9') {
      prefix = prefix * 10 + static_cast<int>(c - U'0');
      ++digits;
    } else if (digits > 0) {
      return 0;  // "18-3" is not a postal code
    }
  }
  if (digits < 3 || by_prefix_.size() != 1000) return 0;
  return by_prefix_[static_cast<size_t>(prefix)];
}

namespace {

struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

template <typename V>
using NameMap = std::unordered_map<std::string, V, StringViewHash, std::equal_to<>>;

struct Entry {
  uint32_t index = 0;       // into Registry::municipalities()
  bool ward_alone = false;  // the key is a ward's name without its city
};

bool EndsMunicipality(char32_t c) { return c == U'市' || c == U'町' || c == U'村' || c == U'区'; }
bool EndsPrefecture(char32_t c) { return c == U'都' || c == U'道' || c == U'府' || c == U'県'; }

// What one attempt at a municipality name found.
struct Match {
  static constexpr int kMaxCandidates = 32;
  int end = -1;  // key character index just after the name
  int count = 0;
  std::array<uint32_t, kMaxCandidates> candidates{};
  bool ward_alone = false;
  bool other_prefecture = false;  // found only outside the written prefecture
  bool gun_skipped = false;       // a <X>郡 before a town or village was skipped

  bool found() const { return count > 0; }
};

enum class PrefectureSource { kNone, kFull, kShort };

}  // namespace

struct AddressResolver::Impl {
  const Registry& registry;
  const std::vector<Municipality>& municipalities;
  KanjiFold fold;
  PostalPrefectures postal;
  NameMap<std::vector<Entry>> names;
  NameMap<int> prefecture_full;
  NameMap<int> prefecture_short;
  int max_name_chars = 0;

  Impl(const Registry& r, KanjiFold f, PostalPrefectures p)
      : registry(r), municipalities(r.municipalities()), fold(std::move(f)), postal(std::move(p)) {
    for (const Prefecture& pref : registry.prefectures()) {
      prefecture_full.emplace(NameKey(pref.name, fold), pref.code);
      prefecture_short.emplace(NameKey(pref.short_name, fold), pref.code);
    }
    for (uint32_t i = 0; i < municipalities.size(); ++i) {
      const Municipality& m = municipalities[i];
      AddName(NameKey(m.full_name, fold), Entry{i, false});
      if (m.is_ward) AddName(NameKey(m.name, fold), Entry{i, true});
    }
  }

  void AddName(std::string key, Entry entry) {
    int chars = 0;
    for (size_t pos = 0; pos < key.size();) {
      DecodeUtf8(key, &pos);
      ++chars;
    }
    max_name_chars = std::max(max_name_chars, chars);
    names[std::move(key)].push_back(entry);
  }

  Match MatchName(const AddressKey& key, int start, int prefecture) const;
  Match MatchWithGun(const AddressKey& key, int start, int prefecture) const;
  void Finish(const AddressKey& key, Residence& r, PrefectureSource source, int prefecture,
              const Match& m, std::string_view postal_in_address, std::string_view given_code,
              std::string_view postal_code) const;
  void CrossCheckCode(std::string_view given_code, Residence& r) const;
};

Match AddressResolver::Impl::MatchName(const AddressKey& key, int start, int prefecture) const {
  Match best;
  Match other;
  const int last = std::min(key.count, start + max_name_chars);
  for (int i = start + 1; i <= last; ++i) {
    if (!EndsMunicipality(key.chars[static_cast<size_t>(i - 1)])) continue;
    const auto it = names.find(key.Slice(start, i));
    if (it == names.end()) continue;
    Match in;
    Match out;
    for (const Entry& e : it->second) {
      const Municipality& m = municipalities[e.index];
      Match& into = (prefecture == 0 || m.prefecture_code == prefecture) ? in : out;
      if (into.count < Match::kMaxCandidates) {
        into.candidates[static_cast<size_t>(into.count++)] = e.index;
        into.ward_alone = e.ward_alone;
      }
    }
    // Longest name wins (東村山市 over 東村); in-prefecture over elsewhere.
    if (in.found()) {
      in.end = i;
      best = in;
    } else if (out.found()) {
      out.end = i;
      out.other_prefecture = true;
      other = out;
    }
  }
  Match& m = best.found() ? best : other;
  if (!m.found()) return m;
  // A retired code shares its name with its successor (浜松市天竜区): the
  // current one is meant.
  const bool any_current = std::any_of(
      m.candidates.begin(), m.candidates.begin() + m.count,
      [&](uint32_t c) { return !municipalities[c].retired(); });
  if (any_current) {
    int kept = 0;
    for (int k = 0; k < m.count; ++k) {
      const uint32_t c = m.candidates[static_cast<size_t>(k)];
      if (!municipalities[c].retired()) m.candidates[static_cast<size_t>(kept++)] = c;
    }
    m.count = kept;
  }
  return m;
}

Match AddressResolver::Impl::MatchWithGun(const AddressKey& key, int start, int prefecture) const {
  Match direct = MatchName(key, start, prefecture);
  // A name followed by 郡 is the 郡's name, not the municipality (a 郡 may
  // share its name with a town elsewhere).
  const bool before_gun = direct.found() && direct.end < key.count &&
                          key.chars[static_cast<size_t>(direct.end)] == U'郡';
  if (direct.found() && !direct.other_prefecture && !before_gun) return direct;
  // localgovjp has no 郡: accept "<X>郡" (one to six characters of name)
  // before a town or village.
  constexpr int kMaxGunName = 6;
  for (int j = start + 1; j <= start + kMaxGunName && j < key.count; ++j) {
    const char32_t c = key.chars[static_cast<size_t>(j)];
    if ((c >= U'0' && c <= U'9') || c == U'-') break;
    if (c != U'郡') continue;
    Match gun = MatchName(key, j + 1, prefecture);
    // 小郡郡…: the first 郡 may belong to the 郡's own name.
    if (!gun.found() || (gun.other_prefecture && direct.found())) continue;
    const bool towns = std::all_of(
        gun.candidates.begin(), gun.candidates.begin() + gun.count, [&](uint32_t k) {
          const Municipality& m = municipalities[k];
          return !m.is_ward && (m.name.ends_with("町") || m.name.ends_with("村"));
        });
    if (!towns) continue;
    gun.gun_skipped = true;
    return gun;
  }
  return direct;
}

core::Result<std::unique_ptr<AddressResolver>> AddressResolver::Create(const Registry& registry) {
  ASSIGN_OR_RETURN(KanjiFold fold, KanjiFold::Load());
  ASSIGN_OR_RETURN(PostalPrefectures postal, PostalPrefectures::Load());
  std::unique_ptr<AddressResolver> resolver(new AddressResolver(registry, std::move(fold), std::move(postal)));
  return resolver;
}

namespace {

KanjiFold FoldOrEmpty() {
  core::Result<KanjiFold> fold = KanjiFold::Load();
  return fold.has_value() ? std::move(*fold) : KanjiFold({});
}

PostalPrefectures PostalOrEmpty() {
  core::Result<PostalPrefectures> postal = PostalPrefectures::Load();
  return postal.has_value() ? std::move(*postal) : PostalPrefectures();
}

}  // namespace

AddressResolver::AddressResolver(const Registry& registry)
    : AddressResolver(registry, FoldOrEmpty(), PostalOrEmpty()) {}

AddressResolver::AddressResolver(const Registry& registry, KanjiFold fold, PostalPrefectures postal)
    : impl_(std::make_unique<Impl>(registry, std::move(fold), std::move(postal))) {}

AddressResolver::~AddressResolver() = default;

Residence AddressResolver::Resolve(std::string_view address, std::string_view given_code,
                                   std::string_view postal_code) const {
  const Impl& impl = *impl_;
  Residence r;
  AddressKey key;
  NormalizeAddressText(address, impl.fold, r.normalized, key);

  // A leading postal code: 〒183-0022 or 183-0022.
  int p0 = 0;
  std::array<char, 8> postal_buf{};
  std::string_view postal_in_address;
  {
    int i = 0;
    if (key.count > 0 && key.chars[0] == U'〒') i = 1;
    int digits = 0;
    int j = i;
    while (j < key.count && digits < 7) {
      const char32_t c = key.chars[static_cast<size_t>(j)];
      if (c >= U'0' && c <= U'9') {
        postal_buf[static_cast<size_t>(digits++)] = static_cast<char>(c);
      } else if (!(c == U'-' && digits == 3)) {
        break;
      }
      ++j;
    }
    if (digits == 7) {
      p0 = j;
      postal_in_address = std::string_view(postal_buf.data(), 7);
    } else if (i == 1) {
      p0 = 1;
    }
  }

  // A written prefecture: the full name first.
  int full = 0;
  int full_end = p0;
  for (int len = 3; len <= 4 && p0 + len <= key.count; ++len) {
    if (!EndsPrefecture(key.chars[static_cast<size_t>(p0 + len - 1)])) continue;
    const auto it = impl.prefecture_full.find(key.Slice(p0, p0 + len));
    if (it != impl.prefecture_full.end()) {
      full = it->second;
      full_end = p0 + len;
      break;
    }
  }
  if (full != 0) {
    const Match m = impl.MatchWithGun(key, full_end, full);
    const int start = m.found() ? m.end : full_end;
    r.rest = NormalizeAddressRest(std::string_view(r.normalized).substr(key.display[static_cast<size_t>(start)]));
    impl.Finish(key, r, PrefectureSource::kFull, full, m, postal_in_address, given_code, postal_code);
    return r;
  }

  // No full prefecture name: read it both as written without one and with
  // a short name (東京港区); 京都市… and 千葉市川市 show why both are tried.
  const Match bare = impl.MatchWithGun(key, p0, 0);
  int short_pref = 0;
  int short_end = p0;
  for (int len = 2; len <= 3 && p0 + len <= key.count; ++len) {
    const auto it = impl.prefecture_short.find(key.Slice(p0, p0 + len));
    if (it != impl.prefecture_short.end()) {
      short_pref = it->second;
      short_end = p0 + len;
      break;
    }
  }
  Match with_short;
  if (short_pref != 0) with_short = impl.MatchWithGun(key, short_end, short_pref);
  const bool short_ok = with_short.found() && !with_short.other_prefecture;

  if (short_ok && bare.found()) {
    const bool same = bare.count == 1 && with_short.count == 1 &&
                      bare.candidates[0] == with_short.candidates[0];
    if (same) {
      r.rest = NormalizeAddressRest(std::string_view(r.normalized).substr(key.display[static_cast<size_t>(with_short.end)]));
      impl.Finish(key, r, PrefectureSource::kShort, short_pref, with_short, postal_in_address, given_code, postal_code);
      return r;
    }
    // Two readings that disagree: report both, decide nothing.
    Match both = bare;
    for (int k = 0; k < with_short.count && both.count < Match::kMaxCandidates; ++k) {
      both.candidates[static_cast<size_t>(both.count++)] = with_short.candidates[static_cast<size_t>(k)];
    }
    r.rest = NormalizeAddressRest(std::string_view(r.normalized).substr(key.display[static_cast<size_t>(p0)]));
    r.flags.emplace_back("two_readings");
    impl.Finish(key, r, PrefectureSource::kNone, 0, both, postal_in_address, given_code, postal_code);
    return r;
  }
  if (short_ok) {
    r.rest = NormalizeAddressRest(std::string_view(r.normalized).substr(key.display[static_cast<size_t>(with_short.end)]));
    impl.Finish(key, r, PrefectureSource::kShort, short_pref, with_short, postal_in_address, given_code, postal_code);
    return r;
  }
  if (bare.found()) {
    r.rest = NormalizeAddressRest(std::string_view(r.normalized).substr(key.display[static_cast<size_t>(bare.end)]));
    impl.Finish(key, r, PrefectureSource::kNone, 0, bare, postal_in_address, given_code, postal_code);
    return r;
  }
  const int start = short_pref != 0 ? short_end : p0;
  r.rest = NormalizeAddressRest(std::string_view(r.normalized).substr(key.display[static_cast<size_t>(start)]));
  impl.Finish(key, r, short_pref != 0 ? PrefectureSource::kShort : PrefectureSource::kNone,
              short_pref, Match{}, postal_in_address, given_code, postal_code);
  return r;
}

void AddressResolver::Impl::Finish(const AddressKey& /*key*/, Residence& r, PrefectureSource source,
                                   int prefecture, const Match& m,
                                   std::string_view postal_in_address, std::string_view given_code,
                                   std::string_view postal_code) const {
  if (prefecture != 0) r.prefecture = registry.FindPrefecture(prefecture);
  if (m.gun_skipped) r.flags.emplace_back("gun_skipped");

  if (!m.found()) {
    r.confidence = prefecture != 0 ? Confidence::kLow : Confidence::kNone;
    r.flags.emplace_back(prefecture != 0 ? "municipality_not_found" : "not_found");
  } else if (m.count > 1) {
    r.confidence = Confidence::kLow;
    r.flags.emplace_back("ambiguous_municipality");
    for (int k = 0; k < m.count; ++k) {
      r.candidates.push_back(&municipalities[m.candidates[static_cast<size_t>(k)]]);
    }
    // One prefecture among all candidates is still worth reporting.
    const int p = r.candidates.front()->prefecture_code;
    if (std::all_of(r.candidates.begin(), r.candidates.end(),
                    [&](const Municipality* c) { return c->prefecture_code == p; })) {
      r.prefecture = registry.FindPrefecture(p);
    }
  } else {
    const Municipality& found = municipalities[m.candidates[0]];
    r.municipality = &found;
    r.prefecture = registry.FindPrefecture(found.prefecture_code);
    if (m.other_prefecture) {
      // 東京都横浜市: the name exists, but not in the written prefecture.
      r.confidence = Confidence::kLow;
      r.flags.emplace_back("prefecture_mismatch");
    } else if (source == PrefectureSource::kNone) {
      r.confidence = Confidence::kMedium;
      r.flags.emplace_back("prefecture_inferred");
    } else {
      r.confidence = Confidence::kHigh;
    }
    if (m.ward_alone) {
      r.flags.emplace_back("city_inferred");
      r.confidence = std::min(r.confidence, Confidence::kMedium);
    }
    if (found.is_designated_city) {
      // 横浜市 with no ward: the right city, but not the ward.
      r.flags.emplace_back("ward_missing");
      r.confidence = std::min(r.confidence, Confidence::kMedium);
    }
    if (found.retired()) {
      r.flags.emplace_back("retired_name");
      r.municipality = &registry.Current(found);
      if (!found.other_successor_code6s.empty()) {
        // 旧浜松市北区 was split: the old name alone cannot say which.
        r.flags.emplace_back("split_municipality");
        r.confidence = Confidence::kLow;
      }
    }
  }

  // Postal code: decides between same-named municipalities in different
  // prefectures, and flags a prefecture it contradicts.
  const std::string_view postal = !postal_code.empty() ? postal_code : postal_in_address;
  const int postal_pref = postal.empty() ? 0 : this->postal.PrefectureOf(postal);
  if (postal_pref != 0) {
    if (r.municipality == nullptr && !r.candidates.empty()) {
      const Municipality* only = nullptr;
      int in_pref = 0;
      for (const Municipality* c : r.candidates) {
        if (c->prefecture_code == postal_pref) {
          only = c;
          ++in_pref;
        }
      }
      if (in_pref == 1) {
        r.municipality = only;
        r.prefecture = registry.FindPrefecture(only->prefecture_code);
        r.candidates.clear();
        r.confidence = Confidence::kMedium;
        r.flags.emplace_back("decided_by_postal_code");
      }
    } else if (r.prefecture != nullptr && r.prefecture->code != postal_pref) {
      r.flags.emplace_back("postal_code_disagrees");
      if (r.confidence == Confidence::kHigh) {
        r.confidence = Confidence::kMedium;
      } else if (r.confidence == Confidence::kMedium) {
        r.confidence = Confidence::kLow;
      }
    }
  }

  if (!given_code.empty()) CrossCheckCode(given_code, r);

  if (r.municipality != nullptr) {
    const Prefecture* p = registry.FindPrefecture(r.municipality->prefecture_code);
    r.prefecture = p;
    std::string normalized;
    normalized.reserve(p->name.size() + r.municipality->full_name.size() + r.rest.size());
    normalized += p->name;
    normalized += r.municipality->full_name;
    normalized += r.rest;
    r.normalized = std::move(normalized);
  } else if (r.prefecture != nullptr && source != PrefectureSource::kNone) {
    r.normalized = r.prefecture->name + r.rest;
  }
}

void AddressResolver::Impl::CrossCheckCode(std::string_view given_code, Residence& r) const {
  std::array<char, 6> digits{};
  size_t n = 0;
  for (size_t pos = 0; pos < given_code.size();) {
    char32_t c = DecodeUtf8(given_code, &pos);
    if (c >= 0xFF10 && c <= 0xFF19) c -= 0xFEE0;
    if (c == U' ' || c == 0x3000 || c == U'-') continue;
    if (c < U'0' || c > U'9' || n == digits.size()) {
      n = 0;
      break;
    }
    digits[n++] = static_cast<char>(c);
  }
  const Municipality* coded =
      (n == 5 || n == 6) ? registry.FindByCode(std::string_view(digits.data(), n)) : nullptr;
  if (coded == nullptr) {
    r.flags.emplace_back("code_invalid");
    return;
  }
  if (coded->retired()) r.flags.emplace_back("code_retired");
  const Municipality& current = registry.Current(*coded);
  // Everything the code may mean: its current successor and, when its area
  // was split, the other successors too.
  auto code_means = [&](const Municipality& m) {
    if (&m == &current || &m == coded) return true;
    for (const std::string& s : coded->other_successor_code6s) {
      if (s == m.code6) return true;
    }
    return false;
  };
  const bool code_ambiguous = !coded->other_successor_code6s.empty();

  if (r.municipality == nullptr && !r.candidates.empty()) {
    for (const Municipality* c : r.candidates) {
      if (code_means(*c) && !code_ambiguous) {
        r.municipality = c;
        r.candidates.clear();
        r.confidence = Confidence::kMedium;
        r.flags.emplace_back("decided_by_code");
        return;
      }
    }
    r.code_disagrees = true;
    r.flags.emplace_back("code_disagrees");
    return;
  }
  if (r.municipality == nullptr) {
    if (r.prefecture != nullptr && r.prefecture->code != current.prefecture_code) {
      r.code_disagrees = true;
      r.flags.emplace_back("code_disagrees");
      r.confidence = Confidence::kLow;
      return;
    }
    r.municipality = &current;
    r.confidence = code_ambiguous ? Confidence::kLow : Confidence::kMedium;
    r.flags.emplace_back("municipality_from_code");
    return;
  }
  const Municipality& found = *r.municipality;
  if (code_means(found)) return;
  if (found.is_ward && found.parent_code6 == current.code6) {
    r.flags.emplace_back("code_is_city");  // 横浜市 for 横浜市中区: consistent
    return;
  }
  if (found.is_designated_city && current.parent_code6 == found.code6) {
    r.municipality = &current;  // the address named the city, the code its ward
    r.flags.emplace_back("ward_from_code");
    return;
  }
  if (code_ambiguous) {
    for (const std::string& s : coded->other_successor_code6s) {
      if (s == found.code6) return;
    }
  }
  r.code_disagrees = true;
  r.flags.emplace_back("code_disagrees");
  if (r.confidence == Confidence::kHigh) {
    // Written prefecture and municipality agree with each other: the
    // address is where the patient lives (the code may be the hotel's).
    r.flags.emplace_back("address_wins");
  } else {
    r.confidence = Confidence::kLow;
    r.flags.emplace_back("needs_review");
  }
}

}  // namespace ichigen::geo
