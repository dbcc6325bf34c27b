#include "geo/address_noise.h"

#include <map>
#include <string_view>

namespace ichigen::geo {

namespace {

// splitmix64: small, fast and the same everywhere.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  int Below(int n) { return static_cast<int>(Next() % static_cast<uint64_t>(n)); }
  bool Chance(double p) { return static_cast<double>(Next() >> 11) * 0x1.0p-53 < p; }

 private:
  uint64_t state_;
};

std::u32string Decode(std::string_view s) {
  std::u32string out;
  for (size_t pos = 0; pos < s.size();) out.push_back(DecodeUtf8(s, &pos));
  return out;
}

std::string Encode(std::u32string_view s) {
  std::string out;
  for (char32_t c : s) AppendUtf8(out, c);
  return out;
}

constexpr std::string_view kTowns[] = {
    "本町", "栄町", "中央", "旭町", "緑町", "幸町", "桜木町", "大字上野", "字下川原", "東",
    "西新町", "霞ケ関", "駅前", "新田", "元町", "若松町", "宮前", "松原", "泉町", "八幡",
    "青葉台", "南町", "北浜", "朝日が丘", "梅ヶ丘", "城山", "錦", "高砂", "住吉", "日吉"};

constexpr std::string_view kKanjiDigits[] = {"〇", "一", "二", "三", "四", "五",
                                             "六", "七", "八", "九"};

std::string KanjiNumber(int n) {
  // 1..99 in the 十 form: 3 → 三, 12 → 十二, 25 → 二十五.
  std::string out;
  if (n >= 20) out += kKanjiDigits[n / 10];
  if (n >= 10) out += "十";
  if (n % 10 != 0 || n == 0) out += kKanjiDigits[n % 10];
  return out;
}

constexpr std::string_view kHyphens[] = {"-", "‐", "−", "ー", "－", "―"};

std::string FullWidthDigits(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      AppendUtf8(out, static_cast<char32_t>(0xFF10 + (c - '0')));
    } else {
      out.push_back(c);
    }
  }
  return out;
}

}  // namespace

