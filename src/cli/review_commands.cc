// ichigen review list | show ID | link ID PATIENT | new ID | reject ID | undo ID
//               | merge SURVIVOR MERGED | unmerge MERGE_ID | merges PATIENT
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/cli.h"
#include "intake/importer.h"
#include "intake/merge_service.h"
#include "intake/review_service.h"

namespace ichigen::cli {

namespace {

nlohmann::json ItemJson(const store::ReviewItem& item) {
  nlohmann::json candidates = nlohmann::json::parse(
      item.candidates_json.empty() ? "[]" : item.candidates_json, nullptr, false);
  return {{"id", item.id},
          {"batch_id", item.batch_id},
          {"line", item.line},
          {"kind", item.kind},
          {"reason", item.reason_ja},
          {"reason_en", item.reason_en},
          {"status", item.status},
          {"row", nlohmann::json::parse(item.row_json, nullptr, false)},
          {"candidate_patient_id", item.candidate_patient_id},
          {"candidates", candidates.is_discarded() ? nlohmann::json::array() : candidates},
          {"decided_by", item.decided_by},
          {"decided_at", item.decided_at},
          {"decision_reason", item.decision_reason},
          {"linked_patient_id", item.linked_patient_id}};
}

std::string DefaultOperator() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "operator";
}

// The figures take a decision in (CliContext::after_decision): the note goes
// under its key in the JSON output, or on a line of its own. Its failure
// leaves the decision as recorded.
void AfterDecision(CliContext& context, nlohmann::json* json) {
  if (!context.after_decision) return;
  auto after = context.after_decision();
  if (!after) {
    std::cerr << "決定は記録しましたが、続く処理に失敗しました / the decision is recorded, but "
                 "what runs after it failed: "
              << after.error().ToString() << "\n";
    return;
  }
  if (!*after) return;
  if (json != nullptr) {
    (*json)[(*after)->key] = nlohmann::json::parse((*after)->json, nullptr, false);
  } else {
    std::cout << "  " << (*after)->line << "\n";
  }
}

// Runs a decision with a loaded store and intake context.
void Decide(CliContext& context, bool json,
            const std::function<core::Result<store::ReviewDecision>(intake::ReviewService&)>& act) {
  auto store = context.OpenStore();
  if (!store) return context.Report(store.error());
  auto intake_context = intake::IntakeContext::Load();
  if (!intake_context) return context.Report(intake_context.error());
  intake::ReviewService service(**store, *intake_context);
  auto decision = act(service);
  if (!decision) return context.Report(decision.error());
  if (json) {
    nlohmann::json out = {{"item_id", decision->item_id},
                          {"status", decision->status},
                          {"patient_id", decision->patient_id},
                          {"decided_by", decision->decided_by},
                          {"events", decision->event_ids}};
    AfterDecision(context, &out);
    std::cout << out.dump() << "\n";
  } else {
    std::cout << "確認項目 " << decision->item_id << ": " << decision->status;
    if (decision->patient_id != 0) std::cout << "（患者 " << decision->patient_id << "）";
    std::cout << "  記録 " << decision->event_ids.size() << " 件\n";
    AfterDecision(context, nullptr);
  }
}

nlohmann::json MergeJson(const store::MergeDecision& d) {
  return {{"id", d.id},
          {"action", d.action},
          {"survivor_id", d.survivor_id},
          {"merged_id", d.merged_id},
          {"undoes", d.undoes},
          {"undone", d.undone},
          {"decided_by", d.decided_by},
          {"reason", d.reason},
          {"decided_at", d.decided_at},
          {"survivor_events", d.survivor_event_ids},
          {"merged_events", d.merged_event_ids}};
}

void PrintMerge(const store::MergeDecision& d, bool json) {
  if (json) {
    std::cout << MergeJson(d).dump() << "\n";
    return;
  }
  std::cout << (d.action == "merge" ? "統合 " : "統合の取消 ") << d.id << ": 患者 " << d.merged_id
            << (d.action == "merge" ? " → 患者 " : " ← 患者 ") << d.survivor_id << "  記録 "
            << d.survivor_event_ids.size() + d.merged_event_ids.size() << " 件  " << d.decided_by
            << "「" << d.reason << "」";
  if (d.undoes != 0) std::cout << "（統合 " << d.undoes << " を取消）";
  if (d.undone) std::cout << "（取消済み）";
  std::cout << "\n";
}

// Prints a merge or unmerge just made, then lets the figures take it in.
void ReportMerge(CliContext& context, const store::MergeDecision& d, bool json) {
  if (json) {
    nlohmann::json out = MergeJson(d);
    AfterDecision(context, &out);
    std::cout << out.dump() << "\n";
    return;
  }
  PrintMerge(d, false);
  AfterDecision(context, nullptr);
}

void AddMergeCommands(CLI::App& review, CliContext& context) {
  struct Options {
    int64_t first = 0;
    int64_t second = 0;
    std::string by = DefaultOperator();
    std::string reason;
    bool json = false;
  };
  {
    auto options = std::make_shared<Options>();
    CLI::App* merge = review.add_subcommand(
        "merge", "二人の患者を統合する (merge MERGED into SURVIVOR; undo with unmerge)");
    merge->add_option("survivor", options->first, "patient id that stays")->required();
    merge->add_option("merged", options->second, "patient id merged into it")->required();
    merge->add_option("--reason,--why", options->reason, "reason (recorded)")->required();
    merge->add_option("--by", options->by, "operator name (recorded)")->capture_default_str();
    merge->add_flag("--json", options->json, "JSON");
    merge->callback([options, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      intake::MergeService service(**store);
      auto decision = service.Merge(options->first, options->second, options->by, options->reason);
      if (!decision) return context.Report(decision.error());
      ReportMerge(context, *decision, options->json);
    });
  }
  {
    auto options = std::make_shared<Options>();
    CLI::App* unmerge = review.add_subcommand("unmerge", "統合を取り消す (undo a merge)");
    unmerge->add_option("merge", options->first, "merge id (see: review merges PATIENT)")->required();
    unmerge->add_option("--reason,--why", options->reason, "reason (recorded)")->required();
    unmerge->add_option("--by", options->by, "operator name (recorded)")->capture_default_str();
    unmerge->add_flag("--json", options->json, "JSON");
    unmerge->callback([options, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      intake::MergeService service(**store);
      auto decision = service.Unmerge(options->first, options->by, options->reason);
      if (!decision) return context.Report(decision.error());
      ReportMerge(context, *decision, options->json);
    });
  }
  {
    auto options = std::make_shared<Options>();
    CLI::App* list = review.add_subcommand("merges", "患者の統合の記録 (merge decisions of a patient)");
    list->add_option("patient", options->first, "patient id")->required();
    list->add_flag("--json", options->json, "JSON lines");
    list->callback([options, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      auto decisions = (*store)->MergeDecisionsOf(options->first);
      if (!decisions) return context.Report(decisions.error());
      for (const store::MergeDecision& d : *decisions) PrintMerge(d, options->json);
    });
  }
}

}  // namespace

