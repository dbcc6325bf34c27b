// Places: where synthetic patients live — the real municipalities and
// designated-city wards of one prefecture (geo::Registry), each with a
// handful of town names (町名) from data/synth/town_names.tsv, and the ways
// an address is written ("神奈川県横浜市中区本町3丁目4番5号", without the
// prefecture, "本町3-4-5", full-width digits, kanji 丁目). There is no
// population table in the reference data, so residents are weighted by a
// proxy of municipality size: a ward 5, a city (市) 4, a town (町) 1, a
// village (村) 0.3; a designated city itself is not drawn (its wards are).
// Thread-safety: immutable after Build; const methods are safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "geo/registry.h"
#include "synth/random.h"

namespace ichigen::synth {

struct TownName {
  std::string name;
  bool has_chome = true;  // N丁目N番N号; else 大字 style with 番地
};

struct Place {
  const geo::Municipality* municipality = nullptr;
  std::vector<uint16_t> towns;  // indices into Places::towns()
};

// One household's address, as numbers; written by AppendAddress.
struct Address {
  const Place* place = nullptr;
  uint16_t town = 0;
  int chome = 1;
  int ban = 1;
  int go = 1;
  int building = -1;  // index into the building name list, -1 = house
  int room = 0;
};

enum class AddressStyle {
  kFull,             // 神奈川県横浜市中区本町3丁目4番5号
  kNoPrefecture,     // 横浜市中区本町3丁目4番5号
  kHyphen,           // 神奈川県横浜市中区本町3-4-5
  kHyphenShort,      // 横浜市中区本町3-4-5
  kFullWidth,        // 横浜市中区本町３丁目４番５号
  kKanjiChome,       // 神奈川県横浜市中区本町三丁目4番5号
};
inline constexpr int kAddressStyleCount = 6;

// Accepts a JIS code (14), a 6-digit prefecture code (140007), a name
// (神奈川県, 神奈川) or an English name (Kanagawa); kNotFound otherwise.
core::Result<const geo::Prefecture*> FindPrefecture(const geo::Registry& registry,
                                                    std::string_view text);

class Places {
 public:
  // `cp932_only` skips municipalities whose names CP932 cannot hold.
  static core::Result<Places> Build(const geo::Registry& registry,
                                    const geo::Prefecture& prefecture, bool cp932_only);

  const Place& Sample(Rng& rng) const { return places_[table_.Sample(rng)]; }
  Address SampleAddress(Rng& rng) const;
  void AppendAddress(const Address& address, AddressStyle style, std::string& out) const;

  const geo::Prefecture& prefecture() const { return *prefecture_; }
  const std::vector<Place>& places() const { return places_; }
  const std::vector<TownName>& towns() const { return towns_; }

 private:
  const geo::Prefecture* prefecture_ = nullptr;
  std::vector<Place> places_;
  std::vector<TownName> towns_;
  AliasTable table_;
};

}  // namespace ichigen::synth
