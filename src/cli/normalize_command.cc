#include "cli/normalize_command.h"

#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "core/result.h"
#include "geo/address.h"
#include "geo/registry.h"
#include "text/date_parser.h"
#include "text/kana.h"
#include "text/name.h"
#include "text/phone.h"

namespace ichigen::cli {

namespace {

using json = nlohmann::ordered_json;

json NameJson(const std::string& input) {
  const text::NormalizedName n = text::NormalizeName(input);
  return {{"input", input},       {"display", n.display}, {"key", n.key},
          {"folded_key", n.folded_key}, {"family", n.family}, {"given", n.given},
          {"has_split", n.has_split},   {"flags", n.flags}};
}

json KanaJson(const std::string& input) {
  const text::NormalizedKana k = text::NormalizeKana(input);
  return {{"input", input},
          {"katakana", k.katakana},
          {"key", k.key},
          {"phonetic", k.phonetic},
          {"family_phonetic", k.family_phonetic},
          {"given_phonetic", k.given_phonetic},
          {"has_split", k.has_split},
          {"valid", k.valid},
          {"flags", k.flags}};
}

json DateJson(const std::string& input) {
  const core::Result<text::ParsedDate> d = text::ParseDate(input);
  if (!d) {
    return {{"input", input},
            {"date", nullptr},
            {"error", d.error().message},
            {"error_en", d.error().message_en},
            {"flags", json::array({"invalid"})}};
  }
  return {{"input", input},
          {"date", d->date.ToIso()},
          {"form", std::string(text::DateFormName(d->form))},
          {"flags", json::array()}};
}

json PhoneJson(const std::string& input) {
  const text::NormalizedPhone p = text::NormalizePhone(input);
  json flags = json::array();
  if (!p.valid) flags.push_back("invalid");
  return {{"input", input},
          {"key", p.key},
          {"type", std::string(text::PhoneTypeName(p.type))},
          {"valid", p.valid},
          {"reason", p.reason},
          {"flags", flags}};
}

json AddressJson(const geo::AddressResolver& resolver, const std::string& line) {
  // "address<TAB>code<TAB>postal": the code and postal code are optional.
  std::string_view rest = line;
  const auto next = [&rest]() {
    const size_t tab = rest.find('\t');
    const std::string_view field = rest.substr(0, tab);
    rest.remove_prefix(tab == std::string_view::npos ? rest.size() : tab + 1);
    return field;
  };
  const std::string_view address = next();
  const std::string_view code = next();
  const std::string_view postal = next();
  const geo::Residence r = resolver.Resolve(address, code, postal);
  json out = {{"input", address}};
  if (!code.empty()) out["given_code"] = code;
  if (!postal.empty()) out["postal_code"] = postal;
  out["prefecture"] = r.prefecture != nullptr ? json(r.prefecture->name) : json(nullptr);
  if (r.municipality != nullptr) {
    out["municipality"] = r.municipality->full_name;
    out["code"] = r.municipality->code6;
    out["health_center"] = r.municipality->health_center;
  } else {
    out["municipality"] = nullptr;
    out["code"] = nullptr;
    out["health_center"] = nullptr;
  }
  out["rest"] = r.rest;
  out["normalized"] = r.normalized;
  out["confidence"] = std::string(geo::ConfidenceName(r.confidence));
  out["code_disagrees"] = r.code_disagrees;
  out["flags"] = r.flags;
  if (!r.candidates.empty()) {
    json candidates = json::array();
    for (const geo::Municipality* c : r.candidates) {
      candidates.push_back({{"code", c->code6}, {"municipality", c->prefecture_name + c->full_name}});
    }
    out["candidates"] = std::move(candidates);
  }
  return out;
}

// Writes one JSON line; invalid UTF-8 in the input is replaced, not thrown.
void Emit(const json& value) {
  std::cout << value.dump(-1, ' ', false, json::error_handler_t::replace) << '\n';
}

template <typename Fn>
void EachLine(Fn&& fn) {
  std::ios::sync_with_stdio(false);
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    Emit(fn(line));
  }
  std::cout.flush();
}

[[noreturn]] void Fail(const core::Error& error) {
  std::cerr << error.ToString() << "\n";
  // CLI11's own way to end a command with an exit code; caught by the app.
  throw CLI::RuntimeError(core::ExitCodeFor(error.code));
}

}  // namespace

void AddNormalizeCommand(CLI::App& app) {
  CLI::App* normalize = app.add_subcommand(
      "normalize", "値を1行ずつ正規化してJSONで出力 (normalize one value per line to JSON lines)");
  normalize->require_subcommand(1);
  normalize->add_subcommand("name", "氏名 (person names)")->callback([] { EachLine(NameJson); });
  normalize->add_subcommand("kana", "フリガナ (kana readings)")->callback([] { EachLine(KanaJson); });
  normalize->add_subcommand("date", "日付 (dates, 和暦 included)")->callback([] { EachLine(DateJson); });
  normalize->add_subcommand("phone", "電話番号 (phone numbers)")->callback([] { EachLine(PhoneJson); });
  normalize
      ->add_subcommand("address",
                       "住所 → 都道府県・市区町村・保健所 (address, or address<TAB>code<TAB>postal)")
      ->callback([] {
        core::Result<std::unique_ptr<geo::Registry>> registry = geo::Registry::Load();
        if (!registry) Fail(registry.error());
        core::Result<std::unique_ptr<geo::AddressResolver>> resolver =
            geo::AddressResolver::Create(**registry);
        if (!resolver) Fail(resolver.error());
        const geo::AddressResolver& r = **resolver;
        EachLine([&r](const std::string& line) { return AddressJson(r, line); });
      });
}

}  // namespace ichigen::cli
