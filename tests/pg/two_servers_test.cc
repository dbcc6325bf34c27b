// Two servers on one PostgreSQL database. In process: each has its own stores
// (its own connections), imports its own file while the other imports,
// readers search meanwhile, and both append to the audit trail from several
// threads. As operators run it: two `ichigen serve` processes (the built
// binary, port 0) take uploads, searches, patient reads, package builds and
// statistics reads over HTTP at the same time. Either way nothing is lost
// (the same patients as the files imported one after the other into
// SQLite), the figures equal a recomputation, and the audit trail is one
// chain that verifies.
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "audit/audit_log.h"
#include "shell.h"
#include "intake/importer.h"
#include "store/pg_test_env.h"
#include "store/postgres_audit_store.h"
#include "store/postgres_store.h"
#include "store/sqlite_store.h"

namespace ichigen {
namespace {

constexpr const char* kHeader =
    "HER-SYSID,届出年月日,患者氏名,フリガナ,性別,生年月日,年齢,郵便番号,現住所,"
    "全国地方公共団体コード,連絡先,職業,発症日,診断日,医療機関名,保健所,重症度,療養状況,"
    "療養開始日,情報提供同意";

// A HER-SYS export (UTF-8) of patients first_id … first_id + count - 1.
void WriteHersys(const std::filesystem::path& path, int64_t first_id, int count) {
  static const char* kFamily[] = {"中村", "佐藤", "鈴木", "高橋", "田中"};
  static const char* kFamilyKana[] = {"なかむら", "さとう", "すずき", "たかはし", "たなか"};
  static const char* kGiven[] = {"一郎", "花子", "三郎", "春恵", "修"};
  static const char* kGivenKana[] = {"いちろう", "はなこ", "さぶろう", "はるえ", "おさむ"};
  std::ofstream out(path, std::ios::binary);
  out << kHeader << "\r\n";
  for (int i = 0; i < count; ++i) {
    const int64_t id = first_id + i;
    const int f = static_cast<int>(id % 5);
    const int g = static_cast<int>((id / 5) % 5);
    const int year = 1940 + static_cast<int>(id % 60);
    const int month = 1 + static_cast<int>(id % 12);
    const int day = 1 + static_cast<int>(id % 28);
    char birth[16];
    std::snprintf(birth, sizeof birth, "%04d/%02d/%02d", year, month, day);
    char phone[20];
    std::snprintf(phone, sizeof phone, "090-%04d-%04d", static_cast<int>(id % 10000),
                  static_cast<int>((id / 10000) % 10000));
    out << id << ",20220728," << kFamily[f] << kGiven[g] << "," << kFamilyKana[f] << " "
        << kGivenKana[g] << "," << (g % 2 == 0 ? 1 : 2) << "," << birth << ","
        << (2022 - year) << "歳,231-0023,横浜市中区山下町" << (1 + id % 200) << "番地,141046,"
        << phone << ",会社員,20220726,20220728,みなと病院,中区福祉保健センター,軽症,自宅療養中,"
        << "20220728,○\r\n";
  }
}

class TwoServersTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto context = intake::IntakeContext::Load();
    ASSERT_TRUE(context.has_value()) << context.error().ToString();
    context_ = new intake::IntakeContext(std::move(*context));
  }
  static void TearDownTestSuite() {
    delete context_;
    context_ = nullptr;
  }
  void SetUp() override {
    server_ = store::FindPgTestServer();
    if (!server_.available()) {
      if (server_.required) FAIL() << server_.why;
      GTEST_SKIP() << server_.why;
    }
    auto fresh = store::FreshPgDatabase(server_.conninfo, "two_servers");
    ASSERT_TRUE(fresh.has_value()) << fresh.error().ToString();
    database_ = *fresh;
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_two_servers_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override {
    if (!database_.empty()) store::DropPgDatabase(server_.conninfo, database_);
    std::filesystem::remove_all(dir_);
  }

  static intake::IntakeContext* context_;
  store::PgTestServer server_;
  std::string database_;
  std::filesystem::path dir_;
};

intake::IntakeContext* TwoServersTest::context_ = nullptr;

// One server: its own store for imports, its own audit store and log.
struct Server {
  std::unique_ptr<store::Store> store;
  std::unique_ptr<store::AuditStore> audit_store;
  std::unique_ptr<audit::AuditLog> audit;
};

core::Result<Server> StartServer(const std::string& conninfo) {
  Server server;
  ASSIGN_OR_RETURN(auto store, store::PostgresStore::Open(conninfo));
  server.store = std::move(store);
  ASSIGN_OR_RETURN(auto audit_store, store::PostgresAuditStore::Open(conninfo));
  server.audit_store = std::move(audit_store);
  ASSIGN_OR_RETURN(server.audit, audit::AuditLog::Open(*server.audit_store, audit::SystemClock()));
  return server;
}

TEST_F(TwoServersTest, ConcurrentImportsReadsAndAuditLoseNothing) {
  const auto file_a = dir_ / "a.csv";
  const auto file_b = dir_ / "b.csv";
  WriteHersys(file_a, 2000000, 1500);
  WriteHersys(file_b, 2001000, 1500);  // 500 patients in both files

  // Both servers start together on the new database (migrations race).
  core::Result<Server> a = core::Fail(core::Code::kInternal, "", "");
  core::Result<Server> b = core::Fail(core::Code::kInternal, "", "");
  {
    std::thread ta([&] { a = StartServer(database_); });
    std::thread tb([&] { b = StartServer(database_); });
    ta.join();
    tb.join();
  }
  ASSERT_TRUE(a.has_value()) << a.error().ToString();
  ASSERT_TRUE(b.has_value()) << b.error().ToString();

  intake::ImportOptions options;
  options.today = *core::Date::ParseIso("2022-08-10");
  std::atomic<int> audit_failures{0};
  std::atomic<int> audit_appended{0};
  std::atomic<int> reads{0};
  core::Result<intake::ImportReport> report_a = core::Fail(core::Code::kInternal, "", "");
  core::Result<intake::ImportReport> report_b = core::Fail(core::Code::kInternal, "", "");
  std::vector<std::thread> threads;
  threads.emplace_back([&] {
    intake::Importer importer(*a->store, *context_);
    report_a = importer.ImportFile(file_a.string(), options);
  });
  threads.emplace_back([&] {
    intake::Importer importer(*b->store, *context_);
    report_b = importer.ImportFile(file_b.string(), options);
  });
  // Each server's request threads: audited reads on their own connections.
  for (Server* server : {&*a, &*b}) {
    for (int t = 0; t < 3; ++t) {
      threads.emplace_back([&, server, t] {
        auto reader = store::PostgresStore::Open(database_);
        if (!reader) {
          audit_failures += 1000;
          return;
        }
        for (int i = 0; i < 60; ++i) {
          auto page = (*reader)->SearchPatients({.name_prefix = "中村"});
          if (page) ++reads;
          audit::AuditEvent event{.actor = "operator" + std::to_string(t),
                                  .role = "operator",
                                  .action = "patient.search",
                                  .targets = {"patient:" + std::to_string(i)},
                                  .remote = "127.0.0.1",
                                  .purpose = "業務"};
          // audit::AuditLog re-chains when another server took its seq: the
          // caller never sees the race.
          auto appended = server->audit->Append(event);
          if (appended) {
            ++audit_appended;
          } else {
            ++audit_failures;
          }
        }
      });
    }
  }
  for (std::thread& t : threads) t.join();

  ASSERT_TRUE(report_a.has_value()) << report_a.error().ToString();
  ASSERT_TRUE(report_b.has_value()) << report_b.error().ToString();
  EXPECT_EQ(report_a->rows, 1500);
  EXPECT_EQ(report_b->rows, 1500);
  EXPECT_EQ(reads.load(), 360);

  // The same two files one after the other into SQLite: the reference.
  auto sqlite = store::SqliteStore::Open((dir_ / "reference.db").string());
  ASSERT_TRUE(sqlite.has_value());
  {
    intake::Importer importer(**sqlite, *context_);
    ASSERT_TRUE(importer.ImportFile(file_a.string(), options).has_value());
    ASSERT_TRUE(importer.ImportFile(file_b.string(), options).has_value());
  }
  auto ids = [](store::Store& s) {
    std::set<std::string> out;
    EXPECT_TRUE(s.ForEachPatient([&](const store::PatientRecord& p) {
                   out.insert(p.hersys_id);
                   return core::Ok();
                 }).has_value());
    return out;
  };
  const std::set<std::string> expected = ids(**sqlite);
  EXPECT_EQ(expected.size(), 2500u);
  EXPECT_EQ(ids(*a->store), expected);
  EXPECT_EQ(*a->store->CountPatients(), 2500);
  EXPECT_EQ(a->store->ListBatches()->size(), 2u);

  // Every audited read is in the trail, as one chain.
  EXPECT_EQ(audit_failures.load(), 0);
  auto verified = audit::Verify(*a->audit_store);
  ASSERT_TRUE(verified.has_value()) << verified.error().ToString();
  EXPECT_TRUE(verified->ok) << (verified->problems.empty() ? "" : verified->problems[0].message_en);
  EXPECT_EQ(verified->entries, audit_appended.load());
  EXPECT_EQ(audit_appended.load(), 360);
}

// `ichigen serve` in a child process on the test's database.
class ServeProcess {
 public:
  ServeProcess() = default;
  ServeProcess(const ServeProcess&) = delete;
  ServeProcess& operator=(const ServeProcess&) = delete;
  ~ServeProcess() { Kill(); }

