#include "intake/reasons.h"

namespace ichigen::intake {

namespace {

struct ReasonRow {
  ReasonCode code;
  std::string_view name;
  std::string_view ja;
  std::string_view en;
};

constexpr ReasonRow kReasons[] = {
    {ReasonCode::kMalformedRow, "malformed_row", "行の形式が壊れています", "the row is malformed"},
    {ReasonCode::kBlankRow, "blank_row", "空の行です", "the row is empty"},
    {ReasonCode::kMissingRequired, "missing_required", "必須項目が空です", "a required field is empty"},
    {ReasonCode::kBadHersysId, "bad_hersys_id", "HER-SYS IDは6～8桁の数字です",
     "the HER-SYS ID must be 6 to 8 digits"},
    {ReasonCode::kBadDate, "bad_date", "日付として読めません", "not a valid date"},
    {ReasonCode::kDateOutOfRange, "date_out_of_range", "日付がありえない範囲です",
     "the date is out of the plausible range"},
    {ReasonCode::kBirthAfterNotified, "birth_after_notified", "生年月日が届出日より後です",
     "the birth date is after the notification date"},
    {ReasonCode::kBadSex, "bad_sex", "性別の値が不明です（男・女・その他・不明）",
     "unknown sex code (male, female, other, unknown)"},
    {ReasonCode::kBadAge, "bad_age", "年齢が正しくありません", "the age is not valid"},
    {ReasonCode::kBadMunicipalityCode, "bad_municipality_code", "市区町村コードが正しくありません",
     "the municipality code is not valid"},
    {ReasonCode::kBadValue, "bad_value", "選択肢にない値です", "the value is not one of the allowed values"},
    {ReasonCode::kInvalidEncoding, "invalid_encoding", "文字化けした文字があります",
     "the row contains undecodable characters"},
    {ReasonCode::kHersysIdContradiction, "hersys_id_contradiction",
     "HER-SYS IDの患者と氏名・生年月日が一致しません（確認が必要です）",
     "the HER-SYS ID names a patient whose name and birth date differ (needs review)"},
    {ReasonCode::kUnknownHersysId, "unknown_hersys_id",
     "このHER-SYS IDの患者は登録されていません（確認が必要です）",
     "no patient has this HER-SYS ID (needs review)"},
    {ReasonCode::kMergedHersysId, "merged_hersys_id",
     "このHER-SYS IDの患者は別の患者に統合済みのため、変更を反映していません（確認が必要です）",
     "this HER-SYS ID's patient was merged into another, so the changes were not applied "
     "(needs review)"},
    {ReasonCode::kNoHersysId, "no_hersys_id",
     "HER-SYS IDがないため、どの患者か確認が必要です",
     "no HER-SYS ID: the patient must be identified (needs review)"},
    {ReasonCode::kMissingEvent, "missing_event", "区分と日付（または入院日などの日付）がありません",
     "no event and date (or an event date such as admission date)"},
    {ReasonCode::kStayOrder, "stay_order", "終了日が開始日より前です", "the stay ends before it starts"},
    {ReasonCode::kEventsAdded, "events_added", "療養の記録を追加しました", "care events added"},
    {ReasonCode::kAutoLinked, "auto_linked", "氏名・生年月日などから患者を特定し、記録を追加しました",
     "identified the patient from name, birth date and more; events added"},
    {ReasonCode::kIdentityReview, "identity_review", "候補の患者が見つかりましたが確定できません（確認が必要です）",
     "possible patients found, none certain (needs review)"},
    {ReasonCode::kNoMatch, "no_match", "該当する患者が見つかりません（確認が必要です）",
     "no matching patient found (needs review)"},
    {ReasonCode::kUnchanged, "unchanged", "登録済みの内容と同じです", "same as stored"},
    {ReasonCode::kUpdated, "updated", "登録済みの患者を更新しました", "updated the stored patient"},
};

const ReasonRow& Row(ReasonCode code) {
  for (const ReasonRow& row : kReasons) {
    if (row.code == code) return row;
  }
  return kReasons[0];
}

}  // namespace

std::string_view ReasonCodeName(ReasonCode code) { return Row(code).name; }

Reason MakeReason(ReasonCode code, std::string_view detail_ja, std::string_view detail_en) {
  const ReasonRow& row = Row(code);
  Reason reason{code, std::string(row.ja), std::string(row.en)};
  if (!detail_ja.empty()) {
    reason.ja += "：";
    reason.ja += detail_ja;
  }
  if (!detail_en.empty()) {
    reason.en += ": ";
    reason.en += detail_en;
  }
  return reason;
}

}  // namespace ichigen::intake
