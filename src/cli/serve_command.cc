// ichigen serve [--host H] [--port P] [--tls-cert F --tls-key F] [--inbox DIR]
#include "cli/serve_command.h"

#include <pthread.h>
#include <signal.h>

#include <iostream>

#include "api/access.h"
#include "api/geo_jurisdictions.h"
#include "api/random.h"
#include "api/server.h"
#include "intake/importer.h"

namespace ichigen::cli {

void AddServeCommand(CLI::App& app, CliContext& context, ServerStores& stores) {
  struct Options {
    api::ServerOptions server;
    int64_t max_upload_mb = 2048;
  };
  auto options = std::make_shared<Options>();
  CLI::App* command = app.add_subcommand("serve", "APIサーバーを起動する (start the HTTP/JSON server)");
  command->add_option("--host", options->server.host, "address to listen on")->capture_default_str();
  command->add_option("--port", options->server.port, "port (0: any free port, printed)")
      ->capture_default_str();
  command->add_option("--tls-cert", options->server.tls_cert, "TLS certificate (PEM)");
  command->add_option("--tls-key", options->server.tls_key, "TLS private key (PEM)");
  command->add_option("--inbox", options->server.inbox_dir,
                      "watched folder: <dir>/hersys/, <dir>/<source>/ → done/, failed/");
  command->add_option("--threads", options->server.threads, "HTTP worker threads")
      ->capture_default_str();
  command->add_option("--db-connections", options->server.store_connections,
                      "store connections shared by the workers")
      ->capture_default_str();
  command->add_option("--max-upload-mb", options->max_upload_mb, "largest upload")
      ->capture_default_str();
  command->callback([options, &context, &stores]() {
    // Block the stop signals in every thread (the server's threads inherit
    // the mask); this thread waits for them with sigwait.
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

    auto accounts = stores.open_accounts(context.db_path);
    if (!accounts) return context.Report(accounts.error());
    auto users = (*accounts)->CountUsers();
    if (!users) return context.Report(users.error());
    if (*users == 0) {
      std::cerr << "利用者が登録されていません。まず管理者を作成してください:\n"
                   "  ichigen --db " << context.db_path << " user add admin --role admin\n"
                   "（パスワードは一度だけ表示されます）\n"
                   "no users yet; create an administrator first with the command above "
                   "(its generated password is printed once).\n";
      context.exit_code = core::ExitCodeFor(core::Code::kFailedPrecondition);
      return;
    }
    auto audit_store = stores.open_audit(context.db_path);
    if (!audit_store) return context.Report(audit_store.error());
    auto intake = intake::IntakeContext::Load();
    if (!intake) return context.Report(intake.error());
    api::GeoJurisdictions jurisdictions(*intake->registry);
    api::DenyAllFieldPolicy deny_all_fields;
    const api::FieldPolicy* field_policy = &deny_all_fields;
    std::unique_ptr<DistributionServing> distribution_serving;
    std::unique_ptr<store::DistributionStore> distribution_store;
    if (stores.open_distribution) {
      // Agreements decide the fields a municipality sees; packages are built
      // by the server itself every day at the cutoff.
      auto serving = DistributionServing::Start(context, stores.open_distribution, std::cerr);
      if (!serving) return context.Report(serving.error());
      distribution_serving = std::move(*serving);
      field_policy = &distribution_serving->field_policy();
      auto opened = stores.open_distribution(context.db_path);
      if (!opened) return context.Report(opened.error());
      distribution_store = std::move(*opened);
    }
    std::unique_ptr<store::StatsStore> stats_store;
    if (stores.open_stats) {
      auto opened = stores.open_stats(context.db_path);
      if (!opened) return context.Report(opened.error());
      stats_store = std::move(*opened);
    }
    api::SodiumRandom random;
    api::ServerDeps deps;
    deps.open_store = [&context]() { return context.OpenStore(); };
    deps.account_store = accounts->get();
    deps.audit_store = audit_store->get();
    deps.intake = &*intake;
    deps.field_policy = field_policy;
    deps.distribution_store = distribution_store.get();
    deps.stats_store = stats_store.get();
    if (stores.open_stats) {
      deps.open_stats = [&stores, &context]() { return stores.open_stats(context.db_path); };
    }
    deps.jurisdictions = &jurisdictions;
    deps.random = &random;
    options->server.max_upload_bytes = options->max_upload_mb << 20;
    auto server = api::ApiServer::Create(options->server, std::move(deps));
    if (!server) return context.Report(server.error());
    auto port = (*server)->Start();
    if (!port) return context.Report(port.error());
    const bool tls = !options->server.tls_cert.empty();
    std::cout << "listening on " << (tls ? "https" : "http") << "://" << options->server.host
              << ":" << *port << std::endl;
    int received = 0;
    sigwait(&stop_signals, &received);
    std::cerr << "停止します（実行中の取込は最後まで行います） / stopping; running imports "
                 "will finish\n";
    (*server)->Stop();
    if (distribution_serving) distribution_serving->Stop();
  });
}

}  // namespace ichigen::cli
