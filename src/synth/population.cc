#include "synth/population.h"

#include <algorithm>
#include <array>
#include <span>

namespace ichigen::synth {
namespace {

// Stream names: each aspect of a patient draws from its own stream, so
// adding a field later does not reshuffle the others.
constexpr uint64_t kJoinStream = 1;
constexpr uint64_t kHomeStream = 2;
constexpr uint64_t kPersonStream = 3;

constexpr double kJoinPrevious = 0.15;  // share of patients in the previous one's household
constexpr int kMaxHousehold = 4;

// Rough shape of Japan's COVID-19 cases by age (2022): many 20s–50s.
constexpr std::array<double, 10> kAgeBandWeights = {11, 14, 17, 15, 15, 11, 7, 5, 3.5, 1.5};

constexpr std::array<std::string_view, 12> kAdultOccupations = {
    "会社員", "会社員", "会社員", "公務員", "自営業", "医療従事者", "介護職員",
    "保育士", "教員", "飲食店従業員", "アルバイト", "無職"};
constexpr std::array<std::string_view, 4> kElderOccupations = {"無職", "無職", "自営業", "パート"};
constexpr std::array<std::string_view, 6> kFacilitySuffixes = {
    "クリニック", "内科医院", "内科クリニック", "こどもクリニック", "診療所", "総合病院"};

// Area codes by prefecture for fixed lines (a few big ones; others get a
// plausible 3-digit code derived from the prefecture code).
std::span<const std::string_view> AreaCodes(int prefecture) {
  static constexpr std::string_view k1[] = {"011", "0138", "0166"};
  static constexpr std::string_view k11[] = {"048", "049", "04"};
  static constexpr std::string_view k12[] = {"043", "047", "04"};
  static constexpr std::string_view k13[] = {"03", "042"};
  static constexpr std::string_view k14[] = {"045", "044", "046", "0463", "0465"};
  static constexpr std::string_view k23[] = {"052", "0566", "0532"};
  static constexpr std::string_view k26[] = {"075"};
  static constexpr std::string_view k27[] = {"06", "072"};
  static constexpr std::string_view k28[] = {"078", "079"};
  static constexpr std::string_view k40[] = {"092", "093"};
  switch (prefecture) {
    case 1: return k1;
    case 11: return k11;
    case 12: return k12;
    case 13: return k13;
    case 14: return k14;
    case 23: return k23;
    case 26: return k26;
    case 27: return k27;
    case 28: return k28;
    case 40: return k40;
    default: return {};
  }
}

}  // namespace

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kAsymptomatic: return "無症状";
    case Severity::kMild: return "軽症";
    case Severity::kModerate: return "中等症";
    case Severity::kSevere: return "重症";
  }
  return "";
}

std::string_view CareStatusName(CareStatus status) {
  switch (status) {
    case CareStatus::kAdjusting: return "入院・療養等調整中";
    case CareStatus::kHospitalized: return "入院中";
    case CareStatus::kLodging: return "宿泊療養中";
    case CareStatus::kHome: return "自宅療養中";
  }
  return "";
}

Population::Population(const NameBank& names, const Places& places, const CaseCurve& curve,
                       uint64_t seed, int64_t patients, int64_t id_start)
    : names_(names), places_(places), curve_(curve), seed_(seed),
      patients_(patients), id_start_(id_start) {}

int64_t Population::HouseholdOf(int64_t index) const {
  int64_t root = index;
  for (int depth = 1; root > 0 && depth < kMaxHousehold; ++depth) {
    Rng join(StreamSeed(seed_, kJoinStream, static_cast<uint64_t>(root)));
    if (!join.Chance(kJoinPrevious)) break;
    --root;
  }
  return root;
}

PhoneNumber Population::MobileNumber(Rng& rng) {
  PhoneNumber phone;
  const double r = rng.Unit();
  phone.digits = r < 0.5 ? "090" : r < 0.9 ? "080" : "070";
  phone.digits.push_back(static_cast<char>('1' + rng.Below(9)));
  AppendPadded(static_cast<int64_t>(rng.Below(10'000'000)), 7, phone.digits);
  phone.area_length = 3;
  return phone;
}

PhoneNumber Population::FixedNumber(Rng& rng) const {
  const std::span<const std::string_view> codes = AreaCodes(places_.prefecture().code);
  PhoneNumber phone;
  if (codes.empty()) {
    phone.digits = "0";
    AppendInt(20 + places_.prefecture().code, phone.digits);  // 3-digit pseudo area code
  } else {
    phone.digits = codes[rng.Below(codes.size())];
  }
  phone.area_length = static_cast<int>(phone.digits.size());
  phone.digits.push_back(static_cast<char>('2' + rng.Below(8)));
  const int rest = 10 - static_cast<int>(phone.digits.size());
  int64_t limit = 1;
  for (int k = 0; k < rest; ++k) limit *= 10;
  AppendPadded(static_cast<int64_t>(rng.Below(static_cast<uint64_t>(limit))), rest, phone.digits);
  return phone;
}