  // Starts it with --port 0; returns the port it printed (0: it did not start).
  int Start(const std::string& url, const std::filesystem::path& dir, const std::string& name) {
    out_ = dir / (name + ".out");
    err_ = dir / (name + ".err");
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<std::string> argv = {ICHIGEN_BINARY, "--db", url, "serve", "--port", "0",
                                       "--threads", "8", "--db-connections", "3"};
      std::vector<char*> c_argv;
      for (std::string& arg : argv) c_argv.push_back(arg.data());
      c_argv.push_back(nullptr);
      (void)std::freopen(out_.c_str(), "w", stdout);
      (void)std::freopen(err_.c_str(), "w", stderr);
      ::execv(ICHIGEN_BINARY, c_argv.data());
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
      const std::string printed = ReadAll(out_);
      const size_t at = printed.find("listening on ");
      const size_t colon = printed.rfind(':');
      if (at != std::string::npos && printed.find('\n', at) != std::string::npos &&
          colon != std::string::npos) {
        return std::atoi(printed.c_str() + colon + 1);
      }
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }
  // SIGTERM, then the exit status (-1: it did not exit in time).
  int Stop() {
    if (pid_ <= 0) return -1;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }
  std::string Log() const { return ReadAll(err_); }

  static std::string ReadAll(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

 private:
  void Kill() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }

