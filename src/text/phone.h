// Japanese telephone numbers: a digits-only key (+81 → 0, hyphens,
// brackets, full-width digits and 内線 removed), the kind of number and
// whether its length is right for that kind. Numbers shared by many
// patients (a facility, a household) are counted by PhoneFrequency so that
// matching can weigh them down. Thread-safety: functions are pure;
// PhoneFrequency is not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

namespace ichigen::text {

enum class PhoneType { kMobile, kIp, kFixed, kTollFree, kUnknown };

std::string_view PhoneTypeName(PhoneType type);

struct NormalizedPhone {
  std::string key;          // digits only, leading 0; empty if none
  PhoneType type = PhoneType::kUnknown;
  bool valid = false;       // length and prefix fit the type
  std::string reason;       // why not valid (Japanese), empty if valid
  std::string extension;    // digits after 内線 / ext, dropped from the key
  bool leading_zero_restored = false;  // Excel had dropped the leading 0
  bool multiple = false;    // more than one number in the value; first kept
};

NormalizedPhone NormalizePhone(std::string_view raw);

// Counts how many distinct people use each phone key.
class PhoneFrequency {
 public:
  void Add(const std::string& key);
  int64_t Count(const std::string& key) const;
  // Call once per person and phone; empty keys are ignored.
  // A key used by more than `threshold` people is shared.
  bool IsShared(const std::string& key, int64_t threshold = 3) const;

 private:
  std::unordered_map<std::string, int64_t> counts_;
};

}  // namespace ichigen::text
