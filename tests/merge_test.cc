// Merging two patients by an operator, and undoing it, through a real store
// with real imported sheets: the survivor carries both histories, the
// merged-away patient drops out of the census and of searches and candidate
// blocks, and an unmerge gives both patients back exactly the state they had.
#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "domain/care_status.h"
#include "intake/importer.h"
#include "intake/merge_service.h"
#include "store/sqlite_store.h"

namespace ichigen {
namespace {

std::string Fixture(const std::string& name) {
  return std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/" + name;
}

constexpr const char* kDays[] = {"2022-08-01", "2022-08-02", "2022-08-05",
                                 "2022-08-09", "2022-08-15", "2022-08-20"};

class MergeTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    auto context = intake::IntakeContext::Load();
    ASSERT_TRUE(context.has_value()) << context.error().ToString();
    context_ = new intake::IntakeContext(std::move(*context));
    auto rules = domain::RecuperationRules::LoadDefault();
    ASSERT_TRUE(rules.has_value());
    rules_ = new domain::RecuperationRules(std::move(*rules));
  }
  static void TearDownTestSuite() {
    delete context_;
    delete rules_;
  }

  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_merge_test_" + std::to_string(::getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = store::SqliteStore::Open((dir_ / "a.db").string());
    ASSERT_TRUE(store.has_value());
    store_ = std::move(*store);
    for (const char* sheet : {"hersys_mixed.cp932.csv", "updates_hospital.cp932.csv"}) {
      intake::Importer importer(*store_, *context_);
      intake::ImportOptions options;
      options.today = *core::Date::ParseIso("2022-08-31");
      ASSERT_TRUE(importer.ImportFile(Fixture(sheet), options).has_value()) << sheet;
    }
    // In these tests' story 髙橋 一郎 (in みなと病院 from 8/3 to 8/9) turns
    // out to be a duplicate record of another patient.
    takahashi_ = (*store_->FindPatientByHersysId("1000001"))->id;
    yamada_ = (*store_->FindPatientByHersysId("1000002"))->id;
    sato_ = (*store_->FindPatientByHersysId("1000003"))->id;
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  domain::PatientState StateOf(int64_t patient_id, const char* iso) {
    auto events = store_->EventsOf(patient_id);
    EXPECT_TRUE(events.has_value());
    return domain::DeriveState(*events, *core::Date::ParseIso(iso),
                               std::numeric_limits<int64_t>::max(), *rules_);
  }
  std::vector<domain::PatientState> History(int64_t patient_id) {
    std::vector<domain::PatientState> states;
    for (const char* day : kDays) states.push_back(StateOf(patient_id, day));
    return states;
  }
  int64_t SearchCount(const store::PatientQuery& query) {
    auto page = store_->SearchPatients(query);
    EXPECT_TRUE(page.has_value());
    return page->total;
  }

  static intake::IntakeContext* context_;
  static domain::RecuperationRules* rules_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
  int64_t takahashi_ = 0, yamada_ = 0, sato_ = 0;
};

intake::IntakeContext* MergeTest::context_ = nullptr;
domain::RecuperationRules* MergeTest::rules_ = nullptr;

