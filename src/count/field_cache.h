#ifndef NIGHTJAR_COUNT_FIELD_CACHE_H_
#define NIGHTJAR_COUNT_FIELD_CACHE_H_

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "count/field_reader.h"
#include "count/vocabulary.h"
#include "util/append_array.h"

namespace nightjar {

// One field as the third pass reads it: views of a FieldIds' vectors, or of a FieldCache.
struct FieldView {
  std::span<const uint32_t> ids;
  std::span<const uint8_t> breaks;
  std::span<const uint8_t> capitals;
  static FieldView Of(const FieldIds& f) { return {f.ids, f.breaks, f.capitals}; }
};

// The second pass's tokenized text, kept for the third: per document the hash of its id and
// its fields' vocabulary ids, clause breaks and capitals (6 bytes a token), so that the third
// pass need not read, parse, tokenize and look up the corpus again. Bounded: once what it holds
// passes `max_bytes` it lets everything go, overflowed() turns true, and the caller must read
// the corpus instead. Its arrays reserve address space for `max_bytes` each and are backed page
// by page as they fill (AppendArray): nothing is copied as they grow, and memory is only touched
// for what is kept. Move-only; not thread-safe: one per thread.
class FieldCache {
 public:
  // Bytes a token takes: as an id (AddField) or as a term hash (AddHashedField), with its break
  // and capital flags.
  static constexpr size_t kTokenBytes = sizeof(uint32_t) + 2;
  static constexpr size_t kHashedTokenBytes = sizeof(uint64_t) + 2;

  explicit FieldCache(size_t max_bytes);

  // Starts a document; its fields follow.
  void BeginDocument(uint64_t id_hash);
  // Appends a field of the current document.
  void AddField(const FieldIds& field);
  // Appends a field of the current document given as its tokens' term hashes
  // (CountTable::Key::hash): the first pass, which has no vocabulary ids yet, keeps these, and
  // ResolveHashes turns them into ids. A cache holds fields of one kind only.
  void AddHashedField(std::span<const uint64_t> hashes, std::span<const uint8_t> breaks,
                      std::span<const uint8_t> capitals);
  // Replaces the hashes AddHashedField kept by the ids id_of(hash) gives (uint32_t), after which
  // ForEachField reads them. The ids are written over the hashes already read, and the half of
  // the memory the hashes needed beyond them is given back. prefetch(hash) is called a few hashes
  // ahead of id_of(hash), so that a table lookup's cache miss can start early.
  template <typename IdOf, typename Prefetch>
  void ResolveHashes(IdOf&& id_of, Prefetch&& prefetch) {
    constexpr size_t kAhead = 8;
    uint32_t* words = tokens_.data();
    const size_t n = tokens_.size() / 2;
    const auto hash_at = [words](size_t i) {
      uint64_t h;
      std::memcpy(&h, words + 2 * i, sizeof(h));
      return h;
    };
    for (size_t i = 0; i < n; ++i) {
      if (i + kAhead < n) prefetch(hash_at(i + kAhead));
      const uint32_t id = id_of(hash_at(i));
      std::memcpy(words + i, &id, sizeof(id));  // over hash i / 2, read already
    }
    tokens_.Truncate(n);
  }

  bool overflowed() const { return overflowed_; }
  size_t documents() const { return docs_.size(); }
  size_t bytes() const;

  // fn(id_hash, field_index, FieldView) for every kept field, in the order added.
  template <typename Fn>
  void ForEachField(Fn&& fn) const {
    const uint32_t* ids = tokens_.data();
    size_t field = 0, token = 0;
    for (size_t d = 0; d < docs_.size(); ++d) {
      const size_t end = d + 1 < docs_.size() ? docs_[d + 1].first_field : field_ends_.size();
      for (uint64_t index = 0; field < end; ++field, ++index) {
        const size_t n = field_ends_[field] - token;
        fn(docs_[d].id_hash, index,
           FieldView{{ids + token, n}, {breaks_.data() + token, n}, {capitals_.data() + token, n}});
        token = field_ends_[field];
      }
    }
  }

 private:
  struct Doc {
    uint64_t id_hash;
    size_t first_field;  // index into field_ends_
  };
  void Overflow();

  size_t max_bytes_;
  bool overflowed_ = false;
  AppendArray<Doc> docs_;
  AppendArray<size_t> field_ends_;  // token offset past each field
  AppendArray<uint32_t> tokens_;    // vocabulary ids, or term hashes as pairs of words
  AppendArray<uint8_t> breaks_, capitals_;
};

// The hash FieldCache and the third pass's context sampling key a document by.
uint64_t DocumentIdHash(std::string_view id);

// Turns the term hashes of `caches` (filled by DocumentCounter) into ids of `vocab`, unless two
// of the vocabulary's terms share a hash (then the hashes cannot say which term a token was:
// false is returned and the caches are left as they were).
[[nodiscard]] bool ResolveTermHashes(const Vocabulary& vocab, std::vector<FieldCache>* caches);

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_FIELD_CACHE_H_
