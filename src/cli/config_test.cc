#include "cli/config.h"

#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "util/temp_dir.h"

namespace nightjar {
namespace {

using ::testing::HasSubstr;

std::string Message(const absl::StatusOr<Config>& c) { return std::string(c.status().message()); }

TEST(ConfigTest, DefaultsWithoutFileEnvOrFlags) {
  auto c = LoadConfig("", {}, {});
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->store_uri, "dir:./var/nightjar");
  EXPECT_DOUBLE_EQ(c->max_reject_share, 0.01);
  EXPECT_EQ(c->count.ngram_min, 1);
  EXPECT_EQ(c->count.ngram_max, 3);
  EXPECT_EQ(c->source.schema.id_fields, (std::vector<std::string>{"_id", "id"}));
}

TEST(ConfigTest, TomlThenEnvironmentThenFlags) {
  TempDir dir;
  std::string path = dir.Write("n.toml", R"(
[corpus]
uri = "jsonl:/data/*.jsonl"
text_fields = ["headline", "content"]
max_reject_share = 0.05
[text]
inner_hyphen = true
max_token_bytes = 32
[count]
threads = 3
ngram_max = 4
[store]
uri = "dir:/srv/lex"
)");
  auto c = LoadConfig(path, {{"NIGHTJAR_COUNT_THREADS", "5"}, {"NIGHTJAR_STORE_URI", "dir:/env"}},
                      {{"store.uri", "dir:/flag"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->source.uri, "jsonl:/data/*.jsonl");
  EXPECT_EQ(c->source.schema.text_fields, (std::vector<std::string>{"headline", "content"}));
  EXPECT_DOUBLE_EQ(c->max_reject_share, 0.05);
  EXPECT_TRUE(c->count.tokenizer.inner_hyphen);
  EXPECT_EQ(c->count.tokenizer.max_token_bytes, 32u);
  EXPECT_EQ(c->count.threads, 5);  // env over file
  EXPECT_EQ(c->count.ngram_max, 4);
  EXPECT_EQ(c->store_uri, "dir:/flag");  // flag over env over file
}

TEST(ConfigTest, ErrorsNameTheFieldAndWhereItCameFrom) {
  TempDir dir;
  auto unknown = LoadConfig(dir.Write("a.toml", "[corpus]\nurl = \"x\"\n"), {}, {});
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Message(unknown), HasSubstr("corpus.url"));

  auto type = LoadConfig(dir.Write("b.toml", "[count]\nthreads = \"many\"\n"), {}, {});
  EXPECT_THAT(Message(type), HasSubstr("count.threads"));
  EXPECT_THAT(Message(type), HasSubstr("b.toml"));

  auto range = LoadConfig(dir.Write("c.toml", "[text]\nmax_token_bytes = 1000\n"), {}, {});
  EXPECT_THAT(Message(range), HasSubstr("text.max_token_bytes"));

  auto syntax = LoadConfig(dir.Write("d.toml", "[corpus\n"), {}, {});
  EXPECT_THAT(Message(syntax), HasSubstr("d.toml:1"));

  auto env = LoadConfig("", {{"NIGHTJAR_CORPUS_MAX_REJECT_SHARE", "lots"}}, {});
  EXPECT_THAT(Message(env), HasSubstr("corpus.max_reject_share"));
  EXPECT_THAT(Message(env), HasSubstr("NIGHTJAR_CORPUS_MAX_REJECT_SHARE"));

  auto flag = LoadConfig("", {}, {{"count.nope", "1"}});
  EXPECT_THAT(Message(flag), HasSubstr("count.nope"));

  auto order = LoadConfig("", {}, {{"count.ngram_min", "4"}, {"count.ngram_max", "2"}});
  EXPECT_THAT(Message(order), HasSubstr("count.ngram_min"));

  auto empty_list = LoadConfig(dir.Write("e.toml", "[corpus]\nid_fields = []\n"), {}, {});
  EXPECT_THAT(Message(empty_list), HasSubstr("corpus.id_fields"));

  auto missing = LoadConfig(dir.Sub("absent.toml"), {}, {});
  EXPECT_THAT(Message(missing), HasSubstr("absent.toml"));
}

TEST(ConfigTest, MemoryBudgetAndTheVocabularyCap) {
  auto d = LoadConfig("", {}, {});
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->memory_budget_mb, 2048);
  EXPECT_EQ(d->count.max_terms, 4000000u);
  auto set = LoadConfig("", {{"NIGHTJAR_REFRESH_MEMORY_BUDGET_MB", "256"}},
                        {{"count.max_terms", "1000"}, {"refresh.spill_dir", "/spill"}});
  ASSERT_TRUE(set.ok()) << set.status();
  EXPECT_EQ(set->memory_budget_mb, 256);
  EXPECT_EQ(set->count.max_terms, 1000u);
  EXPECT_EQ(set->spill_dir, "/spill");
  auto small = LoadConfig("", {}, {{"refresh.memory_budget_mb", "64"}});
  EXPECT_THAT(Message(small), HasSubstr("refresh.memory_budget_mb"));
  EXPECT_THAT(Message(small), HasSubstr("[128,"));
}

TEST(ConfigTest, SizesInMebibytes) {
  EXPECT_EQ(*ParseSizeMib("256MiB", "--memory-budget"), 256);
  EXPECT_EQ(*ParseSizeMib("2GiB", "--memory-budget"), 2048);
  EXPECT_EQ(*ParseSizeMib("3g", "--memory-budget"), 3072);
  EXPECT_EQ(*ParseSizeMib("512", "--memory-budget"), 512);
  EXPECT_EQ(*ParseSizeMib("100MB", "--memory-budget"), 100);
  for (const char* bad : {"", "MiB", "2TiB", "-1G", "1.5G", "12 GiB", "99999999999999G"}) {
    auto r = ParseSizeMib(bad, "--memory-budget");
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("--memory-budget")) << bad;
  }
}

