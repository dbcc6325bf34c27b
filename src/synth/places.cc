#include "synth/places.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/resources.h"
#include "io/encoding.h"
#include "synth/text_forms.h"

namespace ichigen::synth {
namespace {

constexpr std::array<std::string_view, 10> kBuildings = {
    "コーポ", "ハイツ", "メゾン", "レジデンス", "グランドパレス",
    "サンハイム", "パークハウス", "ロイヤルマンション", "フラット", "荘"};
constexpr int kTownsPerPlace = 12;

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

double SizeProxy(const geo::Municipality& m) {
  if (m.is_ward) return 5.0;
  if (EndsWith(m.name, "市")) return 4.0;
  if (EndsWith(m.name, "村")) return 0.3;
  return 1.0;
}

core::Result<std::vector<TownName>> LoadTowns() {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile("synth/town_names.tsv"));
  std::vector<TownName> towns;
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t end = rest.find('\n');
    std::string_view line = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line.front() == '#') continue;
    const size_t tab = line.find('\t');
    towns.push_back(TownName{std::string(line.substr(0, tab)),
                             tab == std::string_view::npos || line.substr(tab + 1) != "0"});
  }
  if (towns.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "町名データが空です", "town name data is empty",
                      "synth/town_names.tsv");
  }
  return towns;
}

}  // namespace

core::Result<const geo::Prefecture*> FindPrefecture(const geo::Registry& registry,
                                                    std::string_view text) {
  const bool digits = !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
  if (digits && text.size() <= 6) {
    int code = 0;
    for (char c : text) code = code * 10 + (c - '0');
    if (text.size() >= 5) code /= text.size() == 6 ? 10000 : 1000;  // 140007 / 14000 → 14
    if (const geo::Prefecture* p = registry.FindPrefecture(code)) return p;
  } else if (!digits) {
    if (const geo::Prefecture* p = registry.FindPrefectureByName(text)) return p;
    for (const geo::Prefecture& p : registry.prefectures()) {
      if (p.name_en.size() == text.size() &&
          std::equal(text.begin(), text.end(), p.name_en.begin(), [](char a, char b) {
            return std::tolower(static_cast<unsigned char>(a)) ==
                   std::tolower(static_cast<unsigned char>(b));
          })) {
        return &p;
      }
    }
  }
  return core::Fail(core::Code::kNotFound, "都道府県が見つかりません: " + std::string(text),
                    "no such prefecture: " + std::string(text), "--prefecture");
}

core::Result<Places> Places::Build(const geo::Registry& registry,
                                   const geo::Prefecture& prefecture, bool cp932_only) {
  Places places;
  places.prefecture_ = &prefecture;
  ASSIGN_OR_RETURN(places.towns_, LoadTowns());
  std::vector<double> weights;
  for (const geo::Municipality* m : registry.InPrefecture(prefecture.code)) {
    if (m->is_designated_city || m->valid_to.has_value()) continue;
    if (cp932_only && !io::EncodeCp932(m->full_name).has_value()) continue;
    Place place;
    place.municipality = m;
    // Each municipality keeps the same towns in every run: drawn from a
    // stream named by its code, not by the seed.
    Rng rng(StreamSeed(0, 0x746f776e /* "town" */,
                       static_cast<uint64_t>(std::stoll(m->code6))));
    while (place.towns.size() < kTownsPerPlace) {
      const auto town = static_cast<uint16_t>(rng.Below(places.towns_.size()));
      if (std::find(place.towns.begin(), place.towns.end(), town) == place.towns.end()) {
        place.towns.push_back(town);
      }
      if (place.towns.size() == places.towns_.size()) break;
    }
    weights.push_back(SizeProxy(*m));
    places.places_.push_back(std::move(place));
  }
  if (places.places_.empty()) {
    return core::Fail(core::Code::kNotFound, "この都道府県に市区町村がありません",
                      "the prefecture has no municipalities", prefecture.name);
  }
  places.table_ = AliasTable(weights);
  return places;
}

Address Places::SampleAddress(Rng& rng) const {
  Address address;
  address.place = &Sample(rng);
  address.town = address.place->towns[rng.Below(address.place->towns.size())];
  if (towns_[address.town].has_chome) {
    address.chome = rng.Between(1, 6);
    address.ban = rng.Between(1, 30);
    address.go = rng.Between(1, 20);
  } else {
    address.chome = 0;
    address.ban = rng.Between(1, 2500);
    address.go = rng.Chance(0.5) ? rng.Between(1, 9) : 0;
  }
  if (rng.Chance(0.35)) {
    address.building = static_cast<int>(rng.Below(kBuildings.size()));
    address.room = rng.Between(1, 8) * 100 + rng.Between(1, 12);
  }
  return address;
}

void Places::AppendAddress(const Address& address, AddressStyle style, std::string& out) const {
  const geo::Municipality& m = *address.place->municipality;
  const TownName& town = towns_[address.town];
  if (style == AddressStyle::kFull || style == AddressStyle::kHyphen ||
      style == AddressStyle::kKanjiChome) {
    out.append(prefecture_->name);
  }
  out.append(m.full_name);
  out.append(town.name);
  const bool full_width = style == AddressStyle::kFullWidth;
  const bool hyphen = style == AddressStyle::kHyphen || style == AddressStyle::kHyphenShort;
  std::string digits;  // numbers are built here first when they go full-width
  std::string& target = full_width ? digits : out;
  if (address.chome == 0) {
    AppendInt(address.ban, target);
    if (address.go > 0) target.push_back('-'), AppendInt(address.go, target);
    if (!hyphen && address.go == 0) target.append("番地");
  } else if (hyphen) {
    AppendInt(address.chome, target), target.push_back('-');
    AppendInt(address.ban, target), target.push_back('-'), AppendInt(address.go, target);
  } else {
    if (style == AddressStyle::kKanjiChome) {
      AppendKanjiNumber(address.chome, target);
    } else {
      AppendInt(address.chome, target);
    }
    target.append("丁目"), AppendInt(address.ban, target), target.append("番");
    AppendInt(address.go, target), target.append("号");
  }
  if (address.building >= 0) {
    const std::string_view building = kBuildings[static_cast<size_t>(address.building)];
    if (building == "荘") {
      target.append(" "), target.append(town.name.substr(0, town.name.find("町"))), target.append("荘");
    } else {
      target.append(" "), target.append(building), target.append(town.name);
    }
    target.push_back(' '), AppendInt(address.room, target);
    if (!hyphen) target.append("号室");
  }
  if (full_width) AppendFullWidth(digits, out);
}

}  // namespace ichigen::synth
