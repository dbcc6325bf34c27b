#include "intake/review_service.h"

#include <chrono>
#include <nlohmann/json.hpp>

#include "core/sha256.h"
#include "domain/care_status.h"
#include "intake/row_handler.h"
#include "text/kana.h"
#include "text/name.h"
#include "text/normalize.h"
#include "text/phone.h"

namespace ichigen::intake {

namespace {

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

core::Error Decided(const store::ReviewItem& item) {
  return core::Error{core::Code::kFailedPrecondition,
                     "この項目は判断済みです（" + item.status + "）。取り消してからやり直してください",
                     "this item was decided already (" + item.status + "); undo it first",
                     std::to_string(item.id)};
}

}  // namespace

ReviewService::ReviewService(store::Store& store, const IntakeContext& context)
    : store_(store), context_(context) {}

core::Result<ReviewService::Queued> ReviewService::LoadOpen(int64_t item_id) {
  Queued queued;
  ASSIGN_OR_RETURN(queued.item, store_.GetReviewItem(item_id));
  if (queued.item.status != "open") return std::unexpected(Decided(queued.item));
  ASSIGN_OR_RETURN(queued.batch, store_.GetBatch(queued.item.batch_id));
  for (const Profile& profile : context_.profiles) {
    if (profile.name == queued.batch.profile) queued.profile = &profile;
  }
  if (queued.profile == nullptr) {
    return core::Fail(core::Code::kFailedPrecondition, "取込プロファイルが見つかりません",
                      "the batch's profile is not known", queued.batch.profile);
  }
  const nlohmann::json row = nlohmann::json::parse(queued.item.row_json, nullptr, false);
  if (!row.is_object()) {
    return core::Fail(core::Code::kDataLoss, "確認項目の元データが壊れています",
                      "the queued row is damaged", std::to_string(item_id));
  }
  queued.values.assign(queued.profile->fields.size(), std::string());
  for (auto it = row.begin(); it != row.end(); ++it) {
    const int index = queued.profile->FieldIndex(it.key());
    if (index >= 0 && it.value().is_string()) queued.values[index] = it.value().get<std::string>();
  }
  return queued;
}

core::Result<std::vector<int64_t>> ReviewService::AddRowEvents(store::BatchWriter& writer,
                                                               const Queued& queued,
                                                               int64_t patient_id,
                                                               int decision_number) {
  const core::Date today = domain::JstDateOf(NowSeconds());
  auto events = UpdateRowEvents(*queued.profile, queued.values, today, NowSeconds(),
                                queued.batch.source, queued.item.line);
  if (!events) {
    return core::Fail(core::Code::kFailedPrecondition, events.error().ja, events.error().en);
  }
  std::vector<int64_t> added;
  for (domain::Event& event : *events) {
    // Keyed by the decision, so that a link undone and made again adds anew.
    const std::string key = "review|" + std::to_string(queued.item.id) + "|" +
                            std::to_string(decision_number) + "|" + UpdateEventKey(event);
    ASSIGN_OR_RETURN(bool stored, writer.AddEvent(patient_id, event, key));
    if (stored) added.push_back(event.id);
  }
  return added;
}

core::Result<store::ReviewDecision> ReviewService::Link(int64_t item_id, int64_t patient_id,
                                                        const std::string& by,
                                                        const std::string& why) {
  ASSIGN_OR_RETURN(Queued queued, LoadOpen(item_id));
  if (queued.profile->name != "updates") {
    return core::Fail(core::Code::kFailedPrecondition,
                      "この種類の行は結び付けできません。元のデータを訂正して取り込み直すか、却下してください",
                      "rows of this kind cannot be linked: correct the source and import it again, "
                      "or reject the item",
                      queued.profile->name);
  }
  ASSIGN_OR_RETURN(std::optional<store::PatientRecord> patient, store_.GetPatient(patient_id));
  if (!patient) {
    return core::Fail(core::Code::kNotFound, "その患者は登録されていません", "no such patient",
                      std::to_string(patient_id));
  }
  ASSIGN_OR_RETURN(std::vector<store::ReviewDecision> before, store_.DecisionsOf(item_id));
  ASSIGN_OR_RETURN(std::unique_ptr<store::BatchWriter> writer, store_.BeginDecision(queued.item.batch_id));
  store::ReviewDecision decision{item_id, "linked", patient_id, by, why, {}};
  ASSIGN_OR_RETURN(decision.event_ids,
                   AddRowEvents(*writer, queued, patient_id, static_cast<int>(before.size())));
  RETURN_IF_ERROR(writer->RecordDecision(decision));
  RETURN_IF_ERROR(writer->Commit({}));
  return decision;
}

core::Result<store::ReviewDecision> ReviewService::NewPerson(int64_t item_id, const std::string& by,
                                                             const std::string& why) {
  ASSIGN_OR_RETURN(Queued queued, LoadOpen(item_id));
  if (queued.profile->name != "updates") {
    return core::Fail(core::Code::kFailedPrecondition,
                      "この種類の行から新しい患者は作れません", "rows of this kind cannot become a new patient",
                      queued.profile->name);
  }
  auto value = [&](const char* field) {
    const int index = queued.profile->FieldIndex(field);
    return index < 0 ? std::string() : queued.values[index];
  };
  store::PatientRecord p;
  const text::NormalizedName name = text::NormalizeName(value("name"));
  if (name.key.empty()) {
    return core::Fail(core::Code::kFailedPrecondition, "氏名がない行は新しい患者にできません",
                      "a row without a name cannot become a patient");
  }
  p.name = name.display;
  p.name_key = name.key;
  p.name_folded = name.folded_key;
  if (!text::NormalizeText(value("name_kana")).empty()) {
    const text::NormalizedKana kana = text::NormalizeKana(value("name_kana"));
    p.name_kana = kana.katakana;
    p.kana_key = kana.phonetic;
  }
  auto birth = CheckDate(*queued.profile, queued.profile->FieldIndex("birth_date"), value("birth_date"),
                         domain::JstDateOf(NowSeconds()), false);
  if (birth && *birth) p.birth_date = (*birth)->ToIso();
  p.phone = text::NormalizeText(value("phone"));
  p.phone_key = text::NormalizePhone(value("phone")).key;
  const geo::Residence residence = context_.resolver->Resolve(value("address"));
  p.address = residence.normalized;
  if (residence.municipality != nullptr && residence.confidence >= geo::Confidence::kMedium) {
    p.municipality_code = residence.municipality->code6;
  }
  p.residence_confidence = std::string(geo::ConfidenceName(residence.confidence));
  p.flags = "no_notification";
  p.raw_json = queued.item.row_json;
  p.content_hash = core::Sha256Hex(p.raw_json).substr(0, 16);
  p.created_batch = queued.item.batch_id;
  p.updated_batch = queued.item.batch_id;
  ASSIGN_OR_RETURN(std::vector<store::ReviewDecision> before, store_.DecisionsOf(item_id));
  ASSIGN_OR_RETURN(std::unique_ptr<store::BatchWriter> writer, store_.BeginDecision(queued.item.batch_id));
  ASSIGN_OR_RETURN(int64_t patient_id, writer->InsertPatient(p));
  store::ReviewDecision decision{item_id, "new", patient_id, by, why, {}};
  ASSIGN_OR_RETURN(decision.event_ids,
                   AddRowEvents(*writer, queued, patient_id, static_cast<int>(before.size())));
  RETURN_IF_ERROR(writer->RecordDecision(decision));
  RETURN_IF_ERROR(writer->Commit({}));
  return decision;
}

core::Result<store::ReviewDecision> ReviewService::Reject(int64_t item_id, const std::string& by,
                                                          const std::string& why) {
  ASSIGN_OR_RETURN(store::ReviewItem item, store_.GetReviewItem(item_id));
  if (item.status != "open") return std::unexpected(Decided(item));
  ASSIGN_OR_RETURN(std::unique_ptr<store::BatchWriter> writer, store_.BeginDecision(item.batch_id));
  store::ReviewDecision decision{item_id, "rejected", 0, by, why, {}};
  RETURN_IF_ERROR(writer->RecordDecision(decision));
  RETURN_IF_ERROR(writer->Commit({}));
  return decision;
}

core::Result<store::ReviewDecision> ReviewService::Undo(int64_t item_id, const std::string& by,
                                                        const std::string& why) {
  ASSIGN_OR_RETURN(store::ReviewItem item, store_.GetReviewItem(item_id));
  if (item.status == "open") {
    return core::Fail(core::Code::kFailedPrecondition, "取り消す判断がありません",
                      "there is no decision to undo", std::to_string(item_id));
  }
  ASSIGN_OR_RETURN(std::vector<store::ReviewDecision> decisions, store_.DecisionsOf(item_id));
  if (decisions.empty()) {
    return core::Fail(core::Code::kDataLoss, "判断の記録が見つかりません", "the decision record is missing",
                      std::to_string(item_id));
  }
  const store::ReviewDecision& last = decisions.back();
  ASSIGN_OR_RETURN(std::unique_ptr<store::BatchWriter> writer, store_.BeginDecision(item.batch_id));
  store::ReviewDecision undo{item_id, "open", last.patient_id, by, why, {}};
  for (int64_t event_id : last.event_ids) {
    domain::Event cancel;
    cancel.type = domain::EventType::kCorrected;
    cancel.supersedes = event_id;
    cancel.cancels = true;
    cancel.effective_on = domain::JstDateOf(NowSeconds());
    cancel.received_at = NowSeconds();
    cancel.source = "名寄せ確認の取消:" + by;
    cancel.line = static_cast<int32_t>(item.line);
    ASSIGN_OR_RETURN(bool stored, writer->AddEvent(last.patient_id, cancel,
                                                   "undo|" + std::to_string(item_id) + "|" +
                                                       std::to_string(decisions.size()) + "|" +
                                                       std::to_string(event_id)));
    if (stored) undo.event_ids.push_back(cancel.id);
  }
  RETURN_IF_ERROR(writer->RecordDecision(undo));
  RETURN_IF_ERROR(writer->Commit({}));
  return undo;
}

}  // namespace ichigen::intake
