// PackageService: the daily municipal packages end to end. It derives every
// patient's state at the cutoff in one pass over the store's events, picks
// the residents every agreement in force may receive, builds each
// municipality's package with the pure builder (package.h), renders the
// files (formats.h) and keeps package, snapshot and file bytes in the
// DistributionStore.
//
// Rebuilding a cutoff that was already built does not build a second
// package: Distribute returns the stored one (existing = true) and, when
// asked for an output directory, writes the stored bytes there, so what a
// municipality re-downloads is byte for byte what was built first. A fresh
// build from the same store state gives the same bytes too (package.h
// invariant 6; nothing here reads a clock except created_at, which is not
// in any file).
//
// Consent: the latest consent record of the patient (DistributionStore),
// else HER-SYS's 同意 column (consent_share true = given), else unknown;
// whether unknown may be shared is the agreement's consent_required, whose
// default comes from data/distribution/policy.json.
//
// Speed: with a store opener, the pass over every patient's events and the
// patient reads run in slices on `slices` threads, one Store per slice
// (store/parallel_events.h), and the packages are built and rendered on as
// many threads; the result is the same bytes as with one thread.
//
// Thread-safety: not thread-safe; one Distribute at a time per instance
// (the stores it uses may be shared). `store` and `distribution` are used
// from the calling thread only.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/result.h"
#include "distribution/agreement.h"
#include "distribution/cutoff.h"
#include "domain/care_status.h"
#include "domain/recuperation_rules.h"
#include "geo/registry.h"
#include "io/encoding.h"
#include "store/distribution_store.h"
#include "store/parallel_events.h"
#include "store/store.h"

namespace ichigen::distribution {

struct DistributeOptions {
  Cutoff cutoff;
  io::Encoding csv_encoding = io::Encoding::kCp932;
  std::string out_dir;               // "" = store only
  std::vector<std::string> formats;  // copied to out_dir: "csv", "xlsx", "json"; empty = all
  std::string now_utc;               // created_at of new packages (ISO-8601 UTC)
  // Events received at or before this instant are used; default the cutoff
  // itself. Later only to back-fill a package from data loaded afterwards
  // (e.g. a store imported after the fact): the daily run never sets it.
  std::optional<int64_t> known_at;
};

struct DistributedPackage {
  store::PackageRecord record;
  std::vector<store::PackageFileBlob> files;  // without bytes
  bool existing = false;                      // already built for this cutoff
};

struct DistributeReport {
  std::string cutoff;
  std::vector<DistributedPackage> packages;  // by municipality code
  int64_t patients_scanned = 0;
  int64_t residents = 0;       // 自宅療養中 (and 調整中 when any agreement shares it)
  int64_t departures = 0;
  // Residents whose residence is no known municipality (the address could
  // not be placed, e.g. its postal code contradicts it): no municipality
  // receives them; the prefecture has to follow them up itself.
  int64_t residents_without_residence = 0;
  double derive_seconds = 0;   // the pass over events, and patient reads
  double build_seconds = 0;    // building and rendering every package
  double store_seconds = 0;    // writing packages into the store
};

class PackageService {
 public:
  // Without an opener (or with slices <= 1) everything runs on `store` on
  // the calling thread.
  PackageService(store::Store& store, store::DistributionStore& distribution,
                 const geo::Registry& registry, const domain::RecuperationRules& rules,
                 store::StoreOpener open = {}, int slices = 1);

  // Every municipality's package at the cutoff (see above). kNotFound when
  // no agreement is in force; kFailedPrecondition when the agreements in
  // force conflict.
  core::Result<DistributeReport> Distribute(const DistributeOptions& options);

  // The agreements in force at a cutoff, by municipality code.
  core::Result<std::vector<Agreement>> AgreementsInForce(const Cutoff& cutoff);

 private:
  // A patient's state as the pass over events leaves it, before the patient
  // record is read.
  struct Candidate {
    int64_t patient_id = 0;
    domain::PatientState state;
    bool resident = false;  // else a departure of a previous member
  };
  // The patient records of the candidates (ascending ids), in id order.
  core::Result<std::vector<store::PatientRecord>> ReadPatients(std::span<const Candidate> candidates);

  store::Store& store_;
  store::DistributionStore& distribution_;
  const geo::Registry& registry_;
  const domain::RecuperationRules& rules_;
  store::StoreOpener open_;
  int slices_ = 1;
};

// Writes the files to `dir` (created when missing), keeping only `formats`
// (empty = all) and the manifest.
core::Status WriteFilesTo(const std::vector<store::PackageFileBlob>& files,
                          const std::vector<std::string>& formats, const std::string& dir);

}  // namespace ichigen::distribution
