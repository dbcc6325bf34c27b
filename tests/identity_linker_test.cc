// The identity linker against a real store: an ID-less row meets its patient
// through the store's blocks, and the keys the linker keeps for a stored
// patient are made anew when that patient changes (its content hash), so a
// long batch never matches against stale names.
#include <gtest/gtest.h>

#include <filesystem>

#include "intake/identity_linker.h"
#include "intake/importer.h"
#include "store/sqlite_store.h"

namespace ichigen {
namespace {

class IdentityLinkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto context = intake::IntakeContext::Load();
    ASSERT_TRUE(context.has_value()) << context.error().ToString();
    context_ = std::make_unique<intake::IntakeContext>(std::move(*context));
    dir_ = std::filesystem::temp_directory_path() /
           ("ichigen_linker_test_" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    auto store = store::SqliteStore::Open((dir_ / "a.db").string());
    ASSERT_TRUE(store.has_value());
    store_ = std::move(*store);
    intake::Importer importer(*store_, *context_);
    intake::ImportOptions options;
    options.today = *core::Date::ParseIso("2022-08-31");
    ASSERT_TRUE(importer
                    .ImportFile(std::string(ICHIGEN_TEST_DATA_DIR) + "/intake/hersys_mixed.cp932.csv",
                                options)
                    .has_value());
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<intake::IntakeContext> context_;
  std::filesystem::path dir_;
  std::unique_ptr<store::Store> store_;
};

TEST_F(IdentityLinkerTest, KeptKeysFollowAChangedPatient) {
  intake::IdentityLinker linker(context_->identity_model, *context_->resolver);
  // 髙橋 written 高橋, everything else as stored: linked on evidence.
  const identity::RawPerson row = linker.RawFromRow(
      "高橋 一郎", "タカハシ イチロウ", "1970-03-02", "男", "090-9999-8888",
      "神奈川県横浜市中区山下町1-2-3", "");
  auto first = linker.Link(*store_, row);
  ASSERT_TRUE(first.has_value()) << first.error().ToString();
  auto takahashi = store_->FindPatientByHersysId("1000001");
  ASSERT_TRUE(takahashi.has_value() && takahashi->has_value());
  EXPECT_EQ(first->decision.outcome, identity::Outcome::kAutoLink);
  EXPECT_EQ(first->patient_id, (*takahashi)->id);
  EXPECT_EQ(first->hersys_id, "1000001");
  EXPECT_TRUE(first->candidates_json.empty());  // no evidence kept for an auto-link

  // The stored patient is corrected to another given name and birth date.
  store::PatientRecord changed = **takahashi;
  changed.name = "高橋 次郎";
  changed.name_key = "高橋次郎";
  changed.name_folded = "高橋次郎";
  changed.name_kana = "タカハシ ジロウ";
  changed.kana_key = "タカハシジロウ";
  changed.birth_date = "1972-11-20";
  changed.content_hash = "corrected";
  {
    store::BatchInfo info{.sha256 = "correction", .file_name = "c.csv", .source = "test",
                          .profile = "hersys", .encoding = "utf-8", .format = "csv",
                          .started_at = "2022-08-02T00:00:00Z"};
    auto writer = store_->BeginBatch(info);
    ASSERT_TRUE(writer.has_value());
    ASSERT_TRUE((*writer)->UpdatePatient(changed).has_value());
    ASSERT_TRUE((*writer)->Commit(info).has_value());
  }
  // The same linker (its kept keys) no longer links the row to him.
  auto second = linker.Link(*store_, row);
  ASSERT_TRUE(second.has_value()) << second.error().ToString();
  EXPECT_NE(second->decision.outcome, identity::Outcome::kAutoLink);
  EXPECT_FALSE(second->candidates_json.empty());  // queued with the evidence
}

}  // namespace
}  // namespace ichigen
