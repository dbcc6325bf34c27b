// ichigen user add|list|disable|enable|reset-password|token
#include "cli/user_commands.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "api/account_service.h"
#include "api/random.h"
#include "audit/audit_log.h"

namespace ichigen::cli {

namespace {

// Opens the account and audit stores, the service and the audit log.
struct Admin {
  std::unique_ptr<store::AccountStore> accounts;
  std::unique_ptr<store::AuditStore> audit_store;
  std::unique_ptr<api::SodiumRandom> random;
  std::unique_ptr<api::AccountService> service;
  std::unique_ptr<audit::AuditLog> log;

  static core::Result<Admin> Open(const CliContext& context, const ServerStores& stores) {
    Admin admin;
    ASSIGN_OR_RETURN(admin.accounts, stores.open_accounts(context.db_path));
    ASSIGN_OR_RETURN(admin.audit_store, stores.open_audit(context.db_path));
    admin.random = std::make_unique<api::SodiumRandom>();
    admin.service = std::make_unique<api::AccountService>(
        *admin.accounts, audit::SystemClock(), *admin.random, api::PasswordParams::Interactive());
    ASSIGN_OR_RETURN(admin.log, audit::AuditLog::Open(*admin.audit_store, audit::SystemClock()));
    return admin;
  }

  core::Status Audit(const std::string& action, int64_t user_id, nlohmann::json details) {
    const char* os_user = std::getenv("USER");
    audit::AuditEvent event{std::string("cli:") + (os_user ? os_user : "unknown"), "cli", action,
                            {"user:" + std::to_string(user_id)}, "cli", "利用者管理",
                            details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
    RETURN_IF_ERROR(log->Append(event));
    return core::Ok();
  }
};

core::Result<std::string> ReadPassword(bool from_stdin, api::AccountService& service,
                                       bool& generated) {
  generated = !from_stdin;
  if (!from_stdin) return service.NewPassword();
  std::string line;
  std::getline(std::cin, line);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (line.empty()) {
    return core::Fail(core::Code::kInvalidArgument, "標準入力からパスワードを読めません",
                      "no password on standard input");
  }
  return line;
}

}  // namespace

void AddUserCommands(CLI::App& app, CliContext& context, ServerStores& stores) {
  CLI::App* user = app.add_subcommand("user", "利用者の管理 (user accounts)");
  user->require_subcommand(1);
  {
    struct Options {
      std::string login, role, scope, name;
      bool password_stdin = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* add = user->add_subcommand("add", "利用者を追加する (password generated and printed "
                                                 "once, or read with --password-stdin)");
    add->add_option("login", o->login, "login name")->required();
    add->add_option("--role", o->role,
                    "admin | operator | health_center | facility | municipality | auditor")
        ->required();
    add->add_option("--scope", o->scope,
                    "health-center name, facility name, or municipality code6");
    add->add_option("--name", o->name, "display name");
    add->add_flag("--password-stdin", o->password_stdin, "read the password from standard input");
    add->callback([o, &context, &stores]() {
      auto admin = Admin::Open(context, stores);
      if (!admin) return context.Report(admin.error());
      auto role = api::ParseRole(o->role);
      if (!role) return context.Report(role.error());
      bool generated = false;
      auto password = ReadPassword(o->password_stdin, *admin->service, generated);
      if (!password) return context.Report(password.error());
      auto added = admin->service->AddUser(o->login, *role, o->scope, o->name, *password);
      if (!added) return context.Report(added.error());
      if (auto audited = admin->Audit("user.add", added->id, {{"login", o->login}, {"role", o->role},
                                                               {"scope", o->scope}});
          !audited) {
        return context.Report(audited.error());
      }
      std::cout << "利用者 " << o->login << "（" << api::RoleNameJa(*role) << "）を追加しました / added\n";
      if (generated) {
        std::cout << "パスワード（一度だけ表示します） / password (shown once): " << *password << "\n";
      }
    });
  }
  {
    auto json = std::make_shared<bool>(false);
    CLI::App* list = user->add_subcommand("list", "利用者の一覧");
    list->add_flag("--json", *json, "one JSON object per user");
    list->callback([json, &context, &stores]() {
      auto admin = Admin::Open(context, stores);
      if (!admin) return context.Report(admin.error());
      auto users = admin->service->ListUsers();
      if (!users) return context.Report(users.error());
      for (const store::UserRecord& u : *users) {
        if (*json) {
          std::cout << nlohmann::json{{"id", u.id}, {"login", u.login}, {"display_name", u.display_name},
                                      {"role", u.role}, {"scope", u.scope}, {"disabled", u.disabled},
                                      {"locked_until", u.locked_until},
                                      {"failed_attempts", u.failed_attempts}}
                           .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)
                    << "\n";
        } else {
          std::cout << u.id << "\t" << u.login << "\t" << u.role << "\t" << u.scope << "\t"
                    << u.display_name << (u.disabled ? "\t無効" : "")
                    << (u.locked_until.empty() ? "" : "\tロック中 " + u.locked_until) << "\n";
        }
      }
    });
  }
  for (bool disable : {true, false}) {
    auto login = std::make_shared<std::string>();
    CLI::App* command = user->add_subcommand(disable ? "disable" : "enable",
                                             disable ? "利用者を無効にする (ends sessions, revokes tokens)"
                                                     : "利用者を有効に戻す");
    command->add_option("login", *login, "login name")->required();
    command->callback([login, disable, &context, &stores]() {
      auto admin = Admin::Open(context, stores);
      if (!admin) return context.Report(admin.error());
      auto user_record = admin->service->SetDisabled(*login, disable);
      if (!user_record) return context.Report(user_record.error());
      if (auto audited = admin->Audit(disable ? "user.disable" : "user.enable", user_record->id,
                                      {{"login", *login}});
          !audited) {
        return context.Report(audited.error());
      }
      std::cout << *login << (disable ? ": 無効にしました / disabled\n" : ": 有効にしました / enabled\n");
    });
  }
  {
    struct Options {
      std::string login;
      bool password_stdin = false;
    };
    auto o = std::make_shared<Options>();
    CLI::App* reset = user->add_subcommand(
        "reset-password", "パスワードを再設定する (unlocks; must be changed at next log-in)");
    reset->add_option("login", o->login, "login name")->required();
    reset->add_flag("--password-stdin", o->password_stdin, "read the password from standard input");
    reset->callback([o, &context, &stores]() {
      auto admin = Admin::Open(context, stores);
      if (!admin) return context.Report(admin.error());
      bool generated = false;
      auto password = ReadPassword(o->password_stdin, *admin->service, generated);
      if (!password) return context.Report(password.error());
      auto user_record = admin->service->ResetPassword(o->login, *password);
      if (!user_record) return context.Report(user_record.error());
      if (auto audited = admin->Audit("user.reset_password", user_record->id, {{"login", o->login}});
          !audited) {
        return context.Report(audited.error());
      }
      std::cout << o->login << ": パスワードを再設定しました / password reset\n";
      if (generated) {
        std::cout << "パスワード（一度だけ表示します） / password (shown once): " << *password << "\n";
      }
    });
  }
  {
    struct Options {
      std::string login, name, scope = "full";
    };
    auto o = std::make_shared<Options>();
    CLI::App* token = user->add_subcommand("token", "APIトークンを発行する (printed once)");
    token->add_option("login", o->login, "login name")->required();
    token->add_option("--name", o->name, "what the token is for")->required();
    token->add_option("--scope", o->scope, "full | read")->capture_default_str();
    token->callback([o, &context, &stores]() {
      auto admin = Admin::Open(context, stores);
      if (!admin) return context.Report(admin.error());
      auto user_record = admin->service->GetUserByLogin(o->login);
      if (!user_record) return context.Report(user_record.error());
      auto issued = admin->service->IssueToken(user_record->id, o->name, o->scope);
      if (!issued) return context.Report(issued.error());
      if (auto audited = admin->Audit("token.issue", user_record->id,
                                      {{"token_id", issued->record.id}, {"scope", o->scope}});
          !audited) {
        return context.Report(audited.error());
      }
      std::cout << issued->token << std::endl;
    });
  }
}

}  // namespace ichigen::cli
