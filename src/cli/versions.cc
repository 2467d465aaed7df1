#include "cli/versions.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <map>

#include "lexicon/records.h"
#include "store/lexicon_store.h"
#include "store/manifest.h"
#include "store/retention.h"
#include "util/json_writer.h"
#include "util/status_macros.h"

namespace nightjar {
namespace {

std::string Actor() {
  const char* user = std::getenv("USER");
  return fmt::format("cli@{}", user != nullptr && *user != '\0' ? user : "unknown");
}

void Print(std::FILE* out, const std::string& s) { std::fputs(s.c_str(), out); }

// One version's words -> variants and words -> top related terms, for diff.
struct DiffView {
  std::map<std::string, std::vector<std::string>> variants;
  std::map<std::string, std::vector<std::string>> related;  // top 3
};

absl::StatusOr<DiffView> LoadDiffView(LexiconStore& store, const std::string& version) {
  DiffView v;
  absl::Status bad;
  auto malformed = [&](std::string_view lexicon, const absl::Status& why) {
    if (bad.ok()) {
      bad = absl::DataLossError(
          fmt::format("{}: malformed {} record: {}", version, lexicon, std::string(why.message())));
    }
  };
  NJ_RETURN_IF_ERROR(store.ScanLexicon(version, kSpellingLexicon, [&](std::string_view rec) {
    absl::StatusOr<SpellingRecord> r = SpellingRecord::Parse(rec);
    if (!r.ok()) return malformed(kSpellingLexicon, r.status());
    v.variants[std::string(r->word)].assign(r->variants.begin(), r->variants.end());
  }));
  NJ_RETURN_IF_ERROR(bad);
  auto rel = store.ScanLexicon(version, kRelatedLexicon, [&](std::string_view rec) {
    absl::StatusOr<RelatedRecord> r = RelatedRecord::Parse(rec);
    if (!r.ok()) return malformed(kRelatedLexicon, r.status());
    auto& out = v.related[std::string(r->word)];
    for (size_t i = 0; i < r->related_terms.size() && i < 3; ++i) {
      out.emplace_back(r->related_terms[i].term);
    }
  });
  if (!rel.ok() && !absl::IsNotFound(rel)) return rel;
  NJ_RETURN_IF_ERROR(bad);
  return v;
}

std::string StatusLine(const VersionStatus& s, const std::optional<std::string>& current,
                       const std::optional<std::string>& previous) {
  std::string mark = s.version == current ? "*" : (s.version == previous ? "p" : " ");
  return fmt::format("{} {:<16} {:<9} created {:<20} activated {:<20} {}{}\n", mark, s.version,
                     VersionStateName(s.state), FormatUtc(s.created_at),
                     s.activated_at == absl::InfinitePast() ? "-" : FormatUtc(s.activated_at),
                     s.activated_by, s.note.empty() ? "" : "  (" + s.note + ")");
}

void StatusJson(JsonWriter& w, const VersionStatus& s) {
  w.BeginObject().Key("version").String(s.version).Key("status").Raw(VersionStatusJson(s));
  w.EndObject();
}

absl::Status Diff(LexiconStore& store, const VersionsFlags& flags, std::FILE* out) {
  if (flags.args.size() != 2) return absl::InvalidArgumentError("versions diff needs A B");
  const std::string& a = flags.args[0];
  const std::string& b = flags.args[1];
  NJ_ASSIGN_OR_RETURN(DiffView va, LoadDiffView(store, a));
  NJ_ASSIGN_OR_RETURN(DiffView vb, LoadDiffView(store, b));
  std::vector<std::string> added, removed, changed_variants, changed_related;
  for (const auto& [w, vars] : vb.variants) {
    auto it = va.variants.find(w);
    if (it == va.variants.end()) {
      added.push_back(w);
    } else if (it->second != vars) {
      changed_variants.push_back(w);
    }
  }
  for (const auto& [w, vars] : va.variants) {
    if (!vb.variants.contains(w)) removed.push_back(w);
  }
  for (const auto& [w, top] : vb.related) {
    auto it = va.related.find(w);
    if (it != va.related.end() && it->second != top) changed_related.push_back(w);
  }
  const size_t limit = flags.limit;
  if (flags.json) {
    JsonWriter j;
    j.BeginObject().Key("from").String(a).Key("to").String(b);
    auto section = [&](const char* name, const std::vector<std::string>& words, auto detail) {
      j.Key(name).BeginObject().Key("count").Uint(words.size()).Key("examples").BeginArray();
      for (size_t i = 0; i < words.size() && i < limit; ++i) detail(words[i]);
      j.EndArray().EndObject();
    };
    auto plain = [&](const std::string& w) { j.String(w); };
    auto list = [&](const char* key, const std::vector<std::string>& v) {
      j.Key(key).BeginArray();
      for (const auto& x : v) j.String(x);
      j.EndArray();
    };
    section("words_added", added, plain);
    section("words_removed", removed, plain);
    section("variants_changed", changed_variants, [&](const std::string& w) {
      j.BeginObject().Key("word").String(w);
      list("from", va.variants[w]);
      list("to", vb.variants[w]);
      j.EndObject();
    });
    section("related_changed", changed_related, [&](const std::string& w) {
      j.BeginObject().Key("word").String(w);
      list("from", va.related[w]);
      list("to", vb.related[w]);
      j.EndObject();
    });
    j.EndObject();
    Print(out, j.Take() + "\n");
    return absl::OkStatus();
  }
  std::string s = fmt::format("diff {} -> {}\n", a, b);
  auto head = [&](const std::vector<std::string>& v) {
    std::vector<std::string> h(v.begin(), v.begin() + std::min(v.size(), limit));
    return fmt::format("{}{}", fmt::join(h, ", "), v.size() > limit ? ", ..." : "");
  };
  s += fmt::format("  words added   {:>8}  {}\n", added.size(), head(added));
  s += fmt::format("  words removed {:>8}  {}\n", removed.size(), head(removed));
  s += fmt::format("  variants changed {:>5}\n", changed_variants.size());
  for (size_t i = 0; i < changed_variants.size() && i < limit; ++i) {
    const auto& w = changed_variants[i];
    s += fmt::format("    {}: [{}] -> [{}]\n", w, fmt::join(va.variants[w], ", "),
                     fmt::join(vb.variants[w], ", "));
  }
  s += fmt::format("  top related changed {:>2}\n", changed_related.size());
  for (size_t i = 0; i < changed_related.size() && i < limit; ++i) {
    const auto& w = changed_related[i];
    s += fmt::format("    {}: [{}] -> [{}]\n", w, fmt::join(va.related[w], ", "),
                     fmt::join(vb.related[w], ", "));
  }
  Print(out, s);
  return absl::OkStatus();
}

}  // namespace

absl::Status RunVersions(const VersionsFlags& flags, const Config& config, const Clock& clock,
                         std::FILE* out) {
  NJ_ASSIGN_OR_RETURN(auto store, LexiconStore::Open(config.store_uri));
  const std::string& action = flags.action;
  if (action == "list") {
    NJ_ASSIGN_OR_RETURN(auto versions, store->List());
    NJ_ASSIGN_OR_RETURN(auto current, store->Current());
    NJ_ASSIGN_OR_RETURN(auto previous, store->Previous());
    if (flags.json) {
      JsonWriter w;
      w.BeginObject().Key("current").String(current.value_or(""));
      w.Key("previous").String(previous.value_or("")).Key("versions").BeginArray();
      for (const auto& v : versions) StatusJson(w, v);
      w.EndArray().EndObject();
      Print(out, w.Take() + "\n");
    } else {
      for (const auto& v : versions) Print(out, StatusLine(v, current, previous));
      if (versions.empty()) Print(out, "no versions\n");
    }
    return absl::OkStatus();
  }
  if (action == "show") {
    if (flags.args.size() > 1) return absl::InvalidArgumentError("versions show takes one V");
    NJ_ASSIGN_OR_RETURN(
        const std::string v,
        ResolveVersion(*store, flags.args.empty() ? "" : flags.args[0], config.store_uri));
    NJ_ASSIGN_OR_RETURN(auto versions, store->List());
    auto it = std::find_if(versions.begin(), versions.end(),
                           [&](const VersionStatus& s) { return s.version == v; });
    if (it == versions.end()) return absl::NotFoundError(fmt::format("version {} not found", v));
    NJ_ASSIGN_OR_RETURN(const Manifest manifest, store->ReadManifest(v));
    JsonWriter w;
    w.BeginObject().Key("version").String(v).Key("status").Raw(VersionStatusJson(*it));
    w.Key("manifest").Raw(manifest.ToJson()).EndObject();
    Print(out, w.Take() + "\n");
    return absl::OkStatus();
  }
  if (action == "diff") return Diff(*store, flags, out);
  if (action == "activate" || action == "rollback") {
    ActivateRequest r;
    if (action == "activate") {
      if (flags.args.size() != 1) return absl::InvalidArgumentError("versions activate needs V");
      r.version = flags.args[0];
    } else {
      if (!flags.args.empty()) return absl::InvalidArgumentError("use versions rollback --to V");
      r.version = flags.to;
    }
    r.action = action;
    r.actor = Actor();
    r.force = flags.force;
    r.now = clock.Now();
    const auto t0 = std::chrono::steady_clock::now();
    NJ_ASSIGN_OR_RETURN(AuditEvent ev, store->Activate(r));
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    if (flags.json) {
      Print(out, AuditEventJson(ev) + "\n");
    } else {
      Print(out, fmt::format("{}: {} is current (was {}), {:.1f} ms\n", action, ev.version,
                             ev.previous.empty() ? "none" : ev.previous, ms));
    }
    return absl::OkStatus();
  }
  if (action == "prune") {
    NJ_ASSIGN_OR_RETURN(PruneResult r, PruneVersions(*store, clock.Now(),
                                                     config.retention.max_age(), flags.dry_run));
    if (flags.json) {
      JsonWriter w;
      w.BeginObject().Key("dry_run").Bool(flags.dry_run).Key("deleted").BeginArray();
      for (const auto& v : r.deleted) w.String(v);
      w.EndArray().Key("kept").BeginArray();
      for (const auto& v : r.kept) w.String(v);
      w.EndArray().EndObject();
      Print(out, w.Take() + "\n");
    } else {
      Print(out, fmt::format("{} {} version(s) older than {} days: {}\nkept {}\n",
                             flags.dry_run ? "would delete" : "deleted", r.deleted.size(),
                             config.retention.days, fmt::join(r.deleted, ", "),
                             fmt::join(r.kept, ", ")));
    }
    return absl::OkStatus();
  }
  if (action == "audit") {
    NJ_ASSIGN_OR_RETURN(auto events, store->Audit(flags.limit));
    for (const auto& e : events) {
      Print(out, flags.json
                     ? AuditEventJson(e) + "\n"
                     : fmt::format("{} {:<8} {} (was {}) by {}\n", FormatUtc(e.at), e.action,
                                   e.version, e.previous.empty() ? "none" : e.previous, e.actor));
    }
    return absl::OkStatus();
  }
  return absl::InvalidArgumentError(fmt::format(
      "versions {}: expected list, show, diff, activate, rollback, prune or audit", action));
}

}  // namespace nightjar
