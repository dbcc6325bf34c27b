// Metrics: counters and latency histograms for /metrics in the Prometheus
// text format: requests by route, method and status; request latency by
// route; import rows and batches. Gauges that live elsewhere (review queue
// size, audit entries) are passed to Render by the caller.
// Thread-safety: thread-safe; mu_ guards every map.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

namespace ichigen::api {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                      0.1,   0.25,   0.5,   1.0,  2.5,   10.0};

  void ObserveRequest(const std::string& method, const std::string& route, int status,
                      double seconds);
  void AddImport(int64_t rows, bool ok);

  struct Gauge {
    std::string name;
    std::string help;
    double value = 0;
  };
  std::string Render(const std::vector<Gauge>& gauges) const;

 private:
  struct Histogram {
    std::array<uint64_t, kBuckets.size()> counts{};
    uint64_t count = 0;
    double sum = 0;
  };
  mutable std::mutex mu_;
  std::map<std::tuple<std::string, std::string, int>, uint64_t> requests_;  // guarded by mu_
  std::map<std::pair<std::string, std::string>, Histogram> latency_;       // guarded by mu_
  int64_t import_rows_ = 0;                                                // guarded by mu_
  int64_t import_ok_ = 0;                                                  // guarded by mu_
  int64_t import_failed_ = 0;                                              // guarded by mu_
};

}  // namespace ichigen::api
