#include "synth/identity_rows.h"

#include <algorithm>
#include <array>
#include <iterator>
#include <utility>

#include "identity/person.h"
#include "io/encoding.h"

namespace ichigen::synth {
namespace {

using identity::NoiseKind;

// As bench/identity_eval.cc: the fields sheets often lack, and the errors.
constexpr std::array<std::pair<NoiseKind, double>, 4> kMissingRates = {{
    {NoiseKind::kKanaMissing, 0.08},
    {NoiseKind::kPhoneMissing, 0.20},
    {NoiseKind::kAddressMissing, 0.15},
    {NoiseKind::kSexMissing, 0.03},
}};
constexpr std::array<NoiseKind, 10> kErrorKinds = {
    NoiseKind::kKanjiVariant, NoiseKind::kKanaVariant, NoiseKind::kNameTypo,
    NoiseKind::kKanaTypo,     NoiseKind::kNameNoSpace, NoiseKind::kBirthSwap,
    NoiseKind::kBirthDigit,   NoiseKind::kBirthEra,    NoiseKind::kPhoneFormat,
    NoiseKind::kAddressFormat};
constexpr double kNoErrorShare = 0.35, kOneErrorShare = 0.45;  // two errors: the rest
constexpr int kMaxDraws = 10;  // tries to find a kind that fits the person

// Another given name than `of`'s, in surface and reading.
const NameEntry* OtherGivenName(const NameBank& names, Sex sex, const NameEntry& of, Rng& rng) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const NameEntry& g = names.GivenName(sex, rng);
    if (g.surface != of.surface && g.reading != of.reading) return &g;
  }
  return nullptr;
}

}  // namespace

std::string_view IdentityRowKindName(IdentityRowKind kind) {
  switch (kind) {
    case IdentityRowKind::kExisting: return "existing";
    case IdentityRowKind::kTwin: return "twin";
    case IdentityRowKind::kFamily: return "family";
    case IdentityRowKind::kNamesake: return "namesake";
  }
  return "";
}

std::string IdentityFields::NoiseText() const {
  if (noise.empty()) return "none";
  std::string text;
  for (NoiseKind kind : noise) {
    if (!text.empty()) text.push_back(';');
    text.append(identity::NoiseKindName(kind));
  }
  return text;
}

Person IdentityRows::Stranger(const Person& patient, IdentityRowKind kind, Rng& rng) const {
  Person s = patient;
  const NameBank& names = population_.names();
  if (kind == IdentityRowKind::kTwin || kind == IdentityRowKind::kFamily) {
    s.sex = rng.Chance(0.5) ? Sex::kMale : Sex::kFemale;
    const NameEntry* given = OtherGivenName(names, s.sex, *patient.given, rng);
    if (given == nullptr) {  // a name bank this small cannot make one
      s.sex = patient.sex;
      given = OtherGivenName(names, s.sex, *patient.given, rng);
    }
    if (given != nullptr) s.given = given;
    if (kind == IdentityRowKind::kFamily) {
      while (s.birth == patient.birth) {
        s.birth = core::Date::FromYmd(rng.Between(1935, 2022), rng.Between(1, 12),
                                      rng.Between(1, 28)).value_or(patient.birth);
      }
    }
    return s;
  }
  // A namesake in another town: half in the same municipality.
  const Places& places = population_.places();
  const std::string& home_town = places.towns()[patient.address.town].name;
  const Place& home = *patient.address.place;
  for (int attempt = 0; attempt < 50; ++attempt) {
    Address a = places.SampleAddress(rng);
    if (rng.Chance(0.5) && home.towns.size() > 1) {
      a.place = &home;
      a.town = home.towns[rng.Below(home.towns.size())];
      if (places.towns()[a.town].has_chome != (a.chome > 0)) continue;
    }
    if (places.towns()[a.town].name == home_town) continue;
    s.address = a;
    break;
  }
  s.phone = rng.Chance(0.8) ? Population::MobileNumber(rng) : PhoneNumber{};
  return s;
}