std::vector<NoisyAddress> GenerateNoisyAddresses(const Registry& registry, const KanjiFold& fold,
                                                 int count, NoiseOptions options) {
  Rng rng(options.seed);
  const std::vector<Municipality>& all = registry.municipalities();
  std::vector<const Municipality*> targets;
  // How many current municipalities bear each written name, nationwide and
  // per prefecture, to know when dropping a part keeps an address decidable.
  std::map<std::string, int> national;
  std::map<std::pair<int, std::string>, int> in_prefecture;
  for (const Municipality& m : all) {
    if (m.retired()) continue;
    if (!m.is_designated_city) targets.push_back(&m);
    ++national[m.full_name];
    ++in_prefecture[{m.prefecture_code, m.full_name}];
    if (m.is_ward) {
      ++national[m.name];
      ++in_prefecture[{m.prefecture_code, m.name}];
    }
  }
  // The old form of a character, for the old-kanji noise.
  std::map<char32_t, char32_t> old_form;
  for (const auto& [variant, form] : fold.pairs()) old_form.emplace(form, variant);

  std::vector<NoisyAddress> out;
  out.reserve(static_cast<size_t>(count));
  for (int i = 0; i < count; ++i) {
    const Municipality& m = *targets[static_cast<size_t>(rng.Below(static_cast<int>(targets.size())))];
    const Prefecture& pref = *registry.FindPrefecture(m.prefecture_code);
    NoisyAddress a;
    a.expected_code6 = m.code6;
    std::string noise;
    auto note = [&](std::string_view kind) {
      if (!noise.empty()) noise += ',';
      noise += kind;
    };

    const bool make_ambiguous = rng.Chance(options.ambiguous_share);
    bool drop_pref = rng.Chance(0.25);
    bool ward_alone = m.is_ward && rng.Chance(0.35);
    const std::string& written_name = ward_alone ? m.name : m.full_name;
    const bool unique_in_pref = in_prefecture[{m.prefecture_code, written_name}] == 1;
    const bool unique_national = national[written_name] == 1;
    if (make_ambiguous) {
      // Keep only what fits several municipalities, if anything does.
      if (m.is_ward && national[m.name] > 1) {
        ward_alone = true;
        drop_pref = true;
        a.expect_uncertain = true;
      } else if (national[m.full_name] > 1) {
        ward_alone = false;
        drop_pref = true;
        a.expect_uncertain = true;
      }
    } else {
      if (ward_alone && !unique_in_pref) ward_alone = false;
      const std::string& name = ward_alone ? m.name : m.full_name;
      if (drop_pref && national[name] != 1) drop_pref = false;
    }
    (void)unique_national;

    std::u32string name = Decode(ward_alone ? m.name : m.full_name);
    if (ward_alone) note("ward_alone");
    // ヶ/ケ/が/ヵ swaps where the name has one.
    for (char32_t& c : name) {
      if ((c == U'ヶ' || c == U'ケ') && rng.Chance(0.7)) {
        constexpr char32_t kForms[] = {U'ヶ', U'ケ', U'が', U'ヵ'};
        c = kForms[rng.Below(4)];
        note("ke_swap");
      }
    }
    // Old kanji forms.
    for (char32_t& c : name) {
      const auto it = old_form.find(c);
      if (it != old_form.end() && rng.Chance(0.5)) {
        c = it->second;
        note("old_kanji");
      }
    }
    std::string text;
    if (!drop_pref) {
      text += pref.name;
    } else {
      note("no_prefecture");
    }
    // A 郡 before a town or village: the stem of another municipality of
    // the prefecture stands in for the real 郡 name, which the data lacks.
    if (!m.is_ward && (m.name.ends_with("町") || m.name.ends_with("村")) && rng.Chance(0.3)) {
      const std::vector<const Municipality*> same = registry.InPrefecture(m.prefecture_code);
      const std::u32string stem = Decode(same[static_cast<size_t>(rng.Below(static_cast<int>(same.size())))]->name);
      text += Encode(stem.substr(0, std::min<size_t>(2, stem.size() - 1)));
      text += "郡";
      note("gun");
    }
    text += Encode(name);

    // The rest: a town and a 丁目-番-号 in one of the written forms.
    std::string rest(kTowns[rng.Below(static_cast<int>(std::size(kTowns)))]);
    const int chome = 1 + rng.Below(9);
    const int ban = 1 + rng.Below(40);
    const int go = 1 + rng.Below(30);
    switch (rng.Below(6)) {
      case 0:
        rest += std::to_string(chome) + "丁目" + std::to_string(ban) + "番" + std::to_string(go) + "号";
        break;
      case 1:
        rest += KanjiNumber(chome) + "丁目" + KanjiNumber(ban) + "番" + KanjiNumber(go) + "号";
        note("kanji_numerals");
        break;
      case 2:
        rest += std::to_string(ban) + "番地" + std::to_string(go);
        break;
      case 3: {
        const std::string_view h = kHyphens[rng.Below(static_cast<int>(std::size(kHyphens)))];
        rest += std::to_string(chome) + std::string(h) + std::to_string(ban) + std::string(h) +
                std::to_string(go);
        note("hyphen_variant");
        break;
      }
      case 4:
        rest += std::to_string(chome) + "-" + std::to_string(ban) + "-" + std::to_string(go) +
                " コーポ" + std::to_string(100 + go);
        break;
      default:
        rest += KanjiNumber(chome) + "丁目" + std::to_string(ban) + "-" + std::to_string(go);
        note("kanji_numerals");
        break;
    }
    if (rng.Chance(0.3)) {
      rest = FullWidthDigits(rest);
      note("full_width");
    }
    text += rest;

    // Spaces anywhere (ASCII or ideographic), up to three.
    if (rng.Chance(0.3)) {
      std::u32string chars = Decode(text);
      const int spaces = 1 + rng.Below(3);
      for (int s = 0; s < spaces; ++s) {
        const size_t at = static_cast<size_t>(rng.Below(static_cast<int>(chars.size()) + 1));
        chars.insert(at, 1, rng.Chance(0.5) ? U' ' : U'\u3000');
      }
      text = Encode(chars);
      note("spaces");
    }
    a.address = std::move(text);
    a.noise = std::move(noise);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace ichigen::geo
