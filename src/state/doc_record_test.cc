#include "state/doc_record.h"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;
using namespace std::literals;

DocRecord Sample() {
  const std::string_view fields[] = {"Title", "", "a body with \xc3\xa9 and \0 bytes"sv};
  Document d;
  d.id = "doc-1";
  d.fields = fields;
  d.modified_at_ms = -5;
  d.truncated = true;
  return DocRecord::Of(d);
}

TEST(DocRecordTest, EncodesAndDecodesEveryField) {
  const DocRecord r = Sample();
  auto back = DocRecord::Decode(r.Encode());
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(*back, r);
  EXPECT_EQ(back->fields.size(), 3u);
  std::vector<std::string_view> views;
  const Document d = back->View("doc-1", &views);
  EXPECT_EQ(d.fields[0], "Title");
  EXPECT_EQ(d.modified_at_ms, -5);
  EXPECT_TRUE(d.truncated);
}

TEST(DocRecordTest, FingerprintSeesFieldBoundaries) {
  const std::string_view ab[] = {"ab", ""}, a_b[] = {"a", "b"}, same[] = {"ab", ""};
  EXPECT_NE(ContentFingerprint(ab), ContentFingerprint(a_b));
  EXPECT_EQ(ContentFingerprint(ab), ContentFingerprint(same));
}

TEST(DocRecordTest, DamagedRecordsAreDataLossNamingTheProblem) {
  const std::string good = Sample().Encode();
  auto expect = [](const std::string& bytes, const char* what) {
    auto r = DocRecord::Decode(bytes);
    ASSERT_FALSE(r.ok()) << what;
    EXPECT_TRUE(absl::IsDataLoss(r.status()));
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(what));
  };
  expect("", "magic");
  std::string v = good;
  v[1] = 9;
  expect(v, "version");
  expect(good.substr(0, good.size() - 3), "cut off");
  expect(good + "x", "trailing");
  std::string flipped = good;
  flipped.back() ^= 1;
  expect(flipped, "fingerprint");
}

}  // namespace
}  // namespace nightjar