void Population::Make(int64_t index, Person& person) const {
  person.index = index;
  person.hersys_id = id_start_ + index;
  person.household = HouseholdOf(index);

  Rng home(StreamSeed(seed_, kHomeStream, static_cast<uint64_t>(person.household)));
  const NameEntry* family_surname = &names_.Surname(home);
  person.address = places_.SampleAddress(home);
  const bool home_has_fixed_line = home.Chance(0.45);
  const PhoneNumber home_phone = home_has_fixed_line ? FixedNumber(home) : MobileNumber(home);

  Rng rng(StreamSeed(seed_, kPersonStream, static_cast<uint64_t>(index)));
  person.surname = rng.Chance(0.92) ? family_surname : &names_.Surname(rng);
  person.sex = rng.Chance(0.5) ? Sex::kMale : Sex::kFemale;
  person.given = &names_.GivenName(person.sex, rng);

  const double u = rng.Unit();
  person.notified = curve_.Quantile((static_cast<double>(index) + u) /
                                    static_cast<double>(patients_));
  const int band = static_cast<int>(
      [&] {
        static const AliasTable kBands(kAgeBandWeights);
        return kBands.Sample(rng);
      }());
  const int target_age = band * 10 + (band == 9 ? rng.Between(0, 14) : rng.Between(0, 9));
  const core::Ymd n = person.notified.ToYmd();
  const int day = (n.month == 2 && n.day == 29) ? 28 : n.day;
  const core::Date anniversary =
      core::Date::FromYmd(n.year - target_age, n.month, day).value_or(person.notified);
  person.birth = anniversary.AddDays(-rng.Between(0, 364));
  person.age = core::AgeOn(person.birth, person.notified);

  const int to_diagnosis = rng.Between(0, 2);
  person.diagnosed = person.notified.AddDays(-to_diagnosis);
  const bool symptomatic = rng.Chance(0.85);
  person.onset = symptomatic ? std::optional(person.notified.AddDays(-rng.Between(to_diagnosis, 5)))
                             : std::nullopt;
  const double s = rng.Unit();
  const double severe_share = person.age >= 70 ? 0.05 : 0.01;
  if (!symptomatic) {
    person.severity = Severity::kAsymptomatic;
  } else if (s < severe_share) {
    person.severity = Severity::kSevere;
  } else if (s < severe_share * 5) {
    person.severity = Severity::kModerate;
  } else {
    person.severity = Severity::kMild;
  }
  const double c = rng.Unit();
  if (person.severity == Severity::kSevere || person.severity == Severity::kModerate) {
    person.care_status = CareStatus::kHospitalized;
  } else {
    person.care_status = c < 0.78   ? CareStatus::kHome
                         : c < 0.88 ? CareStatus::kLodging
                         : c < 0.96 ? CareStatus::kAdjusting
                                    : CareStatus::kHospitalized;
  }
  person.care_start = person.notified.AddDays(rng.Between(0, 1));

  // Adults mostly give their own mobile; children and some adults the family's.
  person.phone = (person.age >= 18 && rng.Chance(0.7)) ? MobileNumber(rng) : home_phone;

  const int a = person.age;
  if (rng.Chance(0.15)) {
    person.occupation = {};
  } else if (a < 7) {
    person.occupation = "未就学児";
  } else if (a < 13) {
    person.occupation = "小学生";
  } else if (a < 16) {
    person.occupation = "中学生";
  } else if (a < 19) {
    person.occupation = "高校生";
  } else if (a < 23 && rng.Chance(0.6)) {
    person.occupation = "大学生";
  } else if (a < 65) {
    person.occupation = kAdultOccupations[rng.Below(kAdultOccupations.size())];
  } else {
    person.occupation = kElderOccupations[rng.Below(kElderOccupations.size())];
  }
  person.facility_key = static_cast<uint32_t>(rng.Next());
  person.consent = rng.Chance(0.88);
}

void Population::AppendReportingFacility(const Person& person, std::string& out) const {
  const Place& place = *person.address.place;
  const uint32_t key = person.facility_key;
  const std::string_view suffix = kFacilitySuffixes[key % kFacilitySuffixes.size()];
  switch ((key >> 8) % 3) {
    case 0:  // named after a town: 本町クリニック
      out.append(places_.towns()[place.towns[(key >> 12) % place.towns.size()]].name);
      break;
    case 1:  // named after the municipality: 中区内科医院
      out.append(place.municipality->name);
      break;
    default:  // named after the doctor: 佐藤内科医院
      out.append(names_.surnames()[(key >> 12) % std::min<size_t>(200, names_.surnames().size())].surface);
      break;
  }
  out.append(suffix);
}

}  // namespace ichigen::synth
