#include "api/metrics.h"

#include <sstream>

namespace ichigen::api {

namespace {

std::string Label(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

}  // namespace

void Metrics::ObserveRequest(const std::string& method, const std::string& route, int status,
                             double seconds) {
  std::lock_guard lock(mu_);
  ++requests_[{method, route, status}];
  Histogram& h = latency_[{method, route}];
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) ++h.counts[i];
  }
  ++h.count;
  h.sum += seconds;
}

void Metrics::AddImport(int64_t rows, bool ok) {
  std::lock_guard lock(mu_);
  import_rows_ += rows;
  ++(ok ? import_ok_ : import_failed_);
}

std::string Metrics::Render(const std::vector<Gauge>& gauges) const {
  std::ostringstream out;
  std::lock_guard lock(mu_);
  out << "# HELP ichigen_http_requests_total HTTP requests by route and status.\n"
      << "# TYPE ichigen_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    const auto& [method, route, status] = key;
    out << "ichigen_http_requests_total{method=\"" << method << "\",route=\"" << Label(route)
        << "\",status=\"" << status << "\"} " << count << "\n";
  }
  out << "# HELP ichigen_http_request_duration_seconds Request latency by route.\n"
      << "# TYPE ichigen_http_request_duration_seconds histogram\n";
  for (const auto& [key, h] : latency_) {
    const std::string labels =
        "method=\"" + key.first + "\",route=\"" + Label(key.second) + "\"";
    for (size_t i = 0; i < kBuckets.size(); ++i) {
      out << "ichigen_http_request_duration_seconds_bucket{" << labels << ",le=\"" << kBuckets[i]
          << "\"} " << h.counts[i] << "\n";
    }
    out << "ichigen_http_request_duration_seconds_bucket{" << labels << ",le=\"+Inf\"} "
        << h.count << "\n"
        << "ichigen_http_request_duration_seconds_sum{" << labels << "} " << h.sum << "\n"
        << "ichigen_http_request_duration_seconds_count{" << labels << "} " << h.count << "\n";
  }
  out << "# HELP ichigen_import_rows_total Rows imported (uploads and inbox).\n"
      << "# TYPE ichigen_import_rows_total counter\n"
      << "ichigen_import_rows_total " << import_rows_ << "\n"
      << "# HELP ichigen_import_batches_total Import jobs by result.\n"
      << "# TYPE ichigen_import_batches_total counter\n"
      << "ichigen_import_batches_total{result=\"ok\"} " << import_ok_ << "\n"
      << "ichigen_import_batches_total{result=\"failed\"} " << import_failed_ << "\n";
  for (const Gauge& gauge : gauges) {
    out << "# HELP " << gauge.name << " " << gauge.help << "\n"
        << "# TYPE " << gauge.name << " gauge\n"
        << gauge.name << " " << gauge.value << "\n";
  }
  return out.str();
}

}  // namespace ichigen::api
