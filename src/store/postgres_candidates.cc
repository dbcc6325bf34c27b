#include "store/postgres_candidates.h"

#include <algorithm>
#include <array>
#include <string>
#include <tuple>
#include <vector>

namespace ichigen::store {

namespace {

// The blocks of one query, as tagged by BlocksSql.
enum Block : int {
  kBirthNarrow = 0,
  kNameWhole,
  kNameNarrow,
  kKanaWhole,
  kKanaNarrow,
  kPhoneWhole,
  kBlockCount
};

// Every block's ids in one statement. Parameters: $1 birth date, $2 family
// reading, $3 given reading, $4 phone, $5 municipality, $6 folded name,
// $7 phonetic kana, $8 birth year, $9 max_block + 1, $10 small_block + 1. An
// empty parameter matches nothing (the row does not have that key). A whole
// name or kana block is read only up to small_block + 1 ids: that is enough
// to tell whether it is small, and when it is, it is the whole block. Its
// narrowed form is read as well, for when it is not (the same index range;
// at most small_block rows wasted).
const std::string& BlocksSql() {
  static const std::string sql = [] {
    // Every parameter is cast where it is used, so that its type never
    // depends on which use the server resolves first.
    auto guard = [](const char* value, const std::string& test) {
      return std::string("(") + value + "::text <> '' AND " + test + ")";
    };
    auto block = [](const char* tag, const std::string& where, const char* limit) {
      return std::string("(SELECT ") + tag + " AS block, id FROM patients WHERE " + where +
             " LIMIT " + limit + "::bigint)";
    };
    const std::string by_year_place_or_phone =
        "(" + guard("$8", "left(birth_date, 4) = $8::text") + " OR " +
        guard("$5", "municipality_code = $5::text") + " OR " +
        guard("$4", "phone_key = $4::text") + ")";
    const std::string birth =
        guard("$1", "birth_date = $1::text") + " AND (" +
        guard("$2", "left(kana_key, length($2::text)) = $2::text") + " OR " +
        guard("$3", "right(kana_key, length($3::text)) = $3::text") + " OR " +
        guard("$4", "phone_key = $4::text") + " OR " +
        guard("$5", "municipality_code = $5::text") + ")";
    const std::string name = guard("$6", "name_folded = $6::text");
    const std::string kana = guard("$7", "kana_key = $7::text");
    const std::string phone = guard("$4", "phone_key = $4::text");
    return block("0", birth, "$9") + " UNION ALL " + block("1", name, "$10") + " UNION ALL " +
           block("2", name + " AND " + by_year_place_or_phone, "$9") + " UNION ALL " +
           block("3", kana, "$10") + " UNION ALL " +
           block("4", kana + " AND " + by_year_place_or_phone, "$9") + " UNION ALL " +
           block("5", phone, "$9");
  }();
  return sql;
}

// What identity matching and the review queue read of a candidate (as on SQLite).
const std::string& FetchSql() {
  static const std::string sql =
      std::string(
          "SELECT id, hersys_id, name, name_key, name_folded, name_kana, kana_key, sex, "
          "birth_date, address, municipality_code, phone, phone_key, content_hash, "
          "updated_batch FROM patients WHERE id = ANY($1::bigint[]) AND ") +
      kPgNotMergedAway + " ORDER BY id";
  return sql;
}

PatientRecord ReadCandidate(const PgResult& r, int row) {
  PatientRecord p;
  int i = 0;
  p.id = r.Int(row, i++);
  p.hersys_id = r.Text(row, i++);
  p.name = r.Text(row, i++);
  p.name_key = r.Text(row, i++);
  p.name_folded = r.Text(row, i++);
  p.name_kana = r.Text(row, i++);
  p.kana_key = r.Text(row, i++);
  p.sex = r.Text(row, i++);
  p.birth_date = r.Text(row, i++);
  p.address = r.Text(row, i++);
  p.municipality_code = r.Text(row, i++);
  p.phone = r.Text(row, i++);
  p.phone_key = r.Text(row, i++);
  p.content_hash = r.Text(row, i++);
  p.updated_batch = r.Int(row, i++);
  return p;
}

}  // namespace

core::Result<int64_t> CountPgNamePrefix(PgConn& conn, std::string_view prefix) {
  PgParams params;
  if (prefix.empty()) {
    ASSIGN_OR_RETURN(PgResult all, conn.Execute("SELECT count(*) FROM patients", params));
    return all.rows() > 0 ? all.Int(0, 0) : 0;
  }
  params.AddText(prefix).AddText(std::string(prefix).append(kLastCodePointUtf8));
  ASSIGN_OR_RETURN(PgResult range,
                   conn.Execute("SELECT count(*) FROM patients WHERE name_folded >= $1 AND "
                                "name_folded < $2",
                                params));
  return range.rows() > 0 ? range.Int(0, 0) : 0;
}

core::Result<CandidateSet> QueryPgCandidates(PgConn& conn, const CandidateQuery& query) {
  CandidateSet set;
  const std::string year = query.birth_date.size() >= 4 ? query.birth_date.substr(0, 4) : "";
  PgParams params;
  params.AddText(query.birth_date)
      .AddText(query.kana_family)
      .AddText(query.kana_given)
      .AddText(query.phone_key)
      .AddText(query.municipality_code)
      .AddText(query.name_folded)
      .AddText(query.kana_key)
      .AddText(year)
      .Add(std::max<int64_t>(query.max_block + 1, 0))
      .Add(std::max<int64_t>(query.small_block + 1, 0));
  ASSIGN_OR_RETURN(PgResult found, conn.Execute(BlocksSql(), params));
  std::array<std::vector<int64_t>, kBlockCount> blocks;
  for (int r = 0; r < found.rows(); ++r) {
    const int64_t tag = found.Int(r, 0);
    if (tag < 0 || tag >= kBlockCount) continue;
    blocks[static_cast<size_t>(tag)].push_back(found.Int(r, 1));
  }

  std::vector<int64_t> chosen;
  auto take = [&](const std::vector<int64_t>& ids) {
    if (static_cast<int64_t>(ids.size()) > query.max_block) {
      ++set.oversized_blocks;
      return;
    }
    chosen.insert(chosen.end(), ids.begin(), ids.end());
  };
  if (!query.birth_date.empty()) take(blocks[kBirthNarrow]);
  for (const auto& [value, whole, narrow] :
       {std::tuple{&query.name_folded, kNameWhole, kNameNarrow},
        std::tuple{&query.kana_key, kKanaWhole, kKanaNarrow}}) {
    if (value->empty()) continue;
    const std::vector<int64_t>& all = blocks[whole];
    take(static_cast<int64_t>(all.size()) <= query.small_block ? all : blocks[narrow]);
  }
  if (!query.phone_key.empty()) {
    set.phone_block_size = static_cast<int64_t>(blocks[kPhoneWhole].size());
    take(blocks[kPhoneWhole]);
  }
  if (chosen.empty()) return set;

  std::sort(chosen.begin(), chosen.end());
  chosen.erase(std::unique(chosen.begin(), chosen.end()), chosen.end());
  PgParams ids;
  ids.AddIdArray(chosen);
  ASSIGN_OR_RETURN(PgResult rows, conn.Execute(FetchSql(), ids));
  set.patients.reserve(static_cast<size_t>(rows.rows()));
  for (int r = 0; r < rows.rows(); ++r) set.patients.push_back(ReadCandidate(rows, r));
  return set;
}

}  // namespace ichigen::store
