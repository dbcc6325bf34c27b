#include "identity/decision.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>

namespace ichigen::identity {
namespace {

RawPerson Taro() {
  return {.name = "佐藤 太郎",
          .name_kana = "サトウ タロウ",
          .birth_date = "1970-03-02",
          .sex = "男",
          .phone = "090-1234-5678",
          .municipality_code = "13101",
          .address_rest = "本町3丁目4-5"};
}

class DecideTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto m = LoadDefaultModel();
    ASSERT_TRUE(m.has_value());
    model_ = *m;
    policy_.thresholds = model_.thresholds;
  }
  // Adds a stored patient and returns its candidate entry against `row`.
  ScoredCandidate Candidate(int64_t id, const RawPerson& patient, const PersonKeys& row) {
    stored_.push_back(MakeKeys(patient));
    const ComparisonVector v = Compare(row, stored_.back());
    return {id, &stored_.back(), v, TotalWeight(model_, v)};
  }
  bool HasVeto(const Decision& d, Veto veto) {
    return std::find(d.vetoes.begin(), d.vetoes.end(), veto) != d.vetoes.end();
  }

  ModelParameters model_;
  DecisionPolicy policy_;
  std::deque<PersonKeys> stored_;  // stable addresses
};

TEST_F(DecideTest, StrongUniqueMatchIsLinked) {
  RawPerson raw = Taro();
  raw.name = "佐藤太郎";        // no space
  raw.phone = "09012345678";  // another format
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(7, Taro(), row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_EQ(d.outcome, Outcome::kAutoLink) << d.reason_en;
  EXPECT_EQ(d.patient_id, 7);
  EXPECT_GE(d.top_score, policy_.thresholds.auto_link);
  EXPECT_TRUE(d.vetoes.empty());
}

TEST_F(DecideTest, NoCandidatesFollowsTheProfile) {
  const PersonKeys row = MakeKeys(Taro());
  EXPECT_EQ(Decide(row, {}, policy_).outcome, Outcome::kNewPerson);
  policy_.unmatched = UnmatchedAction::kReject;
  EXPECT_EQ(Decide(row, {}, policy_).outcome, Outcome::kReject);
  RawPerson other = Taro();
  other.name = "鈴木 花子";
  other.name_kana = "スズキ ハナコ";
  other.birth_date = "1988-12-24";
  other.sex = "女";
  other.phone = "03-5555-6666";
  std::vector<ScoredCandidate> c = {Candidate(1, other, row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_EQ(d.outcome, Outcome::kReject);
  EXPECT_LT(d.top_score, policy_.thresholds.review);
}

TEST_F(DecideTest, MarginDecidesBetweenTwoGoodCandidates) {
  // A row without phone or address cannot tell apart two patients with the
  // same name and birth date: review, never a coin toss.
  RawPerson raw = Taro();
  raw.phone.clear();
  raw.municipality_code.clear();
  raw.address_rest.clear();
  const PersonKeys row = MakeKeys(raw);
  RawPerson namesake = Taro();
  namesake.phone = "080-9999-0000";
  namesake.municipality_code = "13102";
  namesake.address_rest = "栄町1-1";
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row), Candidate(2, namesake, row)};
  Decision d = Decide(row, c, policy_);
  EXPECT_EQ(d.outcome, Outcome::kReview);
  EXPECT_LT(d.margin, policy_.thresholds.margin);
  EXPECT_EQ(d.ranked.size(), 2u);
  // With the phone, the row's own patient stands clear of the namesake.
  const PersonKeys full = MakeKeys(Taro());
  c = {Candidate(1, Taro(), full), Candidate(2, namesake, full)};
  d = Decide(full, c, policy_);
  EXPECT_EQ(d.outcome, Outcome::kAutoLink) << d.reason_en;
  EXPECT_EQ(d.patient_id, 1);
  EXPECT_GE(d.margin, policy_.thresholds.margin);
  // Raising the required margin above the gap sends it to review.
  policy_.thresholds.margin = d.margin + 1;
  EXPECT_EQ(Decide(full, c, policy_).outcome, Outcome::kReview);
}

TEST_F(DecideTest, SexConflictVetoes) {
  RawPerson raw = Taro();
  raw.sex = "女";
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kSexConflict));
  EXPECT_EQ(d.outcome, Outcome::kReview);
}

TEST_F(DecideTest, ConflictingHersysIdsVeto) {
  RawPerson raw = Taro();
  raw.hersys_id = "1111111";
  RawPerson stored = Taro();
  stored.hersys_id = "2222222";
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, stored, row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kHersysIdConflict));
  EXPECT_EQ(d.outcome, Outcome::kReview);
}

