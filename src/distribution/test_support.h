// Builders for distribution tests: the registry, Kanagawa codes, residents
// with every column filled, and agreements from a field list, so a test
// reads like the situation it describes. Test-only; not part of
// ichigen_distribution. Thread-safety: the registry is immutable after the
// first call; the builders are pure.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/date.h"
#include "distribution/agreement.h"
#include "distribution/package.h"
#include "geo/registry.h"

namespace ichigen::distribution::testing {

inline constexpr std::string_view kRefKey = "test-ref-key";

inline const geo::Registry& TestRegistry() {
  // Loaded once per test binary: immutable, and loading takes a while.
  static const std::unique_ptr<geo::Registry> registry = [] {
    auto loaded = geo::Registry::Load();
    if (!loaded.has_value()) {
      ADD_FAILURE() << loaded.error().ToString();
      std::abort();
    }
    return std::move(*loaded);
  }();
  return *registry;
}

inline core::Date D(std::string_view iso) { return *core::Date::ParseIso(iso); }
inline std::string Code(std::string_view code5) { return geo::WithCheckDigit(code5); }
inline Cutoff At(std::string_view iso, int hour = 9) { return Cutoff{D(iso), hour * 60}; }

// Kanagawa: designated cities and their first wards, and two plain cities.
inline const std::string kYokohama = Code("14100");
inline const std::string kYokohamaTsurumi = Code("14101");
inline const std::string kYokohamaNaka = Code("14104");
inline const std::string kKawasaki = Code("14130");
inline const std::string kKawasakiKawasaki = Code("14131");
inline const std::string kKawasakiSaiwai = Code("14132");
inline const std::string kKamakura = Code("14204");
inline const std::string kFujisawa = Code("14205");

// A home-recuperating resident with consent and every column filled with
// values that name the patient, so a leak of any column is easy to spot.
inline ResidentRow Resident(int64_t id, std::string residence_code6,
                            std::string name = "神奈川 太郎") {
  ResidentRow row;
  row.patient_id = id;
  row.residence_code6 = std::move(residence_code6);
  row.status = domain::CareStatus::kHomeRecuperation;
  row.consent = Consent::kGiven;
  const std::string n = std::to_string(id);
  row.Set(Column::kName, std::move(name));
  row.Set(Column::kNameKana, "カナガワ タロウ" + n);
  row.Set(Column::kSex, std::string("男"));
  row.Set(Column::kBirthDate, D("1961-04-0" + std::to_string(1 + id % 9)));
  row.Set(Column::kAge, int64_t{61});
  row.Set(Column::kPostalCode, "231-00" + std::to_string(10 + id % 90));
  row.Set(Column::kAddress, "神奈川県横浜市中区日本大通" + n);
  row.Set(Column::kPhone, "045-000-" + std::to_string(1000 + id % 9000));
  row.Set(Column::kCareStart, D("2022-08-01"));
  row.Set(Column::kCareEnd, D("2022-08-07"));
  row.Set(Column::kCareStatus, std::string("自宅療養中"));
  row.Set(Column::kHealthCenter, std::string("横浜市保健所"));
  row.Set(Column::kHealthCenterFindings, "所見" + n);
  row.Set(Column::kNotes, "備考" + n);
  return row;
}

inline Agreement MakeAgreement(const std::string& code6, std::string_view fields,
                               bool roll_up = false) {
  Agreement agreement;
  agreement.municipality_code6 = code6;
  agreement.version = 1;
  agreement.valid_from = D("2022-04-01");
  agreement.purposes = "食料品・日用品の支援";
  auto parsed = ParseFieldList(fields);
  EXPECT_TRUE(parsed.has_value()) << fields;
  if (parsed.has_value()) agreement.fields = *parsed;
  agreement.roll_up_to_city = roll_up;
  return agreement;
}

// BuildPackage with the test registry and key; fails the test on error.
inline Package Build(const Agreement& agreement, const Cutoff& cutoff,
                     std::span<const ResidentRow> residents, const Snapshot& previous = {},
                     std::span<const Departure> departures = {}) {
  auto index = ResidentIndex::Create(residents);
  EXPECT_TRUE(index.has_value()) << index.error().ToString();
  if (!index.has_value()) return Package{};
  auto package = BuildPackage(PackageInputs{.registry = TestRegistry(),
                                            .agreement = agreement,
                                            .cutoff = cutoff,
                                            .residents = *index,
                                            .previous = previous,
                                            .departures = departures,
                                            .ref_key = kRefKey});
  EXPECT_TRUE(package.has_value()) << package.error().ToString();
  return package.has_value() ? std::move(*package) : Package{};
}

// The row of a patient, or nullptr.
inline const PackageRow* RowOf(const Package& package, int64_t patient_id) {
  for (const PackageRow& row : package.rows) {
    if (row.patient_id == patient_id) return &row;
  }
  return nullptr;
}

}  // namespace ichigen::distribution::testing
