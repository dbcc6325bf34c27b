// Open data in the 陽性患者属性 standard: one row per counted case. A case
// record that came from an open-data import is written back with its
// original raw values (so a published file round-trips unchanged); other
// patients get their values from the record (年代 from the age, 性別 as
// 男性/女性, 居住地 the residence code's name when a namer is given).
// Thread-safety: functions use the Store they are given from one thread.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "io/csv_writer.h"
#include "store/store.h"

namespace ichigen::stats {

// The standard's columns, in order.
const std::vector<std::string>& OpenDataColumns();

struct OpenDataOptions {
  std::string publisher_code;   // 全国地方公共団体コード of the prefecture
  std::string prefecture_name;  // 都道府県名
  // Municipality code → name for 患者_居住地 (empty result: the code).
  std::function<std::string(std::string_view)> municipality_name;
};

// Writes the header and every patient with a publication or notification
// date, in (公表日, id) order; returns the number of rows.
core::Result<int64_t> WriteOpenDataPatients(store::Store& store, const OpenDataOptions& options,
                                            io::CsvWriter& out);

}  // namespace ichigen::stats