TEST_F(DecideTest, TwinsVeto) {
  // The row is 次郎; only his twin 太郎 is stored: same family, birth date,
  // address and phone. It must not be linked however high it scores.
  RawPerson raw = Taro();
  raw.name = "佐藤 次郎";
  raw.name_kana = "サトウ ジロウ";
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kTwins));
  EXPECT_NE(d.outcome, Outcome::kAutoLink);
  // A kanji typo with the right reading is not a twin.
  raw.name = "佐藤 太朗";
  raw.name_kana = "サトウ タロウ";
  const PersonKeys typo = MakeKeys(raw);
  std::vector<ScoredCandidate> c2 = {Candidate(2, Taro(), typo)};
  EXPECT_FALSE(HasVeto(Decide(typo, c2, policy_), Veto::kTwins));
}

TEST_F(DecideTest, TwinsVetoWhenNamesAreWrittenWithoutASpace) {
  // The store keeps 佐藤太郎 as HER-SYS wrote it, run together; the row is
  // his twin 次郎 with a birth-date slip.
  RawPerson stored = Taro();
  stored.name = "佐藤太郎";
  stored.name_kana = "サトウタロウ";
  RawPerson raw = Taro();
  raw.birth_date = "1970-03-12";  // one digit
  // The row's reading is split: the stored one borrows its family reading.
  raw.name = "佐藤次郎";
  raw.name_kana = "さとう じろう";
  const PersonKeys split_kana = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, stored, split_kana)};
  const Decision d = Decide(split_kana, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kTwins)) << d.reason_en;
  EXPECT_NE(d.outcome, Outcome::kAutoLink);
  // No reading on the row and no split anywhere: the shared first character
  // stands for the family name.
  raw.name_kana.clear();
  const PersonKeys no_kana = MakeKeys(raw);
  std::vector<ScoredCandidate> c2 = {Candidate(2, stored, no_kana)};
  EXPECT_TRUE(HasVeto(Decide(no_kana, c2, policy_), Veto::kTwins));
  // The same person with a kanji typo and the right reading is no twin.
  raw.name = "佐藤太朗";
  raw.name_kana = "サトウ タロウ";
  const PersonKeys typo = MakeKeys(raw);
  std::vector<ScoredCandidate> c3 = {Candidate(3, stored, typo)};
  EXPECT_FALSE(HasVeto(Decide(typo, c3, policy_), Veto::kTwins));
}

TEST_F(DecideTest, TwinRowLinksToItsOwnTwinNotTheOther) {
  RawPerson jiro = Taro();
  jiro.name = "佐藤 次郎";
  jiro.name_kana = "サトウ ジロウ";
  const PersonKeys row = MakeKeys(jiro);
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row), Candidate(2, jiro, row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_EQ(d.outcome, Outcome::kAutoLink) << d.reason_en;
  EXPECT_EQ(d.patient_id, 2);
}

TEST_F(DecideTest, ConfusableNameVetoes) {
  RawPerson stored = Taro();
  stored.name = "斎藤 太郎";
  stored.name_kana = "サイトウ タロウ";
  RawPerson raw = stored;
  raw.name = "斉藤 太郎";
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, stored, row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kConfusableName));
  EXPECT_NE(d.outcome, Outcome::kAutoLink);
}

TEST_F(DecideTest, HersysIdLinksWhenNameOrBirthCorroborates) {
  RawPerson stored = Taro();
  stored.hersys_id = "1234567";
  RawPerson raw = Taro();
  raw.hersys_id = "1234567";
  raw.phone.clear();
  raw.address_rest.clear();
  raw.municipality_code.clear();
  raw.birth_date = "1980-01-01";  // wrong, but the name agrees
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, stored, row)};
  Decision d = Decide(row, c, policy_);
  EXPECT_EQ(d.outcome, Outcome::kAutoLink) << d.reason_en;
  EXPECT_TRUE(d.by_hersys_id);
  EXPECT_EQ(d.patient_id, 1);
}

TEST_F(DecideTest, HersysIdContradictedByNameAndBirthIsNotLinked) {
  RawPerson stored = Taro();
  stored.hersys_id = "1234567";
  RawPerson raw;
  raw.name = "鈴木 花子";
  raw.name_kana = "スズキ ハナコ";
  raw.birth_date = "1991-08-15";
  raw.hersys_id = "1234567";
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, stored, row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_EQ(d.outcome, Outcome::kReview);
  EXPECT_FALSE(d.by_hersys_id);
  ASSERT_FALSE(d.ranked.empty());
  EXPECT_EQ(d.ranked[0], 0u);
}

TEST_F(DecideTest, SameInputSameDecision) {
  const PersonKeys row = MakeKeys(Taro());
  std::vector<ScoredCandidate> c = {Candidate(5, Taro(), row), Candidate(3, Taro(), row)};
  const Decision a = Decide(row, c, policy_);
  std::swap(c[0], c[1]);
  const Decision b = Decide(row, c, policy_);
  EXPECT_EQ(a.outcome, Outcome::kReview);  // identical candidates: margin 0
  ASSERT_EQ(a.ranked.size(), 2u);
  EXPECT_EQ(c[b.ranked[0]].patient_id, 3);  // ties broken by patient id
}