void IdentityRows::Fill(const Person& patient, Rng& rng, IdentityFields& out) const {
  out.noise.clear();
  out.kind = IdentityRowKind::kExisting;
  if (rng.Chance(stranger_rate_)) {
    out.kind = static_cast<IdentityRowKind>(1 + rng.Below(3));
  }
  const Person p =
      out.kind == IdentityRowKind::kExisting ? patient : Stranger(patient, out.kind, rng);

  // The person in HER-SYS form, as identity/noise.h takes it.
  const geo::Municipality& municipality = *p.address.place->municipality;
  identity::RawPerson raw;
  raw.name = p.surname->surface + " " + p.given->surface;
  raw.name_kana = p.surname->reading + " " + p.given->reading;
  raw.birth_date = p.birth.ToIso();
  raw.sex = p.sex == Sex::kMale ? "男" : "女";
  if (!p.phone.digits.empty()) AppendPhone(p.phone, PhoneStyle::kHyphen, raw.phone);
  raw.municipality_code = municipality.code6;
  std::string address;
  population_.places().AppendAddress(p.address, AddressStyle::kNoPrefecture, address);
  raw.address_rest = address.substr(std::min(address.size(), municipality.full_name.size()));
  const identity::RawPerson clean = raw;

  identity::NoiseRng noise_rng(rng.Next());
  for (const auto& [kind, rate] : kMissingRates) {
    if (!noise_rng.Chance(rate)) continue;
    // A hard negative is defined by its other town or shared household:
    // with the address gone no one could decide it, so it keeps it.
    if (kind == NoiseKind::kAddressMissing && out.kind != IdentityRowKind::kExisting) continue;
    if (auto noisy = identity::ApplyNoise(kind, raw, noise_rng)) {
      raw = *std::move(noisy);
      out.noise.push_back(kind);
    }
  }
  const double e = noise_rng.Uniform();
  const int errors = e < kNoErrorShare ? 0 : e < kNoErrorShare + kOneErrorShare ? 1 : 2;
  for (int applied = 0, draws = 0; applied < errors && draws < kMaxDraws; ++draws) {
    const NoiseKind kind = kErrorKinds[noise_rng.Below(kErrorKinds.size())];
    if (std::find(out.noise.begin(), out.noise.end(), kind) != out.noise.end()) continue;
    auto noisy = identity::ApplyNoise(kind, raw, noise_rng);
    if (!noisy) continue;
    if (cp932_ && noisy->name != raw.name && !io::EncodeCp932(noisy->name).has_value()) continue;
    raw = *std::move(noisy);
    out.noise.push_back(kind);
    ++applied;
  }

  // A field the noise left alone is written in the file's usual forms.
  for (std::string* field : {&out.name, &out.kana, &out.birth, &out.sex, &out.phone, &out.address}) {
    field->clear();
  }
  if (raw.name == clean.name) {
    AppendName(p, style_, rng, out.name);
  } else {
    out.name = raw.name;
  }
  if (raw.name_kana == clean.name_kana) {
    AppendKana(p, style_, rng, out.kana);
  } else {
    out.kana = raw.name_kana;
  }
  if (raw.birth_date == clean.birth_date) {
    AppendVariedDate(p.birth, style_.birth_date, rng, out.birth);
  } else {
    out.birth = raw.birth_date;
  }
  if (!raw.sex.empty()) AppendSex(p.sex, style_, out.sex);
  if (raw.phone == clean.phone) {
    if (!p.phone.digits.empty()) AppendVariedPhone(p.phone, style_, rng, out.phone);
  } else {
    out.phone = raw.phone;
  }
  if (raw.address_rest == clean.address_rest) {
    AppendVariedAddress(population_.places(), p.address, style_, rng, out.address);
  } else if (!raw.address_rest.empty()) {
    out.address = municipality.full_name + raw.address_rest;
  }
}

}  // namespace ichigen::synth
