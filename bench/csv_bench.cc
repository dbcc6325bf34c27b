// bench_csv: how fast the CSV reader streams a large file. Writes a ~200 MB
// HER-SYS-like CSV (UTF-8, then CP932) in a temp directory, reads it back
// through OpenRecordReader, prints one JSON line with MB/s and records/s per
// encoding, and deletes the files. Not a test: figures depend on the
// machine. Usage: bench_csv [megabytes]
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "io/encoding.h"
#include "io/record_reader.h"

namespace {

using ichigen::io::Encoding;

const char* const kSurnames[] = {"佐藤", "鈴木", "髙橋", "田中", "伊藤", "渡辺", "山﨑", "中村"};
const char* const kGiven[] = {"一郎", "花子", "太郎", "美咲", "翔太", "陽菜", "健", "さくら"};
const char* const kKana[] = {"サトウ イチロウ", "スズキ ハナコ", "タカハシ タロウ", "タナカ ミサキ"};
const char* const kCities[] = {"横浜市中区", "川崎市川崎区", "相模原市緑区", "藤沢市", "横須賀市"};

std::string Row(uint64_t i) {
  std::string row;
  row.reserve(200);
  row += std::to_string(1000000 + i);
  row += ",2022/08/";
  row += std::to_string(1 + i % 28);
  row += ',';
  row += kSurnames[i % 8];
  row += ' ';
  row += kGiven[(i / 8) % 8];
  row += ',';
  row += kKana[i % 4];
  row += (i % 2) ? ",男," : ",女,";
  row += std::to_string(1940 + i % 80) + "/" + std::to_string(1 + i % 12) + "/" +
         std::to_string(1 + i % 28);
  row += ",231-0021,\"神奈川県";
  row += kCities[i % 5];
  row += "日本大通1〜";
  row += std::to_string(i % 100);
  row += "\",090-1234-";
  row += std::to_string(1000 + i % 9000);
  row += (i % 10 == 0) ? ",\"発熱あり\n自宅療養, 延長\"\r\n" : ",軽症\r\n";
  return row;
}

struct Result {
  double mb_per_s = 0;
  double records_per_s = 0;
  int64_t records = 0;
  int64_t bytes = 0;
  bool ok = false;
};

Result Run(const std::filesystem::path& path, Encoding encoding, int64_t target_bytes) {
  Result result;
  {
    std::FILE* file = std::fopen(path.c_str(), "wb");
    if (file == nullptr) return result;
    auto encoder = ichigen::io::Cp932Encoder::Create();
    if (!encoder.has_value()) {
      std::fclose(file);
      return result;
    }
    std::string block;
    std::string encoded;
    std::string header =
        "HER-SYS ID,届出日,氏名,フリガナ,性別,生年月日,郵便番号,住所,電話番号,備考\r\n";
    block = header;
    for (uint64_t i = 0; result.bytes < target_bytes; ++i) {
      block += Row(i);
      if (block.size() > (1 << 20)) {
        const std::string* out = &block;
        if (encoding == Encoding::kCp932) {
          encoded.clear();
          (void)encoder->Encode(block, true, encoded, nullptr);
          out = &encoded;
        }
        std::fwrite(out->data(), 1, out->size(), file);
        result.bytes += static_cast<int64_t>(out->size());
        block.clear();
      }
    }
    std::fclose(file);
  }
  const auto start = std::chrono::steady_clock::now();
  auto reader = ichigen::io::OpenRecordReader(path.string());
  if (!reader.has_value()) return result;
  for (;;) {
    auto record = (*reader)->Next();
    if (!record.has_value() || *record == nullptr) break;
    ++result.records;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  result.mb_per_s = static_cast<double>(result.bytes) / 1e6 / seconds;
  result.records_per_s = static_cast<double>(result.records) / seconds;
  result.ok = (*reader)->encoding() == encoding;
  std::filesystem::remove(path);
  return result;
}

}  // namespace

int main(int argc, char** argv) {
  const int64_t megabytes = argc > 1 ? std::atoll(argv[1]) : 200;
  const auto dir = std::filesystem::temp_directory_path();
  const auto pid = std::to_string(::getpid());
  const Result utf8 = Run(dir / ("bench_csv_utf8_" + pid + ".csv"), Encoding::kUtf8,
                          megabytes * 1000 * 1000);
  const Result cp932 = Run(dir / ("bench_csv_cp932_" + pid + ".csv"), Encoding::kCp932,
                           megabytes * 1000 * 1000);
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf(
      "{\"bench\":\"csv_read\",\"utf8\":{\"bytes\":%lld,\"records\":%lld,\"mb_per_s\":%.1f,"
      "\"records_per_s\":%.0f,\"detected\":%s},\"cp932\":{\"bytes\":%lld,\"records\":%lld,"
      "\"mb_per_s\":%.1f,\"records_per_s\":%.0f,\"detected\":%s},\"max_rss_mb\":%.1f}\n",
      static_cast<long long>(utf8.bytes), static_cast<long long>(utf8.records), utf8.mb_per_s,
      utf8.records_per_s, utf8.ok ? "true" : "false", static_cast<long long>(cp932.bytes),
      static_cast<long long>(cp932.records), cp932.mb_per_s, cp932.records_per_s,
      cp932.ok ? "true" : "false", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return utf8.ok && cp932.ok ? 0 : 1;
}
