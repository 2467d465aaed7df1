#include "state/state_source.h"

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "count/pass.h"
#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

TEST(StateSourceTest, HandsOutEveryLiveDocumentOnceInIdOrder) {
  TempDir dir;
  StateOptions o;
  o.path = dir.Sub("state");
  o.sync = false;
  auto state = StateStore::Open(o);
  ASSERT_TRUE(state.ok());
  StateBatch b = (*state)->NewBatch();
  std::map<std::string, std::string> want;
  for (int i = 0; i < 50; ++i) {
    const std::string id = "d" + std::to_string(i);
    const std::string text = std::string(static_cast<size_t>(i) * 10, 'x');
    const std::string_view fields[] = {text};
    Document d;
    d.id = id;
    d.fields = fields;
    d.deleted = i % 7 == 0;  // tombstones are records, not documents
    b.PutDocument(id, DocRecord::Of(d));
    if (!d.deleted) want[id] = text;
  }
  ASSERT_TRUE((*state)->Commit(b).ok());
  for (size_t batch_bytes : {size_t{1}, size_t{100}, size_t{1} << 20}) {
    auto source = OpenStateSource(**state, batch_bytes);
    std::vector<std::string> order;
    std::map<std::string, std::string> got;
    DiscardRejects unused;
    while (true) {
      auto batch = source->Next();
      ASSERT_TRUE(batch.ok());
      if (*batch == nullptr) break;
      (*batch)->ForEach(
          [&](const Document& d) {
            order.emplace_back(d.id);
            EXPECT_TRUE(got.emplace(std::string(d.id), std::string(d.fields[0])).second);
          },
          unused);
    }
    EXPECT_EQ(got, want) << batch_bytes;
    EXPECT_TRUE(std::is_sorted(order.begin(), order.end()));
  }
}

}  // namespace
}  // namespace nightjar
