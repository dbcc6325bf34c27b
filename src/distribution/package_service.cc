#include "distribution/package_service.h"

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <iterator>
#include <thread>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <unordered_map>
#include <unordered_set>

#include <nlohmann/json.hpp>

#include "distribution/formats.h"
#include "distribution/package.h"
#include "domain/care_status.h"
#include "store/parallel_events.h"

namespace ichigen::distribution {

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

double Since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

core::Error IoError(std::string ja, std::string en, std::string context) {
  return core::Error{core::Code::kUnavailable, std::move(ja), std::move(en), std::move(context)};
}

core::Result<std::string> ReadBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::unexpected(IoError("ファイルを読めません", "cannot read file", path.string()));
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A scratch directory removed on destruction: the formats write files, and
// the store keeps their bytes.
class ScratchDir {
 public:
  static core::Result<ScratchDir> Create() {
    std::string tmpl = (fs::temp_directory_path() / "ichigen_packages_XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) {
      return std::unexpected(IoError("作業ディレクトリを作れません",
                                     "cannot create a scratch directory", tmpl));
    }
    return ScratchDir(tmpl);
  }
  ScratchDir(ScratchDir&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  ScratchDir& operator=(ScratchDir&&) = delete;
  ~ScratchDir() {
    if (!path_.empty()) {
      std::error_code ignored;
      fs::remove_all(path_, ignored);
    }
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  std::string path_;
};

Consent ConsentOf(int64_t patient_id, const std::optional<bool>& hersys,
                  const std::unordered_map<int64_t, Consent>& recorded) {
  if (auto it = recorded.find(patient_id); it != recorded.end()) return it->second;
  if (hersys.has_value() && *hersys) return Consent::kGiven;
  return Consent::kUnknown;
}

FieldValue Text(const std::string& text) {
  if (text.empty()) return std::monostate{};
  return text;
}

FieldValue DateValue(const std::optional<core::Date>& date) {
  if (!date) return std::monostate{};
  return *date;
}

ResidentRow MakeResident(const store::PatientRecord& p, const domain::PatientState& state,
                         std::string residence, Consent consent) {
  ResidentRow row;
  row.patient_id = p.id;
  row.residence_code6 = std::move(residence);
  row.status = state.status;
  row.consent = consent;
  row.notification_withdrawn = state.withdrawn;
  row.Set(Column::kName, Text(p.name));
  row.Set(Column::kNameKana, Text(p.name_kana));
  row.Set(Column::kSex, Text(p.sex));
  if (auto birth = core::Date::ParseIso(p.birth_date)) row.Set(Column::kBirthDate, *birth);
  if (p.age) row.Set(Column::kAge, int64_t{*p.age});
  row.Set(Column::kPostalCode, Text(p.postal_code));
  row.Set(Column::kAddress, Text(p.address));
  row.Set(Column::kPhone, Text(p.phone));
  if (state.status == domain::CareStatus::kHomeRecuperation) {
    row.Set(Column::kCareStart, DateValue(state.home_started_on));
    row.Set(Column::kCareEnd, DateValue(state.home_last_day));
  }
  row.Set(Column::kCareStatus, std::string(domain::CareStatusNameJa(state.status)));
  row.Set(Column::kHealthCenter, Text(p.health_center));
  return row;
}

std::string CountsJson(const Package& package) {
  nlohmann::ordered_json counts;
  for (int i = 0; i < kChangeKindCount; ++i) {
    counts[std::string(ChangeKindKey(static_cast<ChangeKind>(i)))] = package.change_counts[i];
  }
  nlohmann::ordered_json ended = nlohmann::ordered_json::object();
  for (int i = 1; i < kEndReasonCount; ++i) {
    if (package.end_counts[i] == 0) continue;
    ended[std::string(EndReasonKey(static_cast<EndReason>(i)))] = package.end_counts[i];
  }
  counts["ended_by"] = std::move(ended);
  return counts.dump();
}

// A package built and rendered, its files read back for the store.
struct Rendered {
  Package package;
  WrittenPackage written;
  std::vector<store::PackageFileBlob> blobs;  // the formats, then the manifest
  std::string manifest;
};

core::Result<Rendered> Render(const PackageInputs& inputs, const std::string& dir,
                              const WriteOptions& write_options) {
  Rendered out;
  ASSIGN_OR_RETURN(out.package, BuildPackage(inputs));
  ASSIGN_OR_RETURN(out.written, WritePackageFiles(out.package, dir, write_options));
  for (const PackageFile& f : out.written.files) {
    ASSIGN_OR_RETURN(std::string bytes, ReadBytes(fs::path(dir) / f.name));
    out.blobs.push_back({f.name, f.format, f.encoding, f.sha256, std::move(bytes)});
  }
  ASSIGN_OR_RETURN(out.manifest, ReadBytes(fs::path(dir) / out.written.manifest_name));
  out.blobs.push_back(
      {out.written.manifest_name, "manifest", "utf-8", out.written.manifest_sha256, out.manifest});
  return out;
}

// Calls work(0 .. count-1) on up to `threads` threads, each index once.
void RunOnThreads(size_t count, int threads, const std::function<void(size_t)>& work) {
  std::atomic<size_t> next{0};
  auto loop = [&] {
    for (size_t i = next++; i < count; i = next++) work(i);
  };
  const size_t extra = std::min(count, static_cast<size_t>(threads)) - (count > 0 ? 1 : 0);
  std::vector<std::jthread> pool;
  for (size_t t = 0; t < extra; ++t) pool.emplace_back(loop);
  loop();
}

}  // namespace

PackageService::PackageService(store::Store& store, store::DistributionStore& distribution,
                               const geo::Registry& registry,
                               const domain::RecuperationRules& rules, store::StoreOpener open,
                               int slices)
    : store_(store),
      distribution_(distribution),
      registry_(registry),
      rules_(rules),
      open_(std::move(open)),
      slices_(std::max(1, slices)) {}

core::Result<std::vector<store::PatientRecord>> PackageService::ReadPatients(
    std::span<const Candidate> candidates) {
  std::vector<int64_t> ids;
  ids.reserve(candidates.size());
  for (const PackageService::Candidate& c : candidates) ids.push_back(c.patient_id);
  const size_t chunks = open_ ? std::min(static_cast<size_t>(slices_), ids.size() / 1000 + 1) : 1;
  if (chunks <= 1) return store_.GetPatients(ids);
  // Consecutive chunks of the (ascending) ids, each on its own store.
  std::vector<std::unique_ptr<store::Store>> extra;
  for (size_t i = 1; i < chunks; ++i) {
    ASSIGN_OR_RETURN(std::unique_ptr<store::Store> opened, open_());
    extra.push_back(std::move(opened));
  }
  const size_t per = (ids.size() + chunks - 1) / chunks;
  std::vector<std::optional<core::Result<std::vector<store::PatientRecord>>>> parts(chunks);
  RunOnThreads(chunks, static_cast<int>(chunks), [&](size_t i) {
    const size_t begin = std::min(ids.size(), i * per);
    const size_t end = std::min(ids.size(), begin + per);
    store::Store& on = i == 0 ? store_ : *extra[i - 1];
    parts[i] = on.GetPatients(std::span<const int64_t>(ids).subspan(begin, end - begin));
  });
  std::vector<store::PatientRecord> patients;
  patients.reserve(ids.size());
  for (auto& part : parts) {
    if (!part->has_value()) return std::unexpected(std::move(part->error()));
    std::move((*part)->begin(), (*part)->end(), std::back_inserter(patients));
  }
  return patients;
}

core::Result<std::vector<Agreement>> PackageService::AgreementsInForce(const Cutoff& cutoff) {
  ASSIGN_OR_RETURN(std::vector<Agreement> all, distribution_.ListAgreements());
  std::map<std::string, std::vector<Agreement>> by_code;
  for (Agreement& a : all) by_code[a.municipality_code6].push_back(std::move(a));
  std::vector<Agreement> in_force;
  for (auto& [code, versions] : by_code) {
    ASSIGN_OR_RETURN(AgreementHistory history, AgreementHistory::Create(std::move(versions)));
    if (const Agreement* a = history.InForceAt(cutoff); a != nullptr && a->receives_data) {
      in_force.push_back(*a);
    }
  }
  return in_force;
}

core::Result<DistributeReport> PackageService::Distribute(const DistributeOptions& options) {
  const Cutoff& cutoff = options.cutoff;
  DistributeReport report;
  report.cutoff = cutoff.Iso();
  ASSIGN_OR_RETURN(std::vector<Agreement> agreements, AgreementsInForce(cutoff));
  if (agreements.empty()) {
    return core::Fail(core::Code::kNotFound, "この締切時刻に有効な覚書がありません",
                      "no agreement is in force at this cutoff", cutoff.Iso());
  }
  std::vector<const Agreement*> pointers;
  for (const Agreement& a : agreements) pointers.push_back(&a);
  RETURN_IF_ERROR(ValidateAgreementSet(pointers, registry_));

  // Packages already built for this cutoff are returned as stored.
  std::vector<const Agreement*> to_build;
  for (const Agreement& a : agreements) {
    const std::string id = a.municipality_code6 + "-" + cutoff.Compact();
    ASSIGN_OR_RETURN(std::optional<store::PackageRecord> existing, distribution_.GetPackage(id));
    if (existing) {
      ASSIGN_OR_RETURN(auto files, distribution_.PackageFiles(id, !options.out_dir.empty()));
      if (!options.out_dir.empty()) {
        RETURN_IF_ERROR(WriteFilesTo(files, options.formats, options.out_dir));
        for (auto& f : files) f.bytes.clear();
      }
      report.packages.push_back({std::move(*existing), std::move(files), true});
    } else {
      to_build.push_back(&a);
    }
  }

  if (!to_build.empty()) {
    const auto derive_start = Clock::now();
    std::vector<Snapshot> previous(to_build.size());
    std::unordered_set<int64_t> previous_members;
    for (size_t i = 0; i < to_build.size(); ++i) {
      ASSIGN_OR_RETURN(auto prev, distribution_.PreviousPackage(to_build[i]->municipality_code6,
                                                                cutoff.UnixSeconds()));
      if (!prev) continue;
      ASSIGN_OR_RETURN(previous[i], ParseSnapshot(prev->snapshot_json));
      for (const SnapshotEntry& e : previous[i].entries) previous_members.insert(e.patient_id);
    }
    const bool any_arranging = std::any_of(to_build.begin(), to_build.end(), [](const Agreement* a) {
      return a->include_arranging_at_home;
    });

    // One pass over every patient's events for all municipalities at once,
    // in slices on several threads; slice k holds lower ids than slice k+1,
    // so concatenating the slices keeps patient id order.
    const int slices = open_ ? std::max(1, slices_) : 1;
    std::vector<std::vector<PackageService::Candidate>> sliced(static_cast<size_t>(slices));
    std::vector<int64_t> scanned(static_cast<size_t>(slices), 0);
    const int64_t received_by = options.known_at.value_or(cutoff.UnixSeconds());
    RETURN_IF_ERROR(store::ForEachPatientEventsParallel(
        store_, open_, slices,
        [&](int slice, int64_t patient_id, std::span<const domain::Event> events) -> core::Status {
          ++scanned[static_cast<size_t>(slice)];
          domain::PatientState state = domain::DeriveState(events, cutoff.date, received_by, rules_);
          const bool at_home =
              !state.withdrawn && (state.status == domain::CareStatus::kHomeRecuperation ||
                                   (any_arranging && state.status == domain::CareStatus::kArranging));
          if (at_home || previous_members.contains(patient_id)) {
            state.conflicts.clear();  // not needed here; keeps the list small
            sliced[static_cast<size_t>(slice)].push_back({patient_id, std::move(state), at_home});
          }
          return core::Ok();
        }));
    std::vector<PackageService::Candidate> candidates;
    for (size_t i = 0; i < sliced.size(); ++i) {
      report.patients_scanned += scanned[i];
      std::move(sliced[i].begin(), sliced[i].end(), std::back_inserter(candidates));
    }

    ASSIGN_OR_RETURN(auto consents, distribution_.LatestConsents());
    ASSIGN_OR_RETURN(std::vector<store::PatientRecord> patients, ReadPatients(candidates));
    std::vector<ResidentRow> residents;
    std::vector<Departure> departures;
    residents.reserve(candidates.size());
    // Both lists are in id order; a candidate without a patient record (the
    // events of a deleted patient) has nothing to share.
    size_t next = 0;
    for (const PackageService::Candidate& c : candidates) {
      while (next < patients.size() && patients[next].id < c.patient_id) ++next;
      if (next == patients.size() || patients[next].id != c.patient_id) continue;
      const store::PatientRecord& patient = patients[next];
      std::string residence =
          c.state.residence_code.empty() ? patient.municipality_code : c.state.residence_code;
      const Consent consent = ConsentOf(c.patient_id, patient.consent_share, consents);
      if (c.resident) {
        if (residence.empty()) ++report.residents_without_residence;
        residents.push_back(MakeResident(patient, c.state, std::move(residence), consent));
      } else {
        departures.push_back(
            {c.patient_id, c.state.status, std::move(residence), consent, c.state.withdrawn});
      }
    }
    // Patients of a previous snapshot with no events left at all still need
    // an ending; BuildPackage gives them 対象外.
    report.residents = static_cast<int64_t>(residents.size());
    report.departures = static_cast<int64_t>(departures.size());
    ASSIGN_OR_RETURN(ResidentIndex index, ResidentIndex::Create(residents));
    ASSIGN_OR_RETURN(std::string ref_key, distribution_.RefKey());
    report.derive_seconds = Since(derive_start);

    ASSIGN_OR_RETURN(ScratchDir scratch, ScratchDir::Create());
    WriteOptions write_options;
    write_options.csv_encoding = options.csv_encoding;
    // Building and rendering are pure and touch only their own files
    // (formats.h), so packages are built on several threads; they are
    // stored afterwards in municipality order on this thread (a store is
    // used by one thread at a time).
    const auto build_start = Clock::now();
    std::vector<std::optional<core::Result<Rendered>>> rendered(to_build.size());
    RunOnThreads(to_build.size(), std::max(1, slices_), [&](size_t i) {
      PackageInputs inputs{registry_, *to_build[i], cutoff, index, previous[i], departures, ref_key};
      rendered[i] = Render(inputs, scratch.path(), write_options);
    });
    report.build_seconds = Since(build_start);
    for (size_t i = 0; i < to_build.size(); ++i) {
      if (!rendered[i]->has_value()) return std::unexpected(std::move(rendered[i]->error()));
      Rendered& built = **rendered[i];
      const Package& package = built.package;
      std::vector<store::PackageFileBlob>& blobs = built.blobs;
      std::string& manifest = built.manifest;
      const WrittenPackage& written = built.written;
      const auto store_start = Clock::now();
      store::PackageRecord record;
      record.id = package.id;
      record.municipality_code6 = package.municipality_code6;
      record.municipality_name = package.municipality_name;
      record.cutoff = cutoff.Iso();
      record.cutoff_unix = cutoff.UnixSeconds();
      record.agreement_version = package.agreement_version;
      record.rows = static_cast<int64_t>(package.rows.size());
      record.counts_json = CountsJson(package);
      record.manifest_json = std::move(manifest);
      record.manifest_sha256 = written.manifest_sha256;
      record.snapshot_json = SnapshotToJson(package.snapshot);
      record.created_at = options.now_utc;
      core::Status inserted = distribution_.InsertPackage(record, blobs);
      if (!inserted && inserted.error().code == core::Code::kAlreadyExists) {
        // Another server (same database) stored this package meanwhile: the
        // stored one stands (a package's bytes never change once built).
        ASSIGN_OR_RETURN(std::optional<store::PackageRecord> stored,
                         distribution_.GetPackage(record.id));
        if (stored) {
          ASSIGN_OR_RETURN(auto files,
                           distribution_.PackageFiles(record.id, !options.out_dir.empty()));
          if (!options.out_dir.empty()) {
            RETURN_IF_ERROR(WriteFilesTo(files, options.formats, options.out_dir));
            for (auto& f : files) f.bytes.clear();
          }
          report.packages.push_back({std::move(*stored), std::move(files), true});
          continue;
        }
      }
      RETURN_IF_ERROR(inserted);
      if (!options.out_dir.empty()) RETURN_IF_ERROR(WriteFilesTo(blobs, options.formats, options.out_dir));
      for (auto& b : blobs) b.bytes.clear();
      report.store_seconds += Since(store_start);
      report.packages.push_back({std::move(record), std::move(blobs), false});
    }
  }
  std::sort(report.packages.begin(), report.packages.end(),
            [](const DistributedPackage& a, const DistributedPackage& b) {
              return a.record.municipality_code6 < b.record.municipality_code6;
            });
  return report;
}

core::Status WriteFilesTo(const std::vector<store::PackageFileBlob>& files,
                          const std::vector<std::string>& formats, const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return core::Fail(core::Code::kInvalidArgument, "出力先ディレクトリを作れません",
                      "cannot create the output directory", dir + ": " + ec.message());
  }
  for (const store::PackageFileBlob& f : files) {
    const bool wanted = f.format == "manifest" || formats.empty() ||
                        std::find(formats.begin(), formats.end(), f.format) != formats.end();
    if (!wanted) continue;
    const fs::path final_path = fs::path(dir) / f.name;
    const fs::path temp_path = fs::path(dir) / (f.name + ".part");
    {
      std::ofstream out(temp_path, std::ios::binary | std::ios::trunc);
      out.write(f.bytes.data(), static_cast<std::streamsize>(f.bytes.size()));
      if (!out) {
        return core::Fail(core::Code::kUnavailable, "ファイルを書けません", "cannot write file",
                          temp_path.string());
      }
    }
    fs::rename(temp_path, final_path, ec);
    if (ec) {
      return core::Fail(core::Code::kUnavailable, "ファイルを書けません", "cannot write file",
                        final_path.string() + ": " + ec.message());
    }
  }
  return core::Ok();
}

}  // namespace ichigen::distribution
