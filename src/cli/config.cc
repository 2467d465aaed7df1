#include "cli/config.h"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <charconv>
#include <functional>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_split.h"
#include "cli/config_field.h"
#include "refresh/memory_plan.h"

namespace nightjar {
namespace {

// [reextract]: the reextract task type's database and LLM endpoint.
std::vector<Field> ReextractFields(ReextractOptions& r) {
  return {
      StringField("reextract.database_url", &r.database_url, true),
      StringField("reextract.documents_table", &r.documents_table, false),
      StringField("reextract.chunks_table", &r.chunks_table, false),
      StringField("reextract.entities_table", &r.entities_table, false),
      StringField("reextract.relationships_table", &r.relationships_table, false),
      StringField("reextract.marks_table", &r.marks_table, false),
      BoolField("reextract.create_tables", &r.create_tables),
      IntField("reextract.schema_version", &r.schema_version, 1, 1 << 30),
      DomainsField("reextract.domains", &r.domains),
      StringField("reextract.llm_api_base", &r.llm_api_base, true),
      StringField("reextract.llm_api_key", &r.llm_api_key, true),
      StringField("reextract.llm_model", &r.llm_model, false),
      StringField("reextract.output", &r.output, false),
      IntField("reextract.max_attempts", &r.max_attempts, 1, 100),
      IntField("reextract.call_attempts", &r.call_attempts, 1, 100),
      IntField("reextract.max_chunk_chars", &r.max_chunk_chars, 1, 1 << 26),
      DoubleField("reextract.timeout_s", &r.timeout_s, 0.001, 86400.0),
      StringField("reextract.rate_limit_key", &r.rate_limit_key, false),
  };
}

// [refresh] retries and [metrics] push.
std::vector<Field> RunFields(RunOptions& r) {
  return {
      IntField("refresh.max_attempts", &r.max_attempts, 1, 100),
      DoubleField("refresh.retry_backoff_s", &r.retry_backoff_s, 0.0, 86400.0),
      StringField("metrics.pushgateway", &r.pushgateway, true),
      StringField("metrics.textfile", &r.textfile, true),
      StringField("metrics.job", &r.job, false),
  };
}

// NIGHTJAR_* variables that are not settings.
bool IsExemptVariable(std::string_view name) {
  return name == "NIGHTJAR_CONFIG" || name == "NIGHTJAR_BUILD_DIR" || name == "NIGHTJAR_CORPUS" ||
         name.starts_with("NIGHTJAR_TEST_");
}

// [variants]: when a rare token is taken for a misspelling.
std::vector<Field> VariantFields(VariantOptions& va) {
  constexpr int64_t kBig = int64_t{1} << 62;
  return {
      IntField("variants.word_min_frequency", &va.word_min_frequency, 1, kBig),
      DoubleField("variants.min_ratio", &va.min_ratio, 1.0, 1e9),
      IntField("variants.max_distance", &va.max_distance, 1, 2),
      IntField("variants.short_word_chars", &va.short_word_chars, 0, 64),
      IntField("variants.min_variant_chars", &va.min_variant_chars, 1, 64),
      DoubleField("variants.max_typing_cost", &va.max_typing_cost, 0.0, 4.0),
      DoubleField("variants.min_context", &va.min_context, -1.0, 1.0),
      DoubleField("variants.typing_weight", &va.typing_weight, 0.0, 100.0),
      DoubleField("variants.context_weight", &va.context_weight, 0.0, 100.0),
      IntField("variants.max_variants", &va.max_variants, 0, 1000),
      DoubleField("variants.max_variant_per_million", &va.max_variant_per_million, 0.0, 1e6),
      IntField("variants.min_common_count", &va.min_common_count, 0, kBig),
      DoubleField("variants.first_letter_cost", &va.first_letter_cost, 0.0, 4.0),
      DoubleField("variants.dictionary_min_ratio", &va.dictionary_min_ratio, 1.0, 1e9),
      DoubleField("variants.max_repeats_per_document", &va.max_repeats_per_document, 1.0, 1e9),
      DoubleField("variants.dictionary_min_context", &va.dictionary_min_context, -1.0, 1.0),
      DoubleField("variants.error_min_score", &va.error_min_score, 0.0, 1.0),
      DoubleField("variants.error_prior_edits", &va.error_prior_edits, 0.0, 1e9),
      StringField("variants.protected_words_file", &va.protected_words_file, true),
      DoubleField("variants.name_share", &va.name_share, 0.0, 2.0),
      IntField("variants.name_min_count", &va.name_min_count, 1, kBig),
  };
}

// [serve] and [worker]: the long-running services.
std::vector<Field> ServiceFields(Config& c) {
  WorkerFlags& w = c.worker;
  return {
      StringField("serve.listen", &c.serve.listen, false),
      StringField("serve.admin_token", &c.serve.admin_token, true),
      IntField("serve.threads", &c.serve.threads, 1, 1024),
      IntField("serve.max_query_bytes", &c.serve.max_query_bytes, 1, 1 << 20),
      IntField("serve.timeout_ms", &c.serve.timeout_ms, 1, 600000),
      IntField("serve.keep_alive_s", &c.serve.keep_alive_s, 1, 3600),
      IntField("serve.keep_alive_requests", &c.serve.keep_alive_requests, 1, 1000000),
      IntField("serve.backlog", &c.serve.backlog, 1, 65535),
      IntField("serve.poll_ms", &c.serve.poll_ms, 10, 3600000),
      DoubleField("serve.second_edit_margin", &c.serve.corrector.second_edit_margin, 0.0, 100.0),
      DoubleField("serve.context_weight", &c.serve.corrector.context_weight, 0.0, 100.0),
      DoubleField("serve.context_smoothing", &c.serve.corrector.context_smoothing, 0.01, 1e6),
      BoolField("serve.learned_errors", &c.serve.corrector.learned_errors),
      StringField("serve.queue_uri", &c.serve.queue_uri, true),
      StringField("worker.redis", &w.redis, true),
      ListField("worker.queues", &w.queues, true),
      IntField("worker.concurrency", &w.concurrency, 1, 1024),
      IntField("worker.prefetch", &w.prefetch, 1, 10000),
      DoubleField("worker.heartbeat_s", &w.heartbeat_s, 0.01, 3600.0),
      DoubleField("worker.claim_after_s", &w.claim_after_s, 0.03, 86400.0),
      IntField("worker.max_deliveries", &w.max_deliveries, 1, 1000),
      DoubleField("worker.shutdown_deadline_s", &w.shutdown_deadline_s, 0.0, 86400.0),
      StringField("worker.name", &w.name, true),
      ListField("worker.options", &w.sets, true),
      IntField("worker.commit_max", &w.commit_max, 1, 1000),
      DoubleField("worker.commit_window_ms", &w.commit_window_ms, 0.0, 60000.0),
      StringField("worker.metrics_listen", &w.metrics_listen, true),
  };
}

// [validation]: the gates a version must pass before activation.
std::vector<Field> ValidationFields(ValidationOptions& v) {
  constexpr int64_t kBig = int64_t{1} << 62;
  return {
      BoolField("validation.schema", &v.schema),
      BoolField("validation.score_range", &v.score_range),
      BoolField("validation.clean_terms", &v.clean_terms),
      BoolField("validation.no_self_variants", &v.no_self_variants),
      BoolField("validation.no_correction_cycles", &v.no_correction_cycles),
      BoolField("validation.bounded_variants", &v.bounded_variants),
      IntField("validation.max_variants_per_word", &v.max_variants_per_word, 0, 100000),
      BoolField("validation.size_band", &v.size_band),
      DoubleField("validation.max_size_change", &v.max_size_change, 0.0, 1e6),
      IntField("validation.size_band_min_records", &v.size_band_min_records, 0, kBig),
      BoolField("validation.canaries", &v.canaries),
      ListField("validation.canary_words", &v.canary_words, true),
      BoolField("validation.top_overlap", &v.top_overlap),
      IntField("validation.top_k", &v.top_k, 0, 1000000),
      DoubleField("validation.min_top_overlap", &v.min_top_overlap, 0.0, 1.0),
  };
}

std::vector<Field> Fields(Config& c) {
  auto& s = c.source;
  auto& t = c.count.tokenizer;
  auto& l = c.lexicons;
  auto& sp = l.spelling;
  auto& va = l.variants;
  auto& ph = l.phrases;
  auto& ac = l.acronyms;
  auto& re = l.related;
  constexpr int64_t kBig = int64_t{1} << 62;
  std::vector<Field> fields = {
      StringField("corpus.uri", &s.uri, false),
      ListField("corpus.id_fields", &s.schema.id_fields),
      ListField("corpus.text_fields", &s.schema.text_fields),
      StringField("corpus.modified_at_field", &s.schema.modified_at_field, true),
      StringField("corpus.deleted_field", &s.schema.deleted_field, true),
      IntField("corpus.max_document_bytes", &s.schema.max_document_bytes, 1, int64_t{1} << 32),
      IntField("corpus.batch_bytes", &s.batch_bytes, 4096, int64_t{1} << 30),
      IntField("corpus.max_line_bytes", &s.max_line_bytes, 1024, int64_t{1} << 32),
      DoubleField("corpus.max_reject_share", &c.max_reject_share, 0.0, 1.0),
      StringField("corpus.rejects_dir", &c.rejects_dir, true),
      DamagedFileField("corpus.on_damaged_file", &c.on_damaged_file),
      BoolField("text.digits", &t.digits),
      BoolField("text.numbers", &t.numbers),
      BoolField("text.inner_apostrophe", &t.inner_apostrophe),
      BoolField("text.inner_hyphen", &t.inner_hyphen),
      IntField("text.max_token_bytes", &t.max_token_bytes, 1, 256),
      StringField("text.language", &c.lexicons.language, false),
      IntField("count.threads", &c.count.threads, 0, 1024),
      IntField("count.max_terms", &c.count.max_terms, 0, int64_t{1} << 40),
      IntField("refresh.memory_budget_mb", &c.memory_budget_mb, kMinMemoryBudgetMb,
               int64_t{1} << 30),
      StringField("refresh.spill_dir", &c.spill_dir, true),
      IntField("count.ngram_min", &c.count.ngram_min, 1, 8),
      IntField("count.ngram_max", &c.count.ngram_max, 1, 8),
      IntField("spelling.min_frequency", &sp.min_frequency, 1, kBig),
      IntField("spelling.min_doc_frequency", &sp.min_doc_frequency, 1, kBig),
      IntField("spelling.min_chars", &sp.min_chars, 1, 256),
      IntField("phrases.min_count", &ph.min_count, 1, kBig),
      DoubleField("phrases.threshold", &ph.threshold, -1.0, 1.0),
      BoolField("phrases.trigrams", &ph.trigrams),
      IntField("bigrams.min_count", &l.bigrams.min_count, 0, kBig),
      IntField("bigrams.max_bigrams", &l.bigrams.max_bigrams, 0, kBig),
      IntField("acronyms.min_count", &ac.min_count, 1, kBig),
      DoubleField("acronyms.min_confidence", &ac.min_confidence, 0.0, 1.0),
      IntField("related.window", &l.cooccurrence.window, 1, 20),
      IntField("related.top_k", &re.top_k, 1, 200000),
      IntField("related.dimensions", &re.dimensions, 2, 1000),
      IntField("related.top_n", &re.top_n, 1, 1000),
      DoubleField("related.min_score", &re.min_score, -1.0, 1.0),
      DoubleField("related.context_smoothing", &re.context_smoothing, 0.0, 1.0),
      DoubleField("related.eigen_weight", &re.eigen_weight, 0.0, 1.0),
      IntField("related.power_iterations", &re.power_iterations, 0, 20),
      IntField("related.seed", &re.seed, 0, kBig),
      DoubleField("related.subword_weight", &re.subword_weight, 0.0, 1.0),
      IntField("related.subword_dimensions", &re.subword_dimensions, 1, 4096),
      IntField("related.subword_min_n", &re.subword_min_n, 1, 16),
      IntField("related.subword_max_n", &re.subword_max_n, 1, 16),
      IntField("variants.context_window", &l.cooccurrence.spelling_window, 1, 20),
      IntField("variants.context_sample", &l.cooccurrence.spelling_sample, 0, kBig),
      IntField("passes.cache_mb", &l.pass_cache_mb, 0, int64_t{1} << 24),
      IntField("expansions.max_expansions", &l.expansions.max_expansions, 1, 100),
      DoubleField("expansions.min_related_score", &l.expansions.min_related_score, 0.0, 1.0),
      DoubleField("expansions.min_related_cosine", &l.expansions.min_related_cosine, -1.0, 1.0),
      DoubleField("expansions.min_synonym_cosine", &l.expansions.min_synonym_cosine, -1.0, 2.0),
      IntField("expansions.min_form_frequency", &l.expansions.min_form_frequency, 1, kBig),
      ListField("expansions.function_words", &l.expansions.function_words.extra, true),
      DoubleField("expansions.function_min_doc_share", &l.expansions.function_words.min_doc_share,
                  0.0, 1.0),
      DoubleField("expansions.function_min_spread", &l.expansions.function_words.min_spread, 0.0,
                  1.0),
      IntField("ngrams.min_frequency", &c.ngrams.min_frequency, 1, int64_t{1} << 62),
      StringField("store.uri", &c.store_uri, false),
      DoubleField("retention.days", &c.retention.days, 0.0, 36500.0),
      BoolField("retention.after_refresh", &c.retention.after_refresh),
      StringField("state.path", &c.state.path, true),
      StringField("shard.parts", &c.shard.parts, true),
      StringField("shard.run", &c.shard.run, true),
      DoubleField("shard.retention_days", &c.shard.retention_days, 0.0, 36500.0),
      IntField("state.checkpoint_docs", &c.state.checkpoint_docs, 1, int64_t{1} << 32),
      IntField("state.checkpoint_mb", &c.state.checkpoint_mb, 1, int64_t{1} << 20),
      BoolField("state.verify_files", &c.state.verify_files),
  };
  for (Field& f : VariantFields(va)) fields.push_back(std::move(f));
  for (Field& f : ValidationFields(c.validation)) fields.push_back(std::move(f));
  for (Field& f : ServiceFields(c)) fields.push_back(std::move(f));
  for (Field& f : ReextractFields(c.reextract)) fields.push_back(std::move(f));
  for (Field& f : RunFields(c.run)) fields.push_back(std::move(f));
  return fields;
}

absl::Status Bad(const std::string& key, const std::string& where, const std::string& why) {
  return absl::InvalidArgumentError(fmt::format("config: {} ({}) {}", key, where, why));
}

absl::Status ApplyToml(const std::string& path, std::vector<Field>& fields) {
  toml::table root;
  try {
    root = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    const auto& where = e.source().begin;
    return absl::InvalidArgumentError(
        fmt::format("config: {}:{}:{}: {}", path, where.line, where.column, e.description()));
  }
  for (const auto& [section, node] : root) {
    const toml::table* table = node.as_table();
    std::string sec(section.str());
    if (table == nullptr) return Bad(sec, path, "must be a [section]");
    for (const auto& [name, value] : *table) {
      std::string key = fmt::format("{}.{}", sec, name.str());
      auto it =
          std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.key == key; });
      if (it == fields.end()) return Bad(key, path, "is not a known setting");
      if (std::string err = it->from_toml(value); !err.empty()) return Bad(key, path, err);
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Config> LoadConfig(const std::string& toml_path,
                                  const std::map<std::string, std::string>& env,
                                  const std::map<std::string, std::string>& overrides) {
  Config c;
  std::vector<Field> fields = Fields(c);
  if (!toml_path.empty()) {
    if (absl::Status st = ApplyToml(toml_path, fields); !st.ok()) return st;
  }
  // The corpus from the environment, each over the one before: MONGODB_URI (the original
  // design's variable: MongoDB, collection "documents" unless the URI names one), then
  // NIGHTJAR_CORPUS (any source URI), then NIGHTJAR_CORPUS_URI below. DATABASE_URL is the
  // worker's database and never selects the corpus. Other service URLs (REDIS_URL) are read by
  // the components that use them.
  if (auto it = env.find("MONGODB_URI"); it != env.end() && !it->second.empty()) {
    c.source.uri = it->second;
  }
  // REDIS_URL is the worker queues' Redis: the worker's and serve's job API (never the store).
  if (auto it = env.find("REDIS_URL"); it != env.end() && !it->second.empty()) {
    c.worker.redis = it->second;
    c.serve.queue_uri = it->second;
  }
  // The reextract task's database and LLM endpoint, by the names their tools use.
  for (const auto& [var, out] :
       {std::pair<const char*, std::string*>{"DATABASE_URL", &c.reextract.database_url},
        {"LLM_API_BASE", &c.reextract.llm_api_base},
        {"LLM_API_KEY", &c.reextract.llm_api_key},
        {"LLM_MODEL", &c.reextract.llm_model}}) {
    if (auto it = env.find(var); it != env.end() && !it->second.empty()) *out = it->second;
  }
  if (auto it = env.find("NIGHTJAR_CORPUS"); it != env.end() && !it->second.empty()) {
    auto uri = env.find("NIGHTJAR_CORPUS_URI");
    if (uri != env.end() && uri->second != it->second) {
      return absl::InvalidArgumentError(
          "config: environment NIGHTJAR_CORPUS and NIGHTJAR_CORPUS_URI name different corpora; "
          "set one");
    }
    c.source.uri = it->second;
  }
  for (const auto& [name, value] : env) {
    if (!name.starts_with("NIGHTJAR_") || IsExemptVariable(name)) continue;
    auto it = std::find_if(fields.begin(), fields.end(),
                           [&](const Field& f) { return EnvName(f.key) == name; });
    if (it == fields.end()) {
      return absl::InvalidArgumentError(fmt::format(
          "config: environment {} is not a known setting (NIGHTJAR_<SECTION>_<KEY>, e.g. "
          "NIGHTJAR_CORPUS_URI; test-only variables take the prefix NIGHTJAR_TEST_)",
          name));
    }
    if (std::string err = it->from_text(value); !err.empty()) {
      return Bad(it->key, "environment " + name, err);
    }
  }
  for (const auto& [key, value] : overrides) {
    auto it =
        std::find_if(fields.begin(), fields.end(), [&](const Field& f) { return f.key == key; });
    if (it == fields.end()) return Bad(key, "flag", "is not a known setting");
    if (std::string err = it->from_text(value); !err.empty()) return Bad(key, "flag", err);
  }
  if (c.count.ngram_min > c.count.ngram_max) {
    return Bad("count.ngram_min", "merged config", "must not exceed count.ngram_max");
  }
  if (c.lexicons.related.subword_min_n > c.lexicons.related.subword_max_n) {
    return Bad("related.subword_min_n", "merged config", "must not exceed related.subword_max_n");
  }
  if (absl::Status st = ValidateReextractOptions(c.reextract); !st.ok()) return st;
  return c;
}

}  // namespace nightjar
