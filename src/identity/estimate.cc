// EstimateParameters (model.h): EM for the Fellegi–Sunter model, and
// EstimateUFromRandomPairs.
#include <algorithm>
#include <array>
#include <cmath>
#include <unordered_map>

#include "identity/model.h"
#include "identity/noise.h"

namespace ichigen::identity {
namespace {

struct Pattern {
  ComparisonVector v;
  double count = 0;
};

bool Missing(Field f, uint8_t level) {
  const auto& levels = DescribeField(f).levels;
  return level >= levels.size() || levels[level].missing;
}

core::Status CheckLevels(const ModelParameters& initial) {
  for (Field f : kAllFields) {
    if (initial.fields[static_cast<size_t>(f)].size() != DescribeField(f).levels.size()) {
      return core::Fail(core::Code::kInvalidArgument, "初期値の水準数が合いません",
                        "initial parameters lack levels", std::string(DescribeField(f).key));
    }
  }
  return core::Ok();
}

}  // namespace

core::Result<ModelParameters> EstimateUFromRandomPairs(std::span<const PersonKeys> people,
                                                       const ModelParameters& initial,
                                                       const RandomPairOptions& options) {
  if (people.size() < 2 || options.pairs <= 0) {
    return core::Fail(core::Code::kInvalidArgument, "無作為ペアを作れません（患者が2人未満）",
                      "cannot draw random pairs: fewer than two patients or no pairs asked");
  }
  RETURN_IF_ERROR(CheckLevels(initial));
  std::array<std::vector<double>, kFieldCount> counts;
  for (Field f : kAllFields) counts[static_cast<size_t>(f)].assign(DescribeField(f).levels.size(), 0.0);
  NoiseRng rng(options.seed);
  const uint64_t n = people.size();
  for (int64_t k = 0; k < options.pairs; ++k) {
    const uint64_t i = rng.Below(n);
    uint64_t j = rng.Below(n - 1);
    if (j >= i) ++j;  // never a patient with itself
    const ComparisonVector v = Compare(people[i], people[j], options.compare);
    for (Field f : kAllFields) counts[static_cast<size_t>(f)][v.Level(f)] += 1;
  }
  ModelParameters out = initial;
  const double a = options.pseudo_count;
  for (Field f : kAllFields) {
    const auto& c = counts[static_cast<size_t>(f)];
    double total = 0, present = 0;
    for (size_t l = 0; l < c.size(); ++l) {
      if (Missing(f, static_cast<uint8_t>(l))) continue;
      total += c[l];
      present += 1;
    }
    for (size_t l = 0; l < c.size(); ++l) {
      if (Missing(f, static_cast<uint8_t>(l))) continue;
      out.At(f, static_cast<uint8_t>(l)).u = (c[l] + a) / (total + a * present);
    }
  }
  return out;
}

core::Result<Estimate> EstimateParameters(std::span<const ComparisonVector> pairs,
                                          const ModelParameters& initial,
                                          const EstimateOptions& options) {
  if (pairs.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "推定に使う候補ペアがありません",
                      "no candidate pairs to estimate from");
  }
  RETURN_IF_ERROR(CheckLevels(initial));
  // Identical vectors are one pattern with a count: a few hundred patterns
  // stand for millions of pairs, so each iteration is cheap.
  std::unordered_map<uint32_t, size_t> index;
  std::vector<Pattern> patterns;
  for (const ComparisonVector& v : pairs) {
    auto [it, inserted] = index.try_emplace(v.Pack(), patterns.size());
    if (inserted) patterns.push_back({v, 0});
    patterns[it->second].count += 1;
  }

  Estimate est;
  est.parameters = initial;
  ModelParameters& p = est.parameters;
  std::vector<double> g(patterns.size());
  for (int iter = 1; iter <= options.max_iterations; ++iter) {
    // E step: the probability each pattern is a match.
    double ll = 0;
    for (size_t i = 0; i < patterns.size(); ++i) {
      double lm = std::log(p.match_prior);
      double lu = std::log(1.0 - p.match_prior);
      for (Field f : kAllFields) {
        const uint8_t level = patterns[i].v.Level(f);
        if (Missing(f, level)) continue;
        lm += std::log(p.At(f, level).m);
        lu += std::log(p.At(f, level).u);
      }
      const double hi = std::max(lm, lu);
      const double log_sum = hi + std::log(std::exp(lm - hi) + std::exp(lu - hi));
      g[i] = std::exp(lm - log_sum);
      ll += patterns[i].count * log_sum;
    }
    est.log_likelihood = ll;
    // M step: expected level counts in each class.
    double change = 0;
    double matches = 0, total = 0;
    for (size_t i = 0; i < patterns.size(); ++i) {
      matches += g[i] * patterns[i].count;
      total += patterns[i].count;
    }
    const double prior = std::clamp(matches / total, 1e-9, 1.0 - 1e-9);
    change = std::max(change, std::abs(prior - p.match_prior));
    p.match_prior = prior;
    for (Field f : kAllFields) {
      const size_t n = DescribeField(f).levels.size();
      std::vector<double> cm(n, 0.0), cu(n, 0.0);
      double sm = 0, su = 0;
      for (size_t i = 0; i < patterns.size(); ++i) {
        const uint8_t level = patterns[i].v.Level(f);
        if (Missing(f, level)) continue;
        cm[level] += g[i] * patterns[i].count;
        cu[level] += (1.0 - g[i]) * patterns[i].count;
        sm += g[i] * patterns[i].count;
        su += (1.0 - g[i]) * patterns[i].count;
      }
      size_t present = 0;
      for (size_t l = 0; l < n; ++l) present += Missing(f, static_cast<uint8_t>(l)) ? 0 : 1;
      const double a = options.pseudo_count;
      for (size_t l = 0; l < n; ++l) {
        if (Missing(f, static_cast<uint8_t>(l))) continue;
        LevelProbabilities& lp = p.At(f, static_cast<uint8_t>(l));
        const double m = (cm[l] + a) / (sm + a * static_cast<double>(present));
        const double u = (cu[l] + a) / (su + a * static_cast<double>(present));
        change = std::max(change, std::abs(m - lp.m));
        lp.m = m;
        if (!options.fix_u) {
          change = std::max(change, std::abs(u - lp.u));
          lp.u = u;
        }
      }
    }
    est.iterations = iter;
    if (change < options.tolerance) {
      est.converged = true;
      break;
    }
  }
  return est;
}

}  // namespace ichigen::identity
