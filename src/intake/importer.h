// Importer: one input file becomes one batch. The file is hashed first: a
// file already imported is recognised and changes nothing. Its header row
// and profile are found, then every record after the header ends with
// exactly one outcome — accepted (new patient), merged (existing patient
// updated or unchanged), review, or rejected with a reason — and the whole
// batch is written in one store transaction, so a crash leaves no half batch.
// A file whose header cannot be recognised is refused whole, with the reason,
// and nothing is stored.
// Thread-safety: an Importer uses one Store and is used by one thread.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/date.h"
#include "core/result.h"
#include "geo/address.h"
#include "geo/registry.h"
#include "identity/model.h"
#include "intake/profile.h"
#include "io/encoding.h"
#include "store/store.h"

namespace ichigen::intake {

// Reference data the importer needs, loaded once.
struct IntakeContext {
  std::vector<Profile> profiles;
  std::unique_ptr<geo::Registry> registry;
  std::unique_ptr<geo::AddressResolver> resolver;
  identity::ModelParameters identity_model;

  static core::Result<IntakeContext> Load();
};

struct ImportProgress {
  int64_t rows = 0;
  int64_t bytes_read = 0;
  int64_t total_bytes = 0;
  double seconds = 0;
};

struct ImportOptions {
  std::string profile = "auto";
  std::string source;                 // default: the profile's source
  std::optional<io::Encoding> encoding;  // default: detect
  std::string sheet;                  // XLSX sheet; default: first
  core::Date today;                   // for the plausible-date checks
  int64_t max_file_bytes = int64_t{4} << 30;
  std::function<void(const ImportProgress&)> progress;  // called now and then
};

struct ImportReport {
  int64_t batch_id = 0;
  std::string file;
  std::string sha256;
  std::string profile;
  std::string encoding;
  std::string format;
  int64_t header_line = 0;
  int64_t rows = 0;
  int64_t accepted = 0;
  int64_t merged = 0;
  int64_t review = 0;
  int64_t rejected = 0;
  bool duplicate_file = false;
  double seconds = 0;
  std::vector<std::string> unknown_columns;
};

class Importer {
 public:
  Importer(store::Store& store, const IntakeContext& context);

  core::Result<ImportReport> ImportFile(const std::string& path, const ImportOptions& options);

 private:
  store::Store& store_;
  const IntakeContext& context_;
};

// Current UTC time as ISO-8601 (the composition root may pass another clock).
std::string NowIsoUtc();

}  // namespace ichigen::intake