TEST(ConfigTest, BooleansAndListsFromText) {
  auto c = LoadConfig("", {{"NIGHTJAR_TEXT_NUMBERS", "yes"}},
                      {{"corpus.text_fields", "a, b ,c"}, {"text.digits", "false"}});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->count.tokenizer.numbers);
  EXPECT_FALSE(c->count.tokenizer.digits);
  EXPECT_EQ(c->source.schema.text_fields, (std::vector<std::string>{"a", "b", "c"}));
}

}  // namespace
}  // namespace nightjar

namespace nightjar {
namespace {

TEST(ConfigTest, UnknownEnvironmentVariablesFailLikeUnknownTomlKeys) {
  auto typo = LoadConfig("", {{"NIGHTJAR_CORPUS_URL", "jsonl:x"}}, {});
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(typo.status().message()), HasSubstr("NIGHTJAR_CORPUS_URL"));
  EXPECT_THAT(std::string(typo.status().message()), HasSubstr("not a known setting"));
  // The test suite's, the scripts' and the config path's own variables are not settings.
  auto ok = LoadConfig("",
                       {{"NIGHTJAR_TEST_REDIS_URL", "redis://x"},
                        {"NIGHTJAR_CONFIG", "/x.toml"},
                        {"NIGHTJAR_BUILD_DIR", "b"},
                        {"REDIS_URL", "redis://y"},
                        {"NIGHTJAR_CORPUS_ON_DAMAGED_FILE", "skip"}},
                       {});
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_EQ(ok->on_damaged_file, DamagedFilePolicy::kSkip);
  auto bad = LoadConfig("", {}, {{"corpus.on_damaged_file", "ignore"}});
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("corpus.on_damaged_file"));
}

TEST(ConfigTest, WorkerSettingsFromTomlEnvironmentAndFlags) {
  TempDir dir;
  const std::string path = dir.Write("w.toml",
                                     "[worker]\nredis = \"redis://file:6379/0\"\nqueues = "
                                     "[\"reprocessing:1\", \"lexicon:3\"]\nconcurrency = 4\n"
                                     "options = [\"upstream.url=http://u:1/x\"]\n");
  auto file = LoadConfig(path, {}, {});
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->worker.redis, "redis://file:6379/0");
  EXPECT_THAT(file->worker.queues, ::testing::ElementsAre("reprocessing:1", "lexicon:3"));
  EXPECT_EQ(file->worker.concurrency, 4);
  EXPECT_THAT(file->worker.sets, ::testing::ElementsAre("upstream.url=http://u:1/x"));
  // REDIS_URL (the queues' Redis) over the file, NIGHTJAR_WORKER_* over it, flags over all.
  auto env = LoadConfig(path, {{"REDIS_URL", "redis://env:6379/0"}}, {});
  EXPECT_EQ(env->worker.redis, "redis://env:6379/0");
  EXPECT_EQ(env->serve.queue_uri, "redis://env:6379/0");
  EXPECT_EQ(env->store_uri, Config().store_uri);  // never the store
  auto own = LoadConfig(
      path, {{"REDIS_URL", "redis://env:6379/0"}, {"NIGHTJAR_WORKER_REDIS", "redis://own:6379/0"}},
      {{"worker.concurrency", "2"}});
  EXPECT_EQ(own->worker.redis, "redis://own:6379/0");
  EXPECT_EQ(own->worker.concurrency, 2);
  auto bad = LoadConfig("", {}, {{"worker.concurrency", "0"}});
  EXPECT_THAT(std::string(bad.status().message()), HasSubstr("worker.concurrency"));
}

