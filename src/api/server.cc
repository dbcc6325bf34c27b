#include "api/server.h"

#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <filesystem>
#include <iostream>

#include "api/handlers.h"
#include "api/http_server.h"
#include "api/inbox.h"

namespace ichigen::api {

namespace {

std::string CookieValue(const httplib::Request& request, std::string_view name) {
  const std::string header = request.get_header_value("Cookie");
  size_t pos = 0;
  while (pos < header.size()) {
    size_t end = header.find(';', pos);
    if (end == std::string::npos) end = header.size();
    std::string_view part(header.data() + pos, end - pos);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    if (part.size() > name.size() && part.substr(0, name.size()) == name &&
        part[name.size()] == '=') {
      return std::string(part.substr(name.size() + 1));
    }
    pos = end + 1;
  }
  return {};
}

constexpr int kTooManyRequests = 429;

bool AllowedBeforePasswordChange(const Route& route) {
  return route.path == "/api/v1/me" || route.path == "/api/v1/me/password" ||
         route.path == "/api/v1/logout";
}

core::Error HttpError(int status) {
  switch (status) {
    case 404:
      return {core::Code::kNotFound, "そのURLはありません", "no such endpoint", ""};
    case 405:
      return {core::Code::kInvalidArgument, "そのメソッドは使えません", "method not allowed", ""};
    case 413:
      return {core::Code::kResourceExhausted, "送信データが大きすぎます", "request body too large", ""};
    case 414:
      return {core::Code::kInvalidArgument, "URLが長すぎます", "URI too long", ""};
    default:
      return {core::Code::kInvalidArgument, "要求を解釈できません", "bad request",
              std::to_string(status)};
  }
}

}  // namespace

ApiServer::ApiServer(ServerOptions options, ServerDeps deps)
    : options_(std::move(options)), deps_(std::move(deps)) {}

ApiServer::~ApiServer() { Stop(); }

core::Result<std::unique_ptr<ApiServer>> ApiServer::Create(ServerOptions options,
                                                           ServerDeps deps) {
  if (!deps.open_store || deps.account_store == nullptr || deps.audit_store == nullptr ||
      deps.intake == nullptr || deps.field_policy == nullptr || deps.jurisdictions == nullptr ||
      deps.random == nullptr) {
    return core::Fail(core::Code::kInternal, "サーバーの構成が不完全です",
                      "server dependencies missing");
  }
  const bool tls = !options.tls_cert.empty() || !options.tls_key.empty();
  if (tls && (options.tls_cert.empty() || options.tls_key.empty())) {
    return core::Fail(core::Code::kInvalidArgument, "--tls-cert と --tls-key は両方指定してください",
                      "give both --tls-cert and --tls-key");
  }
  std::unique_ptr<ApiServer> server(new ApiServer(std::move(options), std::move(deps)));
  ServerDeps& d = server->deps_;
  std::ostream& log_stream = d.log_stream != nullptr ? *d.log_stream : std::cerr;
  server->log_ = std::make_unique<JsonLog>(log_stream, d.clock);
  server->metrics_ = std::make_unique<Metrics>();
  server->stores_ = std::make_unique<StorePool>(d.open_store, server->options_.store_connections);
  RETURN_IF_ERROR(server->stores_->Fill());
  server->accounts_ = std::make_unique<AccountService>(*d.account_store, d.clock, *d.random,
                                                       d.password_params, d.account_policy);
  ASSIGN_OR_RETURN(server->audit_log_, audit::AuditLog::Open(*d.audit_store, d.clock));
  server->access_ = std::make_unique<AccessPolicy>(*d.field_policy, *d.jurisdictions,
                                                   d.facility_matcher);
  server->jobs_ = std::make_unique<JobRunner>(*server->stores_, *d.intake, *server->audit_log_,
                                              *server->metrics_, *server->log_, d.clock);
  server->routes_ = AllRoutes();
  server->services_.reset(new ApiServices{*server->stores_, *server->accounts_,
                                          *server->audit_log_, *d.audit_store, *server->access_,
                                          *server->jobs_, *server->metrics_, *server->log_,
                                          d.clock, server->options_, server->routes_, tls});
  server->services_->distribution = d.distribution_store;
  server->services_->stats = d.stats_store;
  if (d.stats_store != nullptr) {
    server->jobs_->SetAfterBatch(StatsAfterBatchJob(*d.stats_store, d.open_stats));
    server->services_->after_decision = StatsAfterDecision(*d.stats_store, d.open_stats);
  }
  if (server->options_.upload_dir.empty()) {
    server->options_.upload_dir =
        (std::filesystem::temp_directory_path() / ("ichigen-uploads-" + std::to_string(::getpid())))
            .string();
  }
  if (tls) {
    auto ssl = std::make_unique<httplib::SSLServer>(server->options_.tls_cert.c_str(),
                                                    server->options_.tls_key.c_str());
    if (!ssl->is_valid()) {
      return core::Fail(core::Code::kInvalidArgument, "TLS証明書または秘密鍵を読み込めません",
                        "cannot load the TLS certificate or key",
                        server->options_.tls_cert + ", " + server->options_.tls_key);
    }
    server->http_ = std::move(ssl);
  } else {
    server->http_ = std::make_unique<PlainHttpServer>();
  }
  httplib::Server& http = *server->http_;
  const size_t threads = std::max<size_t>(server->options_.threads, 2);
  http.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  http.set_payload_max_length(static_cast<size_t>(server->options_.max_upload_bytes) + (1 << 20));
  http.set_keep_alive_max_count(1000);
  http.set_tcp_nodelay(true);
  ApiServer* self = server.get();
  // httplib listens with a backlog of 5: when hundreds of clients connect at
  // once the accept queue overflows and the kernel drops SYNs, which the
  // clients retry after 1, 3, 7 s. Keep the listening socket to raise it.
  http.set_socket_options([self](socket_t sock) {
    httplib::default_socket_options(sock);
    self->listen_socket_ = sock;
  });
  for (const Route& route : server->routes_.routes()) {
    const std::string pattern = PathRegex(route.path);
    switch (route.method) {
      case Method::kGet:
        http.Get(pattern, [self, &route](const httplib::Request& req, httplib::Response& res) {
          self->Dispatch(route, req, res, nullptr);
        });
        break;
      case Method::kPost:
        http.Post(pattern, [self, &route](const httplib::Request& req, httplib::Response& res,
                                          const httplib::ContentReader& reader) {
          self->Dispatch(route, req, res, &reader);
        });
        break;
      case Method::kDelete:
        http.Delete(pattern, [self, &route](const httplib::Request& req, httplib::Response& res,
                                            const httplib::ContentReader& reader) {
          self->Dispatch(route, req, res, &reader);
        });
        break;
    }
  }
  // Statuses httplib sets itself (no route, body too large, bad request
  // line) get the standard error body too.
  http.set_error_handler([self](const httplib::Request& req, httplib::Response& res) {
    if (!res.body.empty()) return;
    const core::Error error = HttpError(res.status);
    res.set_content(DumpJson(ErrorBody(error)), "application/json; charset=utf-8");
    self->metrics_->ObserveRequest(req.method, "unmatched", res.status, 0);
    self->log_->Write("info", "request",
                      {{"method", req.method}, {"route", "unmatched"}, {"status", res.status},
                       {"remote", req.remote_addr}});
  });
  return server;
}

core::Result<int> ApiServer::Start() {
  if (options_.port == 0) {
    port_ = http_->bind_to_any_port(options_.host);
  } else {
    port_ = http_->bind_to_port(options_.host, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    return core::Fail(core::Code::kUnavailable, "ポートを開けません（使用中か権限がありません）",
                      "cannot bind the port (in use, or not permitted)",
                      options_.host + ":" + std::to_string(options_.port));
  }
  // Linux lets listen() be called again to change the backlog.
  if (listen_socket_ >= 0) (void)::listen(listen_socket_, kListenBacklog);
  if (!options_.inbox_dir.empty()) {
    inbox_ = std::make_unique<Inbox>(options_.inbox_dir, *jobs_, *log_, options_.inbox_poll);
    RETURN_IF_ERROR(inbox_->Start());
  }
  listener_ = std::thread([this] {
    http_->listen_after_bind();
    listener_done_ = true;
  });
  // httplib's stop() does nothing until the listener thread has entered its
  // accept loop, so a stop signal that came right after Start() would leave
  // Stop() joining a listener that never ends: wait until it is running.
  while (!http_->is_running() && !listener_done_) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  log_->Write("info", "server started",
              {{"host", options_.host}, {"port", port_}, {"tls", services_->tls},
               {"inbox", options_.inbox_dir}});
  return port_;
}

void ApiServer::Wait() {
  if (listener_.joinable()) listener_.join();
}

void ApiServer::Stop() {
  if (stopped_) return;
  stopped_ = true;
  if (http_) http_->stop();
  if (listener_.joinable()) listener_.join();
  if (inbox_) inbox_->Stop();
  if (jobs_) jobs_->Shutdown();
  if (log_) log_->Write("info", "server stopped", {{"port", port_}});
  std::error_code ec;
  if (!options_.upload_dir.empty()) std::filesystem::remove_all(options_.upload_dir, ec);
}

core::Status ApiServer::Authenticate(Exchange& exchange) {
  const httplib::Request& request = exchange.request();
  const std::string authorization = request.get_header_value("Authorization");
  if (!authorization.empty()) {
    constexpr std::string_view kBearer = "Bearer ";
    if (authorization.rfind(kBearer, 0) != 0) {
      return core::Fail(core::Code::kUnauthenticated, "Authorization は Bearer トークンで指定してください",
                        "Authorization must be a Bearer token");
    }
    ASSIGN_OR_RETURN(Principal principal,
                     accounts_->AuthenticateBearer(authorization.substr(kBearer.size())));
    exchange.set_principal(std::move(principal));
    return core::Ok();
  }
  const std::string cookie = CookieValue(request, kSessionCookie);
  if (cookie.empty()) {
    return core::Fail(core::Code::kUnauthenticated, "ログインしてください", "log in first");
  }
  ASSIGN_OR_RETURN(Principal principal, accounts_->AuthenticateSession(cookie));
  exchange.set_principal(std::move(principal));
  return core::Ok();
}

core::Status ApiServer::ReadJsonBody(Exchange& exchange) {
  const httplib::Request& request = exchange.request();
  const int64_t limit = options_.max_json_bytes;
  if (request.has_header("Content-Length") &&
      request.get_header_value_count("Content-Length") == 1) {
    const std::string length = request.get_header_value("Content-Length");
    int64_t declared = 0;
    auto [ptr, ec] = std::from_chars(length.data(), length.data() + length.size(), declared);
    if (ec != std::errc() || ptr != length.data() + length.size() || declared > limit) {
      return core::Fail(core::Code::kResourceExhausted, "送信データが大きすぎます",
                        "request body too large", "limit=" + std::to_string(limit));
    }
  }
  std::string body;
  bool too_big = false;
  if (exchange.reader() != nullptr) {
    (*exchange.reader())([&](const char* data, size_t size) {
      // Keep reading past the limit (discarding) so the connection stays in step.
      if (static_cast<int64_t>(body.size() + size) > limit) {
        too_big = true;
      } else {
        body.append(data, size);
      }
      return true;
    });
  }
  if (too_big) {
    return core::Fail(core::Code::kResourceExhausted, "送信データが大きすぎます",
                      "request body too large", "limit=" + std::to_string(limit));
  }
  if (body.empty()) {
    exchange.set_json(nlohmann::json::object());
    return core::Ok();
  }
  nlohmann::json parsed = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return core::Fail(core::Code::kInvalidArgument,
                      "送信データをJSONとして読めません（文字コードはUTF-8にしてください）",
                      "the body is not valid JSON (it must be UTF-8)");
  }
  if (!parsed.is_object()) {
    return core::Fail(core::Code::kInvalidArgument, "送信データはJSONオブジェクトにしてください",
                      "the body must be a JSON object");
  }
  exchange.set_json(std::move(parsed));
  return core::Ok();
}

void ApiServer::Dispatch(const Route& route, const httplib::Request& request,
                         httplib::Response& response, const httplib::ContentReader* reader) {
  const auto started = std::chrono::steady_clock::now();
  Exchange exchange(route, request, response, reader, *services_);
  core::Status status = [&]() -> core::Status {
    if (!route.access.is_public) {
      RETURN_IF_ERROR(Authenticate(exchange));
      const Principal& p = exchange.principal();
      if (!route.access.Allows(p.role)) {
        return core::Fail(core::Code::kPermissionDenied, "この操作を行う権限がありません",
                          "your role may not do this", std::string(RoleName(p.role)));
      }
      if (p.token_read_only && route.method != Method::kGet) {
        return core::Fail(core::Code::kPermissionDenied, "読み取り専用のAPIトークンでは変更できません",
                          "a read-only API token cannot make changes");
      }
      if (!p.via_token && route.method != Method::kGet) {
        const std::string sent = request.get_header_value("X-CSRF-Token");
        if (sent.empty() || !ConstantTimeEquals(sent, p.csrf_token)) {
          return core::Fail(core::Code::kPermissionDenied,
                            "CSRFトークンがないか違います（X-CSRF-Token ヘッダー）",
                            "missing or wrong CSRF token (X-CSRF-Token header)");
        }
      }
      if (p.must_change_password && !AllowedBeforePasswordChange(route)) {
        return core::Fail(core::Code::kFailedPrecondition,
                          "パスワードが再設定されています。先にパスワードを変更してください",
                          "the password was reset; change it first",
                          "POST /api/v1/me/password");
      }
    }
    if (route.body == Body::kJson) RETURN_IF_ERROR(ReadJsonBody(exchange));
    try {
      return route.handler(exchange);
    } catch (const std::exception& e) {
      return core::Fail(core::Code::kInternal, "サーバー内部のエラーです", "internal error",
                        e.what());
    }
  }();
  if (!status) {
    const core::Error& error = status.error();
    // A throttled caller (log-in throttling: "retry_after=<seconds>") gets
    // 429 Too Many Requests and when to come back, not a generic 503.
    constexpr std::string_view kRetryAfter = "retry_after=";
    const bool throttled = error.code == core::Code::kUnavailable &&
                           error.context.starts_with(kRetryAfter);
    exchange.Reply(throttled ? kTooManyRequests : core::HttpStatusFor(error.code),
                   ErrorBody(error));
    if (throttled) response.set_header("Retry-After", error.context.substr(kRetryAfter.size()));
    if (error.code == core::Code::kUnauthenticated) {
      response.set_header("WWW-Authenticate", "Bearer");
    }
  }
  // API answers are never cached; the web assets set their own policy
  // (hashed files are immutable), which must not get a second header.
  if (!response.has_header("Cache-Control")) response.set_header("Cache-Control", "no-store");
  response.set_header("X-Content-Type-Options", "nosniff");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  metrics_->ObserveRequest(std::string(MethodName(route.method)), route.path, response.status,
                           seconds);
  // Successful reads are counted in /metrics; logging each would flood the
  // log (and building the line for nothing cost a few µs a request).
  if (!status || route.method != Method::kGet || seconds > 0.5) {
    nlohmann::json line = {{"method", MethodName(route.method)},
                           {"route", route.path},
                           {"path", request.path},
                           {"status", response.status},
                           {"ms", seconds * 1000},
                           {"remote", request.remote_addr}};
    if (exchange.authenticated()) line["user"] = exchange.principal().login;
    if (!status) line["error"] = core::CodeName(status.error().code);
    log_->Write(status ? "info" : "warn", "request", std::move(line));
  }
}

}  // namespace ichigen::api