void AddReviewCommands(CLI::App& app, CliContext& context) {
  CLI::App* review = app.add_subcommand("review", "名寄せ確認 (the review queue)");
  review->require_subcommand(1);
  {
    struct Options {
      std::string status = "open";
      bool json = false;
    };
    auto options = std::make_shared<Options>();
    CLI::App* list = review->add_subcommand("list", "確認待ちの一覧 (list items)");
    list->add_option("--status", options->status, "open | linked | new | rejected")->capture_default_str();
    list->add_flag("--json", options->json, "JSON lines");
    list->callback([options, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      auto items = (*store)->ListReviewItems(options->status);
      if (!items) return context.Report(items.error());
      for (const store::ReviewItem& item : *items) {
        if (options->json) {
          std::cout << ItemJson(item).dump() << "\n";
        } else {
          std::cout << item.id << "\tバッチ " << item.batch_id << " " << item.line << " 行目\t"
                    << item.reason_ja << "\n";
        }
      }
      if (!options->json) std::cerr << items->size() << " 件\n";
    });
  }
  {
    struct Options {
      int64_t id = 0;
      bool json = false;
    };
    auto options = std::make_shared<Options>();
    CLI::App* show = review->add_subcommand("show", "入力行と候補を並べて表示 (the row beside its candidates)");
    show->add_option("id", options->id, "review item id")->required();
    show->add_flag("--json", options->json, "JSON");
    show->callback([options, &context]() {
      auto store = context.OpenStore();
      if (!store) return context.Report(store.error());
      auto item = (*store)->GetReviewItem(options->id);
      if (!item) return context.Report(item.error());
      const nlohmann::json out = ItemJson(*item);
      if (options->json) {
        std::cout << out.dump(2) << "\n";
        return;
      }
      std::cout << "確認項目 " << item->id << "（" << item->status << "）: " << item->reason_ja << "\n"
                << "入力行（バッチ " << item->batch_id << " " << item->line << " 行目）\n";
      if (out["row"].is_object()) {
        for (auto it = out["row"].begin(); it != out["row"].end(); ++it) {
          std::cout << "  " << it.key() << "\t" << it.value().get<std::string>() << "\n";
        }
      }
      int rank = 1;
      for (const nlohmann::json& c : out["candidates"]) {
        std::cout << "候補 " << rank++ << ": 患者 " << c.value("patient_id", 0) << " "
                  << c.value("hersys_id", "") << " " << c.value("name", "") << " "
                  << c.value("birth_date", "") << "  スコア " << c.value("score", 0.0) << "\n";
        for (const nlohmann::json& f : c["fields"]) std::cout << "    " << f.value("ja", "") << "\n";
        for (const nlohmann::json& v : c["vetoes"]) std::cout << "    ✕ " << v.value("ja", "") << "\n";
      }
      std::cout << "判断: ichigen review link " << item->id << " 患者番号 | new " << item->id
                << " | reject " << item->id << " --why 理由\n";
    });
  }
  struct Decision {
    int64_t id = 0;
    int64_t patient = 0;
    std::string by = DefaultOperator();
    std::string why;
    bool json = false;
  };
  auto add_decision = [&](const char* name, const char* help, bool needs_patient, bool needs_why,
                          auto act) {
    auto options = std::make_shared<Decision>();
    CLI::App* command = review->add_subcommand(name, help);
    command->add_option("id", options->id, "review item id")->required();
    if (needs_patient) command->add_option("patient", options->patient, "patient id")->required();
    auto* why = command->add_option("--why", options->why, "reason (recorded)");
    if (needs_why) why->required();
    command->add_option("--by", options->by, "operator name (recorded)")->capture_default_str();
    command->add_flag("--json", options->json, "JSON");
    command->callback([options, &context, act]() {
      Decide(context, options->json, [&](intake::ReviewService& service) { return act(service, *options); });
    });
  };
  add_decision("link", "患者に結び付ける (link the row to a patient)", true, false,
               [](intake::ReviewService& s, const Decision& d) { return s.Link(d.id, d.patient, d.by, d.why); });
  add_decision("new", "新しい患者として登録 (keep the row as a new person)", false, false,
               [](intake::ReviewService& s, const Decision& d) { return s.NewPerson(d.id, d.by, d.why); });
  add_decision("reject", "却下する (reject the row)", false, true,
               [](intake::ReviewService& s, const Decision& d) { return s.Reject(d.id, d.by, d.why); });
  add_decision("undo", "直前の判断を取り消す (undo the last decision)", false, false,
               [](intake::ReviewService& s, const Decision& d) { return s.Undo(d.id, d.by, d.why); });
  AddMergeCommands(*review, context);
}

}  // namespace ichigen::cli