TEST(ConfigTest, ReextractFromTomlAndTheLlmEnvironment) {
  TempDir dir;
  std::string path = dir.Write("r.toml", R"(
[reextract]
database_url = "postgres://file/db"
schema_version = 3
llm_model = "file-model"
entities_table = "kb.entities"
[reextract.domains]
medical = ["disease", "drug"]
legal = ["court"]
)");
  auto c = LoadConfig(path,
                      {{"DATABASE_URL", "postgres://env/db"},
                       {"LLM_API_BASE", "http://llm:4000/v1"},
                       {"LLM_API_KEY", "sk-env"}},
                      {});
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->reextract.database_url, "postgres://env/db");  // the environment over the file
  EXPECT_EQ(c->reextract.llm_api_base, "http://llm:4000/v1");
  EXPECT_EQ(c->reextract.llm_api_key, "sk-env");
  EXPECT_EQ(c->reextract.llm_model, "file-model");
  EXPECT_EQ(c->reextract.schema_version, 3);
  EXPECT_EQ(c->reextract.entities_table, "kb.entities");
  ASSERT_EQ(c->reextract.domains.size(), 2u);
  EXPECT_EQ(c->reextract.domains.at("medical"), (std::vector<std::string>{"disease", "drug"}));
  auto flags = LoadConfig("", {}, {{"reextract.domains", "a:x,y;b:z"}});
  ASSERT_TRUE(flags.ok()) << flags.status();
  EXPECT_EQ(flags->reextract.domains.at("a"), (std::vector<std::string>{"x", "y"}));
  EXPECT_THAT(Message(LoadConfig("", {}, {{"reextract.output", "xml"}})),
              HasSubstr("reextract.output"));
  EXPECT_THAT(Message(LoadConfig("", {}, {{"reextract.chunks_table", "a b"}})),
              HasSubstr("reextract.chunks_table"));
  std::string bad = dir.Write("bad.toml", "[reextract.domains]\nmedical = \"disease\"\n");
  EXPECT_THAT(Message(LoadConfig(bad, {}, {})), HasSubstr("reextract.domains"));
}

TEST(ConfigTest, TheCorpusFromTheEnvironment) {
  // MONGODB_URI selects MongoDB over the file's corpus; NIGHTJAR_CORPUS any source over it;
  // NIGHTJAR_CORPUS_URI and flags as for every setting; DATABASE_URL never.
  TempDir dir;
  const std::string path = dir.Write("c.toml", "[corpus]\nuri = \"jsonl:file\"\n");
  auto file = LoadConfig(path, {{"DATABASE_URL", "postgres://worker/db"}}, {});
  ASSERT_TRUE(file.ok());
  EXPECT_EQ(file->source.uri, "jsonl:file");
  auto mongo = LoadConfig(path, {{"MONGODB_URI", "mongodb://m/db"}}, {});
  EXPECT_EQ(mongo->source.uri, "mongodb://m/db");
  auto any = LoadConfig(
      path, {{"MONGODB_URI", "mongodb://m/db"}, {"NIGHTJAR_CORPUS", "postgres://p/db"}}, {});
  EXPECT_EQ(any->source.uri, "postgres://p/db");
  auto flag =
      LoadConfig(path, {{"NIGHTJAR_CORPUS", "postgres://p/db"}}, {{"corpus.uri", "jsonl:flag"}});
  EXPECT_EQ(flag->source.uri, "jsonl:flag");
  auto both = LoadConfig(
      "", {{"NIGHTJAR_CORPUS", "postgres://p/db"}, {"NIGHTJAR_CORPUS_URI", "jsonl:x"}}, {});
  ASSERT_FALSE(both.ok());
  EXPECT_THAT(std::string(both.status().message()), HasSubstr("NIGHTJAR_CORPUS_URI"));
}

}  // namespace
}  // namespace nightjar
