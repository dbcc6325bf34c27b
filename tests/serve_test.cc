// `ichigen serve` as operators run it, the real binary in a child process:
// HTTPS with a certificate and key (and plain HTTP to that port refused
// cleanly), and SIGTERM in the middle of an upload's import letting the
// batch finish whole before the process exits.
#include <gtest/gtest.h>
#include <httplib.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "shell.h"
#include "store/sqlite_store.h"

namespace ichigen {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using Clock = std::chrono::steady_clock;

std::string Shell(const std::string& command, int* status = nullptr) {
  test::ShellResult run = test::Shell(command);
  if (status != nullptr) *status = run.exit;
  return std::move(run.out);
}

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A throwaway self-signed certificate for 127.0.0.1 (P-256 key), written as
// PEM files, made with the OpenSSL API so the test needs no openssl CLI.
bool WriteSelfSignedCertificate(const fs::path& cert_path, const fs::path& key_path) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> cert(X509_new(), X509_free);
  if (!key || !cert) return false;
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), 1);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("127.0.0.1"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, decltype(&X509_EXTENSION_free)> san(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1"),
      X509_EXTENSION_free);
  if (!san || X509_add_ext(cert.get(), san.get(), -1) != 1) return false;
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) return false;
  std::unique_ptr<FILE, decltype(&std::fclose)> key_file(std::fopen(key_path.c_str(), "w"),
                                                         std::fclose);
  std::unique_ptr<FILE, decltype(&std::fclose)> cert_file(std::fopen(cert_path.c_str(), "w"),
                                                          std::fclose);
  if (!key_file || !cert_file) return false;
  return PEM_write_PrivateKey(key_file.get(), key.get(), nullptr, nullptr, 0, nullptr,
                              nullptr) == 1 &&
         PEM_write_X509(cert_file.get(), cert.get()) == 1;
}

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("ichigen_serve_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = (dir_ / "ichigen.db").string();
    int status = -1;
    Shell("echo op-password-1 | " + Ichigen("user add op --role operator --password-stdin") +
              " >/dev/null",
          &status);
    ASSERT_EQ(status, 0);
    token_ = Shell(Ichigen("user token op --name serve_test"), &status);
    ASSERT_EQ(status, 0);
    while (!token_.empty() && (token_.back() == '\n' || token_.back() == ' ')) token_.pop_back();
    ASSERT_FALSE(token_.empty());
  }

  void TearDown() override {
    if (server_ > 0) {
      ::kill(server_, SIGKILL);
      ::waitpid(server_, nullptr, 0);
    }
    fs::remove_all(dir_);
  }

  std::string Ichigen(const std::string& args) const {
    return std::string(ICHIGEN_BINARY) + " --db " + db_ + " " + args;
  }

  // Starts `ichigen serve --port 0 <args>`; returns the port it printed, or
  // 0 if it exited or printed nothing within the time allowed.
  int StartServer(const std::vector<std::string>& args) {
    const fs::path out = dir_ / "serve.out";
    const fs::path err = dir_ / "serve.err";
    server_ = ::fork();
    if (server_ == 0) {
      std::vector<std::string> argv = {ICHIGEN_BINARY, "--db", db_, "serve", "--port", "0",
                                       "--threads", "8", "--db-connections", "2"};
      argv.insert(argv.end(), args.begin(), args.end());
      std::vector<char*> c_argv;
      for (std::string& arg : argv) c_argv.push_back(arg.data());
      c_argv.push_back(nullptr);
      std::freopen(out.c_str(), "w", stdout);
      std::freopen(err.c_str(), "w", stderr);
      ::execv(ICHIGEN_BINARY, c_argv.data());
      ::_exit(127);
    }
    const auto deadline = Clock::now() + std::chrono::seconds(60);
    while (Clock::now() < deadline) {
      const std::string printed = ReadFile(out);
      const size_t at = printed.find("listening on ");
      const size_t colon = printed.rfind(':');
      if (at != std::string::npos && printed.find('\n', at) != std::string::npos &&
          colon != std::string::npos) {
        return std::atoi(printed.c_str() + colon + 1);
      }
      int status = 0;
      if (::waitpid(server_, &status, WNOHANG) == server_) {
        server_ = -1;
        exit_status_ = status;
        return 0;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return 0;
  }

  // Sends SIGTERM and waits for the exit status (-1 on timeout).
  int StopServer(std::chrono::seconds timeout) {
    ::kill(server_, SIGTERM);
    const auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      int status = 0;
      if (::waitpid(server_, &status, WNOHANG) == server_) {
        server_ = -1;
        return status;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return -1;
  }

  httplib::Headers Bearer() const { return {{"Authorization", "Bearer " + token_}}; }

  fs::path dir_;
  std::string db_;
  std::string token_;
  pid_t server_ = -1;
  int exit_status_ = 0;
};

TEST_F(ServeTest, ServesHttpsWithTheGivenCertificateAndRefusesPlainHttp) {
  const fs::path cert = dir_ / "server.crt";
  const fs::path key = dir_ / "server.key";
  ASSERT_TRUE(WriteSelfSignedCertificate(cert, key));
  const int port = StartServer({"--tls-cert", cert.string(), "--tls-key", key.string()});
  ASSERT_GT(port, 0) << ReadFile(dir_ / "serve.err");
  EXPECT_NE(ReadFile(dir_ / "serve.out").find("https://"), std::string::npos);

  // A client that trusts exactly this certificate, with host verification.
  httplib::SSLClient https("127.0.0.1", port);
  https.set_ca_cert_path(cert.c_str());
  https.enable_server_certificate_verification(true);
  https.set_connection_timeout(10, 0);
  https.set_read_timeout(10, 0);
  auto health = https.Get("/healthz");
  ASSERT_TRUE(health) << httplib::to_string(health.error());
  EXPECT_EQ(health->status, 200);
  auto me = https.Get("/api/v1/me", Bearer());
  ASSERT_TRUE(me);
  EXPECT_EQ(me->status, 200) << me->body;
  EXPECT_EQ(json::parse(me->body, nullptr, false)["login"], "op");
  auto anonymous = https.Get("/api/v1/me");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  // Over HTTPS the session cookie is marked Secure.
  auto login = https.Post("/api/v1/login", json{{"login", "op"}, {"password", "op-password-1"}}.dump(),
                          "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  EXPECT_NE(login->get_header_value("Set-Cookie").find("Secure"), std::string::npos);

  // A client that does not trust the certificate refuses the connection:
  // it really is this certificate the server presents.
  httplib::SSLClient untrusting("127.0.0.1", port);
  untrusting.enable_server_certificate_verification(true);
  untrusting.set_connection_timeout(10, 0);
  auto refused = untrusting.Get("/healthz");
  EXPECT_FALSE(refused);

  // Plain HTTP to the TLS port gets no answer (the handshake fails and the
  // server closes the connection) rather than a hang or a crash.
  httplib::Client plain("127.0.0.1", port);
  plain.set_connection_timeout(10, 0);
  plain.set_read_timeout(10, 0);
  const auto started = Clock::now();
  auto cleartext = plain.Get("/healthz");
  EXPECT_FALSE(cleartext);
  EXPECT_LT(Clock::now() - started, std::chrono::seconds(9));

  // And the server still serves HTTPS afterwards.
  auto again = https.Get("/healthz");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(StopServer(std::chrono::seconds(30)), 0);
}

TEST_F(ServeTest, BadTlsOptionsAreRefusedWithAClearMessage) {
  // Only one of the pair.
  EXPECT_EQ(StartServer({"--tls-cert", (dir_ / "server.crt").string()}), 0);
  EXPECT_NE(exit_status_, 0);
  EXPECT_NE(ReadFile(dir_ / "serve.err").find("--tls-key"), std::string::npos);
  // Files that are not PEM.
  { std::ofstream(dir_ / "junk.crt") << "not a certificate\n"; }
  { std::ofstream(dir_ / "junk.key") << "not a key\n"; }
  EXPECT_EQ(StartServer({"--tls-cert", (dir_ / "junk.crt").string(), "--tls-key",
                         (dir_ / "junk.key").string()}),
            0);
  EXPECT_TRUE(WIFEXITED(exit_status_) && WEXITSTATUS(exit_status_) != 0);
  EXPECT_NE(ReadFile(dir_ / "serve.err").find("TLS証明書"), std::string::npos);
}

// SIGTERM while an uploaded file is being imported: the server stops taking
// connections, lets the import finish and commit its whole batch, then exits
// 0. A batch is one transaction, so the alternative outcome (no batch at all)
// would also leave no half batch; the server promises the first.
TEST_F(ServeTest, SigtermDuringAnImportFinishesTheBatchWhole) {
  constexpr int kRows = 60000;
  const fs::path file = dir_ / "hersys_upload.csv";
  int status = -1;
  Shell(Ichigen("synth --kind hersys --rows " + std::to_string(kRows) + " --seed 5 --out " +
                file.string()) + " >/dev/null",
        &status);
  ASSERT_EQ(status, 0);
  const int port = StartServer({});
  ASSERT_GT(port, 0) << ReadFile(dir_ / "serve.err");
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(60, 0);
  client.set_write_timeout(60, 0);
  httplib::MultipartFormDataItems items = {
      {"file", ReadFile(file), "hersys_upload.csv", "text/csv"}};
  auto upload = client.Post("/api/v1/batches", Bearer(), items);
  ASSERT_TRUE(upload);
  ASSERT_EQ(upload->status, 202) << upload->body;
  const int64_t job_id = json::parse(upload->body)["job_id"];

  // Wait until the import is under way (rows counted, not yet done).
  bool running = false;
  const auto deadline = Clock::now() + std::chrono::seconds(120);
  while (Clock::now() < deadline) {
    auto res = client.Get("/api/v1/jobs/" + std::to_string(job_id), Bearer());
    ASSERT_TRUE(res);
    const json job = json::parse(res->body, nullptr, false);
    ASSERT_TRUE(job.is_object()) << res->body;
    ASSERT_NE(job["state"], "done") << "the import ended before the test could interrupt it";
    ASSERT_NE(job["state"], "failed") << res->body;
    if (job["state"] == "running" && job["rows"].get<int64_t>() > 0) {
      running = true;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(running);

  const auto stop_started = Clock::now();
  ::kill(server_, SIGTERM);
  // New connections are refused while it finishes.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  httplib::Client late("127.0.0.1", port);
  late.set_connection_timeout(2, 0);
  auto refused = late.Get("/healthz");
  EXPECT_FALSE(refused) << "still accepting after SIGTERM";
  const auto deadline_exit = Clock::now() + std::chrono::seconds(300);
  int exit_status = -1;
  while (Clock::now() < deadline_exit) {
    if (::waitpid(server_, &exit_status, WNOHANG) == server_) {
      server_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ASSERT_EQ(server_, -1) << "the server did not exit after SIGTERM";
  EXPECT_TRUE(WIFEXITED(exit_status) && WEXITSTATUS(exit_status) == 0) << exit_status;
  EXPECT_GT(Clock::now() - stop_started, std::chrono::milliseconds(300));
  const std::string log = ReadFile(dir_ / "serve.err");
  EXPECT_NE(log.find("stopping"), std::string::npos);
  EXPECT_NE(log.find("\"msg\":\"server stopped\""), std::string::npos);

  auto store = store::SqliteStore::Open(db_);
  ASSERT_TRUE(store.has_value()) << store.error().ToString();
  auto batches = (*store)->ListBatches();
  ASSERT_TRUE(batches.has_value());
  ASSERT_EQ(batches->size(), 1u);
  const store::BatchInfo& batch = batches->front();
  EXPECT_EQ(batch.file_name, "hersys_upload.csv");
  EXPECT_EQ(batch.rows, kRows);
  EXPECT_FALSE(batch.finished_at.empty());
  int64_t rows = 0;
  ASSERT_TRUE((*store)
                  ->ForEachRow(batch.id, std::nullopt,
                               [&](const store::RowRecord&) -> core::Status {
                                 ++rows;
                                 return core::Ok();
                               })
                  .has_value());
  EXPECT_EQ(rows, kRows);
  EXPECT_EQ(*(*store)->CountPatients(), batch.accepted);
  EXPECT_GT(batch.accepted, kRows / 2);
}

}  // namespace
}  // namespace ichigen
