#include "distribution/snapshot.h"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

namespace ichigen::distribution {
namespace {

constexpr uint64_t kFnvOffset = 14695981039346656037ULL;
constexpr uint64_t kFnvPrime = 1099511628211ULL;

uint64_t Fnv(uint64_t hash, std::string_view bytes) {
  for (unsigned char c : bytes) {
    hash ^= c;
    hash *= kFnvPrime;
  }
  return hash;
}

std::string Hex16(uint64_t value) {
  char buffer[17];
  std::snprintf(buffer, sizeof buffer, "%016llx", static_cast<unsigned long long>(value));
  return buffer;
}

core::Error Damaged(std::string what) {
  return core::Error{core::Code::kDataLoss, "保存された配布スナップショットが壊れています: " + what,
                     "stored distribution snapshot is damaged: " + what, "snapshot"};
}

}  // namespace

uint64_t HashValue(const FieldValue& value) {
  // The tag keeps "" apart from no value, and a date apart from its text.
  char tag = static_cast<char>('0' + value.index());
  uint64_t hash = Fnv(kFnvOffset, std::string_view(&tag, 1));
  if (const auto* text = std::get_if<std::string>(&value)) return Fnv(hash, *text);
  if (const auto* date = std::get_if<core::Date>(&value)) return Fnv(hash, std::to_string(date->days()));
  if (const auto* number = std::get_if<int64_t>(&value)) return Fnv(hash, std::to_string(*number));
  return hash;
}

const SnapshotEntry* Snapshot::Find(int64_t patient_id) const {
  const auto it = std::lower_bound(
      entries.begin(), entries.end(), patient_id,
      [](const SnapshotEntry& entry, int64_t id) { return entry.patient_id < id; });
  return it != entries.end() && it->patient_id == patient_id ? &*it : nullptr;
}

std::string SnapshotToJson(const Snapshot& snapshot) {
  nlohmann::ordered_json json;
  json["municipality_code"] = snapshot.municipality_code6;
  json["package_id"] = snapshot.package_id;
  nlohmann::ordered_json entries = nlohmann::ordered_json::array();
  for (const SnapshotEntry& entry : snapshot.entries) {
    nlohmann::ordered_json hashes = nlohmann::ordered_json::object();
    for (const ColumnHash& h : entry.hashes) hashes[std::string(ColumnKey(h.column))] = Hex16(h.hash);
    entries.push_back({{"patient_id", entry.patient_id}, {"ref", entry.ref}, {"hashes", hashes}});
  }
  json["entries"] = std::move(entries);
  return json.dump();
}

core::Result<Snapshot> ParseSnapshot(std::string_view json_text) {
  const nlohmann::json json = nlohmann::json::parse(json_text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return std::unexpected(Damaged("not JSON"));
  Snapshot snapshot;
  const auto code = json.find("municipality_code");
  const auto id = json.find("package_id");
  const auto entries = json.find("entries");
  if (code == json.end() || !code->is_string() || id == json.end() || !id->is_string() ||
      entries == json.end() || !entries->is_array()) {
    return std::unexpected(Damaged("missing keys"));
  }
  snapshot.municipality_code6 = code->get<std::string>();
  snapshot.package_id = id->get<std::string>();
  for (const nlohmann::json& item : *entries) {
    if (!item.is_object() || !item.contains("patient_id") || !item["patient_id"].is_number_integer() ||
        !item.contains("ref") || !item["ref"].is_string() || !item.contains("hashes") ||
        !item["hashes"].is_object()) {
      return std::unexpected(Damaged("bad entry"));
    }
    SnapshotEntry entry;
    entry.patient_id = item["patient_id"].get<int64_t>();
    entry.ref = item["ref"].get<std::string>();
    for (int c = 0; c < kColumnCount; ++c) {
      const Column column = static_cast<Column>(c);
      const auto h = item["hashes"].find(std::string(ColumnKey(column)));
      if (h == item["hashes"].end()) continue;
      const std::string hex = h->is_string() ? h->get<std::string>() : std::string();
      uint64_t value = 0;
      const auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), value, 16);
      if (hex.size() != 16 || ec != std::errc() || end != hex.data() + hex.size()) {
        return std::unexpected(Damaged("bad hash for patient " + std::to_string(entry.patient_id)));
      }
      entry.hashes.push_back({column, value});
    }
    if (entry.hashes.size() != item["hashes"].size()) {
      return std::unexpected(Damaged("unknown column for patient " + std::to_string(entry.patient_id)));
    }
    if (!snapshot.entries.empty() && snapshot.entries.back().patient_id >= entry.patient_id) {
      return std::unexpected(Damaged("entries out of order"));
    }
    snapshot.entries.push_back(std::move(entry));
  }
  return snapshot;
}

}  // namespace ichigen::distribution
