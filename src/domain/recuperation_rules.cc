#include "domain/recuperation_rules.h"

#include <algorithm>
#include <charconv>
#include <string>
#include <utility>

#include "core/resources.h"

namespace ichigen::domain {
namespace {

std::string_view TrimAscii(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string_view> SplitComma(std::string_view line, size_t max_fields) {
  std::vector<std::string_view> out;
  while (out.size() + 1 < max_fields) {
    const size_t comma = line.find(',');
    if (comma == std::string_view::npos) break;
    out.push_back(TrimAscii(line.substr(0, comma)));
    line.remove_prefix(comma + 1);
  }
  out.push_back(TrimAscii(line));
  return out;
}

std::string Where(std::string_view source, int line) {
  return std::string(source) + ":" + std::to_string(line);
}

core::Result<DayZeroBasis> ParseBasis(std::string_view s) {
  if (s == "onset" || s == "発症日") return DayZeroBasis::kOnset;
  if (s == "diagnosis" || s == "診断日") return DayZeroBasis::kDiagnosis;
  return core::Fail(core::Code::kInvalidArgument,
                    "basis は onset か diagnosis です: 「" + std::string(s) + "」",
                    "basis must be onset or diagnosis: '" + std::string(s) + "'");
}

core::Result<SymptomMatch> ParseSymptomMatch(std::string_view s) {
  if (s == "yes" || s == "有症状") return SymptomMatch::kSymptomatic;
  if (s == "no" || s == "無症状") return SymptomMatch::kAsymptomatic;
  if (s == "any" || s == "全て" || s == "すべて") return SymptomMatch::kAny;
  return core::Fail(
      core::Code::kInvalidArgument,
      "symptomatic は yes, no, any のいずれかです: 「" + std::string(s) + "」",
      "symptomatic must be yes, no or any: '" + std::string(s) + "'");
}

bool SymptomMatches(SymptomMatch rule, std::optional<bool> symptomatic) {
  if (rule == SymptomMatch::kAny) return true;
  // Unknown symptoms are presumed symptomatic (see the header).
  const bool sym = symptomatic.value_or(true);
  return sym == (rule == SymptomMatch::kSymptomatic);
}

}  // namespace

core::Result<RecuperationRules> RecuperationRules::Parse(std::string_view csv,
                                                         std::string_view source) {
  if (csv.starts_with("\xEF\xBB\xBF")) csv.remove_prefix(3);
  RecuperationRules out;
  bool header_seen = false;
  int line_no = 0;
  while (!csv.empty()) {
    ++line_no;
    const size_t nl = csv.find('\n');
    std::string_view line = csv.substr(0, nl);
    csv.remove_prefix(nl == std::string_view::npos ? csv.size() : nl + 1);
    line = TrimAscii(line);
    if (line.empty() || line.front() == '#') continue;
    const std::vector<std::string_view> f = SplitComma(line, 5);
    if (!header_seen) {
      if (f.size() < 4 || f[0] != "valid_from" || f[1] != "basis" ||
          f[2] != "symptomatic" || f[3] != "days" ||
          (f.size() == 5 && f[4] != "note")) {
        return core::Fail(core::Code::kInvalidArgument,
                          "見出し行は valid_from,basis,symptomatic,days[,note] です",
                          "the header must be valid_from,basis,symptomatic,days[,note]",
                          Where(source, line_no));
      }
      header_seen = true;
      continue;
    }
    if (f.size() < 4) {
      return core::Fail(core::Code::kInvalidArgument,
                        "列が足りません (4列以上必要、" + std::to_string(f.size()) + "列)",
                        "too few columns (need 4, got " + std::to_string(f.size()) + ")",
                        Where(source, line_no));
    }
    RecuperationRule rule;
    rule.line = line_no;
    const std::optional<core::Date> from = core::Date::ParseIso(f[0]);
    if (!from) {
      return core::Fail(core::Code::kInvalidArgument,
                        "valid_from が日付 (YYYY-MM-DD) ではありません: 「" +
                            std::string(f[0]) + "」",
                        "valid_from is not a YYYY-MM-DD date: '" + std::string(f[0]) + "'",
                        Where(source, line_no));
    }
    rule.valid_from = *from;
    auto basis = ParseBasis(f[1]);
    if (!basis) return std::unexpected(std::move(basis).error().WithContext(Where(source, line_no)));
    rule.basis = *basis;
    auto sym = ParseSymptomMatch(f[2]);
    if (!sym) return std::unexpected(std::move(sym).error().WithContext(Where(source, line_no)));
    rule.symptomatic = *sym;
    int32_t days = -1;
    const auto [ptr, ec] = std::from_chars(f[3].data(), f[3].data() + f[3].size(), days);
    if (ec != std::errc() || ptr != f[3].data() + f[3].size() || f[3].empty() ||
        days < 0 || days > kMaxDays) {
      return core::Fail(core::Code::kInvalidArgument,
                        "days は0から" + std::to_string(kMaxDays) + "までの整数です: 「" +
                            std::string(f[3]) + "」",
                        "days must be an integer from 0 to " + std::to_string(kMaxDays) +
                            ": '" + std::string(f[3]) + "'",
                        Where(source, line_no));
    }
    rule.days = days;
    if (f.size() == 5) rule.note = std::string(f[4]);
    for (const RecuperationRule& prev : out.rules_) {
      if (prev.valid_from == rule.valid_from && prev.basis == rule.basis &&
          prev.symptomatic == rule.symptomatic) {
        return core::Fail(core::Code::kInvalidArgument,
                          "同じ valid_from, basis, symptomatic の行が " +
                              std::to_string(prev.line) + " 行目にもあります",
                          "the same valid_from, basis and symptomatic are on line " +
                              std::to_string(prev.line) + " too",
                          Where(source, line_no));
      }
    }
    out.rules_.push_back(std::move(rule));
  }
  if (!header_seen) {
    return core::Fail(core::Code::kInvalidArgument, "見出し行がありません",
                      "the header row is missing", std::string(source));
  }
  if (out.rules_.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "規則が1行もありません",
                      "the table has no rules", std::string(source));
  }
  out.lookup_order_.resize(out.rules_.size());
  for (uint32_t i = 0; i < out.rules_.size(); ++i) out.lookup_order_[i] = i;
  const auto& rules = out.rules_;
  std::sort(out.lookup_order_.begin(), out.lookup_order_.end(),
            [&rules](uint32_t a, uint32_t b) {
              if (rules[a].valid_from != rules[b].valid_from)
                return rules[a].valid_from > rules[b].valid_from;
              const bool a_any = rules[a].symptomatic == SymptomMatch::kAny;
              const bool b_any = rules[b].symptomatic == SymptomMatch::kAny;
              if (a_any != b_any) return !a_any;
              return a < b;
            });
  return out;
}

core::Result<RecuperationRules> RecuperationRules::LoadDefault() {
  ASSIGN_OR_RETURN(const std::string text, core::LoadDataFile(kDataFile));
  return Parse(text, kDataFile);
}

const RecuperationRule* RecuperationRules::Find(core::Date day_zero, DayZeroBasis basis,
                                                std::optional<bool> symptomatic) const {
  for (const uint32_t i : lookup_order_) {
    const RecuperationRule& r = rules_[i];
    if (r.valid_from <= day_zero && r.basis == basis &&
        SymptomMatches(r.symptomatic, symptomatic)) {
      return &r;
    }
  }
  return nullptr;
}

std::optional<RecuperationPeriod> RecuperationRules::PeriodFor(
    core::Date day_zero, DayZeroBasis basis, std::optional<bool> symptomatic,
    core::Date home_started_on) const {
  const RecuperationRule* rule = Find(day_zero, basis, symptomatic);
  if (rule == nullptr) return std::nullopt;
  RecuperationPeriod p;
  p.day_zero = day_zero;
  p.last_day = day_zero.AddDays(rule->days);
  // Never released before the day after home recuperation began.
  p.release_on = std::max(p.last_day.AddDays(1), home_started_on.AddDays(1));
  p.last_day = p.release_on.AddDays(-1);
  p.rule_line = rule->line;
  return p;
}

}  // namespace ichigen::domain
