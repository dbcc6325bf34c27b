// Formats: a Package as the files a municipality downloads, and the
// manifest that lists them.
//
// Every format shows the same rows and columns: 整理番号 (ref), 区分 (新規,
// 変更, 継続, 終了), 内容 (the changed fields' labels for 変更, the reason for
// 終了), then the agreed columns. A 終了 row fills only the first three. Only
// Package::columns are ever written, so nothing outside the agreement can
// reach a file.
//  - CSV: CP932 (default; characters CP932 cannot hold become 〓 and are
//    counted in the manifest) or UTF-8 with BOM, CRLF, formula-injection
//    guard (io::CsvWriter); dates yyyy/mm/dd.
//  - XLSX: one sheet 自宅療養者一覧, header row frozen with a filter, column
//    widths fitted to the content (East Asian characters count double),
//    dates as date cells formatted yyyy/mm/dd, age as a number. The document
//    properties carry the cutoff as the creation time, never the clock, so
//    the same package gives the same bytes.
//  - JSON: UTF-8, keys in a fixed order, one row object per row.
//  - Manifest: id, municipality code and name, cutoff, agreement version,
//    fields, counts by change and by reason, and each file's name, size and
//    SHA-256.
// File names: <code6>_<YYYYMMDDThhmm>_package.{csv,xlsx,json} and
// <code6>_<YYYYMMDDThhmm>_manifest.json.
//
// Thread-safety: pure functions; WritePackageFiles touches only its own
// files, so packages may be written in parallel into one directory.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "distribution/package.h"
#include "io/encoding.h"

namespace ichigen::distribution {

inline constexpr std::string_view kSheetName = "自宅療養者一覧";

// Approximate display width in Excel's character units: East Asian wide and
// full-width characters count 2, others 1.
int DisplayWidth(std::string_view utf8);

// The header labels, in file column order.
std::vector<std::string> HeaderLabels(const Package& package);

struct CsvBytes {
  std::string bytes;
  int64_t substituted_characters = 0;  // 〓 written for CP932
};
core::Result<CsvBytes> RenderCsv(const Package& package, io::Encoding encoding);

std::string RenderJson(const Package& package);

// Writes the XLSX to `path` (replaced when it exists).
core::Status WriteXlsx(const Package& package, const std::string& path);

struct PackageFile {
  std::string name;      // file name, no directory
  std::string format;    // "csv", "xlsx", "json"
  std::string encoding;  // "cp932", "utf-8-bom", "utf-8"; empty for xlsx
  int64_t bytes = 0;
  std::string sha256;    // lower-case hex
};

// "141003_20220801T0900": the stem of every file of the package.
std::string FileStem(const Package& package);

std::string RenderManifest(const Package& package, std::span<const PackageFile> files,
                           int64_t csv_substituted_characters);

struct WrittenPackage {
  std::vector<PackageFile> files;  // csv, xlsx, json
  std::string manifest_name;
  std::string manifest_sha256;     // the package's checksum
};

struct WriteOptions {
  io::Encoding csv_encoding = io::Encoding::kCp932;  // or kUtf8Bom
};

// Writes the three formats and the manifest into `dir` (which must exist).
// Each file is written under a temporary name and renamed, so a reader never
// sees a partial file.
core::Result<WrittenPackage> WritePackageFiles(const Package& package, const std::string& dir,
                                               const WriteOptions& options = {});

}  // namespace ichigen::distribution