  pid_t pid_ = -1;
  std::filesystem::path out_;
  std::filesystem::path err_;
};

// Runs the binary with `args` on the database; returns its standard output.
std::string RunIchigen(const std::string& url, const std::string& args, int* status,
                       const std::string& stdin_text = "") {
  std::string command = std::string(ICHIGEN_BINARY) + " --db '" + url + "' " + args;
  if (!stdin_text.empty()) command = "printf '%s\\n' '" + stdin_text + "' | " + command;
  test::ShellResult run = test::Shell(command);
  *status = run.exit;
  std::string out = std::move(run.out);
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

std::string Token(const std::string& url, const std::string& login, const std::string& role) {
  int status = -1;
  RunIchigen(url, "user add " + login + " --role " + role + " --password-stdin >/dev/null",
             &status, login + "-password-1");
  EXPECT_EQ(status, 0) << login;
  const std::string token = RunIchigen(url, "user token " + login + " --name two_servers", &status);
  EXPECT_EQ(status, 0) << login;
  return token;
}

nlohmann::json Json(const httplib::Result& res) {
  if (!res) return nlohmann::json();
  return nlohmann::json::parse(res->body, nullptr, false);
}

// Uploads a file to a server and waits for its import job; returns the job.
nlohmann::json UploadAndWait(int port, const httplib::Headers& auth,
                             const std::filesystem::path& file) {
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(120, 0);
  client.set_write_timeout(120, 0);
  httplib::MultipartFormDataItems items = {
      {"file", ServeProcess::ReadAll(file), file.filename().string(), "text/csv"}};
  auto upload = client.Post("/api/v1/batches", auth, items);
  if (!upload || upload->status != 202) {
    return nlohmann::json{{"state", "upload refused"},
                          {"body", upload ? upload->body : std::string("no response")}};
  }
  const int64_t job_id = Json(upload)["job_id"].get<int64_t>();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(300);
  while (std::chrono::steady_clock::now() < deadline) {
    const nlohmann::json job = Json(client.Get("/api/v1/jobs/" + std::to_string(job_id), auth));
    if (job.is_object() && (job["state"] == "done" || job["state"] == "failed")) return job;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return nlohmann::json{{"state", "timed out"}};
}

TEST_F(TwoServersTest, TwoServeProcessesTakeUploadsAndReadsOverHttpAndLoseNothing) {
  const std::string url = store::PgUrl(database_);
  ASSERT_FALSE(url.empty());
  // Users, tokens and an agreement, as an administrator sets them up.
  const httplib::Headers op = {{"Authorization", "Bearer " + Token(url, "op", "operator")}};
  const httplib::Headers aud = {{"Authorization", "Bearer " + Token(url, "aud", "auditor")}};
  int status = -1;
  RunIchigen(url,
             "agreements set 141046 --fields name,phone --from 2022-04-01 --recorded-at "
             "2022-04-01T00:00 --consent-required false >/dev/null",
             &status);
  ASSERT_EQ(status, 0);

  // Four files over two servers, overlapping (100 patients in two files).
  std::vector<std::filesystem::path> files;
  for (int i = 0; i < 4; ++i) {
    files.push_back(dir_ / ("hersys_" + std::to_string(i) + ".csv"));
    WriteHersys(files.back(), 3000000 + i * 400, 500);
  }
  ServeProcess a;
  ServeProcess b;
  const int port_a = a.Start(url, dir_, "a");
  ASSERT_GT(port_a, 0) << a.Log();
  const int port_b = b.Start(url, dir_, "b");
  ASSERT_GT(port_b, 0) << b.Log();

  // The first file, then the figures, so every later import updates them.
  const nlohmann::json first = UploadAndWait(port_a, op, files[0]);
  ASSERT_EQ(first["state"], "done") << first.dump() << a.Log();
  RunIchigen(url, "stats recompute >/dev/null", &status);
  ASSERT_EQ(status, 0);

  std::vector<nlohmann::json> jobs(files.size());
  std::atomic<int> reads{0};
  std::atomic<int> failed_reads{0};
  std::atomic<bool> uploading{true};
  std::vector<std::thread> uploaders;
  for (size_t i = 1; i < files.size(); ++i) {
    uploaders.emplace_back(
        [&, i] { jobs[i] = UploadAndWait(i % 2 == 0 ? port_a : port_b, op, files[i]); });
  }
  // Readers on both servers while the uploads run: searches, a patient's
  // record, the figures, the package list; and both servers build the
  // same cutoff's packages at once.
  std::vector<std::thread> readers;
  for (const int port : {port_a, port_b}) {
    readers.emplace_back([&, port] {
      httplib::Client client("127.0.0.1", port);
      client.set_read_timeout(60, 0);
      int round = 0;
      while (uploading || round < 5) {
        ++round;
        const auto found = client.Get("/api/v1/patients?name=%E4%B8%AD%E6%9D%91&limit=5", op);
        const nlohmann::json page = Json(found);
        bool ok = found && found->status == 200 && page["items"].is_array();
        if (ok && !page["items"].empty()) {
          const auto one = client.Get(
              "/api/v1/patients/" + std::to_string(page["items"][0]["id"].get<int64_t>()), op);
          ok = one && one->status == 200;
        }
        const auto daily = client.Get("/api/v1/stats/daily?from=2022-07-28&to=2022-07-28", op);
        ok = ok && daily && daily->status == 200;
        const auto packages = client.Get("/api/v1/packages", op);
        ok = ok && packages && packages->status == 200;
        ok ? ++reads : ++failed_reads;
      }
    });
  }
  std::vector<nlohmann::json> built(2);
  std::vector<std::thread> builders;
  for (int k = 0; k < 2; ++k) {
    builders.emplace_back([&, k] {
      httplib::Client client("127.0.0.1", k == 0 ? port_a : port_b);
      client.set_read_timeout(120, 0);
      const auto res = client.Post("/api/v1/packages", op,
                                   R"({"cutoff":"2022-07-29T09:00+09:00"})", "application/json");
      built[k] = res ? nlohmann::json{{"status", res->status}, {"body", Json(res)}}
                     : nlohmann::json{{"status", 0}};
    });
  }
  for (std::thread& t : uploaders) t.join();
  uploading = false;
  for (std::thread& t : readers) t.join();
  for (std::thread& t : builders) t.join();

  for (size_t i = 1; i < files.size(); ++i) {
    ASSERT_EQ(jobs[i]["state"], "done") << jobs[i].dump() << a.Log() << b.Log();
    EXPECT_EQ(jobs[i]["rows"], 500);
  }
  EXPECT_EQ(failed_reads.load(), 0);
  EXPECT_GE(reads.load(), 10);
  // The same cutoff built by both servers at once is one package, the same
  // bytes for both answers.
  for (const nlohmann::json& answer : built) {
    ASSERT_EQ(answer["status"], 200) << answer.dump();
    ASSERT_EQ(answer["body"]["items"].size(), 1u) << answer.dump();
  }
  EXPECT_EQ(built[0]["body"]["items"][0]["id"], built[1]["body"]["items"][0]["id"]);
  EXPECT_EQ(built[0]["body"]["items"][0]["checksum"], built[1]["body"]["items"][0]["checksum"]);

  // Nothing lost: the patients of the four files imported one after the
  // other into SQLite.
  auto sqlite = store::SqliteStore::Open((dir_ / "reference.db").string());
  ASSERT_TRUE(sqlite.has_value());
  intake::ImportOptions options;
  options.today = *core::Date::ParseIso("2022-08-10");
  for (const auto& file : files) {
    intake::Importer importer(**sqlite, *context_);
    ASSERT_TRUE(importer.ImportFile(file.string(), options).has_value());
  }
  auto postgres = store::PostgresStore::Open(database_);
  ASSERT_TRUE(postgres.has_value()) << postgres.error().ToString();
  EXPECT_EQ(*(*postgres)->CountPatients(), *(*sqlite)->CountPatients());
  EXPECT_EQ(*(*postgres)->CountPatients(), 4 * 500 - 3 * 100);
  EXPECT_EQ((*postgres)->ListBatches()->size(), files.size());
  // Both servers answer the same list of batches.
  for (const int port : {port_a, port_b}) {
    httplib::Client client("127.0.0.1", port);
    EXPECT_EQ(Json(client.Get("/api/v1/batches", op))["total"], 4);
  }
  // The figures kept current by imports on two servers equal a recomputation.
  RunIchigen(url, "stats verify >/dev/null", &status);
  EXPECT_EQ(status, 0);

  // The audit trail: one chain, every server's reads in it.
  for (const int port : {port_a, port_b}) {
    httplib::Client client("127.0.0.1", port);
    const nlohmann::json verify = Json(client.Get("/api/v1/audit/verify", aud));
    EXPECT_EQ(verify["ok"], true) << verify.dump();
    EXPECT_GT(verify["entries"].get<int64_t>(), reads.load());
  }
  EXPECT_EQ(a.Stop(), 0);
  EXPECT_EQ(b.Stop(), 0);
}

}  // namespace
}  // namespace ichigen