TEST_F(DecideTest, NamesakeInAnotherTownIsNotLinked) {
  // Same name, kana, sex and birth date; another town of the same
  // municipality; no phone on the row: a namesake or a move, never a link.
  RawPerson raw = Taro();
  raw.address_rest = "栄町1丁目2-3";
  raw.phone.clear();
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row)};
  Decision d = Decide(row, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kAddressConflict));
  EXPECT_EQ(d.outcome, Outcome::kReview) << d.reason_en;
  // Another municipality: the same.
  raw.municipality_code = "13102";
  const PersonKeys row2 = MakeKeys(raw);
  std::vector<ScoredCandidate> c2 = {Candidate(2, Taro(), row2)};
  d = Decide(row2, c2, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kAddressConflict));
  EXPECT_EQ(d.outcome, Outcome::kReview);
}

TEST_F(DecideTest, PersonalPhoneVouchesForAMoveButASharedOneDoesNot) {
  RawPerson raw = Taro();
  raw.address_rest = "栄町1丁目2-3";
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row)};
  Decision d = Decide(row, c, policy_);
  EXPECT_FALSE(HasVeto(d, Veto::kAddressConflict));
  EXPECT_EQ(d.outcome, Outcome::kAutoLink) << d.reason_en;
  // The same number used by a household: not the person's own.
  PersonKeys shared = MakeKeys(Taro());
  shared.phone_shared_count = 3;
  stored_.push_back(shared);
  const ComparisonVector v = Compare(row, stored_.back());
  EXPECT_EQ(v.phone(), PhoneLevel::kExactShared);
  std::vector<ScoredCandidate> c2 = {{2, &stored_.back(), v, TotalWeight(model_, v)}};
  d = Decide(row, c2, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kAddressConflict));
  EXPECT_NE(d.outcome, Outcome::kAutoLink);
}

TEST_F(DecideTest, UnrelatedBirthDateVetoes) {
  // Same name, household and phone, a birth date no slip explains: a
  // father and son of one name, or a wrong date.
  RawPerson raw = Taro();
  raw.birth_date = "1998-11-20";
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kBirthConflict));
  EXPECT_NE(d.outcome, Outcome::kAutoLink);
  // A day-month swap is a slip, not a conflict.
  RawPerson swapped = Taro();
  swapped.birth_date = "1970-02-03";
  const PersonKeys row2 = MakeKeys(swapped);
  std::vector<ScoredCandidate> c2 = {Candidate(2, Taro(), row2)};
  EXPECT_FALSE(HasVeto(Decide(row2, c2, policy_), Veto::kBirthConflict));
}

TEST_F(DecideTest, UnrelatedNameWithoutKanaVetoes) {
  RawPerson raw = Taro();
  raw.name = "鈴木 一郎";
  raw.name_kana.clear();
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kNameConflict));
  EXPECT_NE(d.outcome, Outcome::kAutoLink);
  // Kana that agree make a kanji difference another way of writing it.
  RawPerson other_kanji = Taro();
  other_kanji.name = "左東 多朗";
  const PersonKeys row2 = MakeKeys(other_kanji);
  std::vector<ScoredCandidate> c2 = {Candidate(2, Taro(), row2)};
  EXPECT_FALSE(HasVeto(Decide(row2, c2, policy_), Veto::kNameConflict));
}

TEST_F(DecideTest, TwinWithABirthDateSlipIsStillATwin) {
  RawPerson jiro = Taro();
  jiro.name = "佐藤 次郎";
  jiro.name_kana = "サトウ ジロウ";
  jiro.birth_date = "1970-02-03";  // day and month swapped on the sheet
  const PersonKeys row = MakeKeys(jiro);
  std::vector<ScoredCandidate> c = {Candidate(1, Taro(), row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_TRUE(HasVeto(d, Veto::kTwins));
  EXPECT_NE(d.outcome, Outcome::kAutoLink);
}

TEST_F(DecideTest, CorroboratedHersysIdLinksAcrossAMove) {
  RawPerson stored = Taro();
  stored.hersys_id = "1234567";
  RawPerson raw = Taro();
  raw.hersys_id = "1234567";
  raw.address_rest = "栄町1丁目2-3";
  raw.municipality_code = "13102";
  raw.phone.clear();
  const PersonKeys row = MakeKeys(raw);
  std::vector<ScoredCandidate> c = {Candidate(1, stored, row)};
  const Decision d = Decide(row, c, policy_);
  EXPECT_EQ(d.outcome, Outcome::kAutoLink) << d.reason_en;
  EXPECT_TRUE(d.by_hersys_id);
  EXPECT_FALSE(HasVeto(d, Veto::kAddressConflict));
}

}  // namespace
}  // namespace ichigen::identity