TEST_F(MergeTest, MergeCarriesTheHistoryToTheSurvivorAndUnmergeRestoresBothExactly) {
  const std::vector<domain::PatientState> survivor_before = History(sato_);
  const std::vector<domain::PatientState> merged_before = History(takahashi_);
  ASSERT_EQ(StateOf(takahashi_, "2022-08-05").status, domain::CareStatus::kHospitalized);
  ASSERT_NE(StateOf(sato_, "2022-08-05").status, domain::CareStatus::kHospitalized);
  store::PatientQuery by_id;
  by_id.hersys_id = "1000001";
  ASSERT_EQ(SearchCount(by_id), 1);

  intake::MergeService merges(*store_);
  auto merge = merges.Merge(sato_, takahashi_, "担当A", "同一人物（重複届出）");
  ASSERT_TRUE(merge.has_value()) << merge.error().ToString();
  EXPECT_GT(merge->id, 0);
  // Every event in force moved: notification and the stay's admission and discharge.
  EXPECT_EQ(merge->survivor_event_ids.size(), 3u);
  EXPECT_EQ(merge->merged_event_ids.size(), 3u);

  // The survivor carries the stay; the merged-away patient counts no more.
  const domain::PatientState survivor = StateOf(sato_, "2022-08-05");
  EXPECT_EQ(survivor.status, domain::CareStatus::kHospitalized);
  EXPECT_EQ(survivor.facility, "みなと病院");
  EXPECT_TRUE(survivor.InCensus());
  EXPECT_FALSE(StateOf(takahashi_, "2022-08-05").InCensus());
  // Searches show one person: not by the merged-away ID, not by its name.
  EXPECT_EQ(SearchCount(by_id), 0);
  store::PatientQuery by_name;
  by_name.name_prefix = (*store_->GetPatient(takahashi_))->name_folded;
  EXPECT_EQ(SearchCount(by_name), 0);
  // Nor do ID-less rows meet it as a candidate.
  store::CandidateQuery query;
  query.name_folded = by_name.name_prefix;
  auto candidates = store_->FindCandidates(query);
  ASSERT_TRUE(candidates.has_value());
  EXPECT_TRUE(candidates->patients.empty());
  // Who and why are kept, and the survivor leads to the merged-away patient.
  auto of_survivor = store_->MergeDecisionsOf(sato_);
  ASSERT_TRUE(of_survivor.has_value());
  ASSERT_EQ(of_survivor->size(), 1u);
  EXPECT_EQ((*of_survivor)[0].merged_id, takahashi_);
  EXPECT_EQ((*of_survivor)[0].decided_by, "担当A");
  EXPECT_EQ((*of_survivor)[0].reason, "同一人物（重複届出）");
  EXPECT_FALSE((*of_survivor)[0].decided_at.empty());

  auto unmerge = merges.Unmerge(merge->id, "担当B", "別人と判明");
  ASSERT_TRUE(unmerge.has_value()) << unmerge.error().ToString();
  EXPECT_EQ(unmerge->undoes, merge->id);
  EXPECT_EQ(History(sato_), survivor_before);
  EXPECT_EQ(History(takahashi_), merged_before);
  EXPECT_EQ(SearchCount(by_id), 1);
  EXPECT_EQ(store_->FindCandidates(query)->patients.size(), 1u);
  auto decisions = store_->MergeDecisionsOf(takahashi_);
  ASSERT_EQ(decisions->size(), 2u);
  EXPECT_TRUE((*decisions)[0].undone);
  EXPECT_EQ((*decisions)[1].action, "unmerge");
  EXPECT_EQ((*decisions)[1].decided_by, "担当B");

  // Undone once only; an unmerge itself cannot be undone.
  auto twice = merges.Unmerge(merge->id, "担当B", "x");
  ASSERT_FALSE(twice.has_value());
  EXPECT_EQ(twice.error().code, core::Code::kFailedPrecondition);
  EXPECT_EQ(merges.Unmerge(unmerge->id, "担当B", "x").error().code,
            core::Code::kFailedPrecondition);
  EXPECT_EQ(merges.Unmerge(999999, "担当B", "x").error().code, core::Code::kNotFound);

  // Merged again after the unmerge, the history comes back on the survivor.
  auto again = merges.Merge(sato_, takahashi_, "担当A", "再確認のうえ同一人物");
  ASSERT_TRUE(again.has_value()) << again.error().ToString();
  EXPECT_EQ(StateOf(sato_, "2022-08-05").status, domain::CareStatus::kHospitalized);
  EXPECT_FALSE(StateOf(takahashi_, "2022-08-05").InCensus());
}

TEST_F(MergeTest, MergesStayStarShapedAndBadRequestsSayWhy) {
  intake::MergeService merges(*store_);
  EXPECT_EQ(merges.Merge(yamada_, yamada_, "担当A", "x").error().code,
            core::Code::kInvalidArgument);
  EXPECT_EQ(merges.Merge(yamada_, 999999, "担当A", "x").error().code, core::Code::kNotFound);
  EXPECT_EQ(merges.Merge(yamada_, takahashi_, "担当A", "").error().code,
            core::Code::kInvalidArgument);
  ASSERT_TRUE(merges.Merge(yamada_, takahashi_, "担当A", "同一人物").has_value());
  // Merged away already.
  auto again = merges.Merge(sato_, takahashi_, "担当A", "x");
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::Code::kFailedPrecondition);
  EXPECT_NE(again.error().message.find("統合済み"), std::string::npos);
  // No chains: the merged-away patient cannot survive another merge, and a
  // survivor holding a merge cannot be merged away.
  EXPECT_EQ(merges.Merge(takahashi_, sato_, "担当A", "x").error().code,
            core::Code::kFailedPrecondition);
  EXPECT_EQ(merges.Merge(sato_, yamada_, "担当A", "x").error().code,
            core::Code::kFailedPrecondition);
  auto standing = merges.StandingMergeOf(takahashi_);
  ASSERT_TRUE(standing.has_value() && standing->has_value());
  EXPECT_EQ((*standing)->survivor_id, yamada_);
}

}  // namespace
}  // namespace ichigen
