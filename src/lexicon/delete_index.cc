#include "lexicon/delete_index.h"

#include <algorithm>
#include <limits>

#include "text/edit_distance.h"
#include "util/parallel.h"
#include "util/zeroed_pages.h"

namespace nightjar {
namespace {

// The hashes of a string and of every string reachable from it by up to `depth` deletions.
// Each set of deleted positions is visited once (later deletions only after the earlier one),
// and a position whose character equals its predecessor's at the same level is skipped, since
// deleting either gives the same string; what repeats remains (rare) costs a repeated probe,
// not a wrong answer. A hash is a polynomial over the code points, mixed: from the string's
// prefix hashes each delete's takes O(depth) multiplications, where building the string and
// hashing it took most of a lookup. Strings are told apart by their 64-bit hashes alone; a
// collision can only add a candidate, which the distance check drops. Not thread-safe.
class DeleteHashes {
 public:
  // Appends to *out the hashes of `s` and its deletes up to `depth`.
  void Append(std::u32string_view s, int depth, std::vector<uint64_t>* out) {
    s_ = s;
    const size_t m = s.size();
    pre_.resize(m + 1);
    pw_.resize(m + 1);
    pre_[0] = 0;
    pw_[0] = 1;
    for (size_t t = 0; t < m; ++t) {
      pre_[t + 1] = pre_[t] * kBase + (uint64_t{s[t]} + 1);
      pw_[t + 1] = pw_[t] * kBase;
    }
    dropped_.resize(static_cast<size_t>(std::max(depth, 0)));
    Walk(depth, 0, 0, out);
  }

 private:
  static constexpr uint64_t kBase = 0x100000001B3ULL * 0x9E3779B97F4A7C15ULL | 1;

  // The polynomial of s[a, b).
  uint64_t Poly(size_t a, size_t b) const { return pre_[b] - pre_[a] * pw_[b - a]; }

  // The hash of s without the characters at dropped_[0, n) (ascending).
  uint64_t Hash(size_t n) const {
    uint64_t h = 0;
    size_t a = 0;
    for (size_t t = 0; t < n; ++t) {
      const size_t b = dropped_[t];
      h = h * pw_[b - a] + Poly(a, b);
      a = b + 1;
    }
    const size_t m = s_.size();
    h = h * pw_[m - a] + Poly(a, m);
    // MurmurHash3's finalizer, with the length: the top bits pick the index's bucket.
    h ^= static_cast<uint64_t>(m - n) * 0x9E3779B97F4A7C15ULL;
    h ^= h >> 33;
    h *= 0xFF51AFD7ED558CCDULL;
    h ^= h >> 33;
    h *= 0xC4CEB9FE1A85EC53ULL;
    h ^= h >> 33;
    return h;
  }

  void Walk(int depth, size_t first, size_t n, std::vector<uint64_t>* out) {
    out->push_back(Hash(n));
    if (depth == 0) return;
    for (size_t j = first; j < s_.size(); ++j) {
      if (j > first && s_[j] == s_[j - 1]) continue;
      dropped_[n] = j;
      Walk(depth - 1, j + 1, n + 1, out);
    }
  }

  std::u32string_view s_;
  std::vector<uint64_t> pre_, pw_;  // prefix polynomials, powers of kBase
  std::vector<size_t> dropped_;
};

void UniqueHashes(std::u32string_view s, int depth, std::vector<uint64_t>* out) {
  thread_local DeleteHashes deletes;
  out->clear();
  deletes.Append(s, depth, out);
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
}

}  // namespace

DeleteIndex::DeleteIndex(std::vector<std::string_view> words, int max_distance, int threads,
                         int short_word_chars)
    : words_(std::move(words)), max_distance_(max_distance) {
  const size_t n = words_.size();
  id_bits_ = 1;
  while (id_bits_ < 32 && (uint64_t{1} << id_bits_) < n) ++id_bits_;
  const uint64_t id_mask = (uint64_t{1} << id_bits_) - 1;
  std::vector<std::u32string> decoded(n);
  std::vector<uint8_t> limit(n);  // per word: max_distance_, or 1 for a short word
  threads = std::max(1, std::min<int>(threads, static_cast<int>(n / 10000) + 1));
  // Each thread files a contiguous share of the words: entry = hash's high bits | word id. The
  // buffers are sized by an upper bound (1 + L + L(L-1)/2 ... deletes per word of L characters)
  // and mapped with huge pages: page faults, not hashing, dominated this build before.
  auto bound = [&](size_t chars, int depth) {
    size_t total = 0, level = 1;
    for (int d = 0; d <= depth && level > 0; ++d) {
      total += level;
      level = level * (chars > static_cast<size_t>(d) ? chars - static_cast<size_t>(d) : 0) /
              static_cast<size_t>(d + 1);
    }
    return total;
  };
  struct Part {
    ZeroedPages mem;
    size_t size = 0;
  };
  std::vector<Part> parts(static_cast<size_t>(threads));
  auto file = [&](int t) {
    const size_t lo = n * static_cast<size_t>(t) / static_cast<size_t>(threads);
    const size_t hi = n * static_cast<size_t>(t + 1) / static_cast<size_t>(threads);
    for (size_t id = lo; id < hi; ++id) {
      decoded[id] = DecodeUtf8(words_[id]);
      const bool short_word = decoded[id].size() <= static_cast<size_t>(short_word_chars);
      limit[id] = static_cast<uint8_t>(short_word ? std::min(max_distance_, 1) : max_distance_);
    }
    size_t cap = 0;
    for (size_t id = lo; id < hi; ++id) {
      if (decoded[id].size() <= static_cast<size_t>(kMaxChars)) {
        cap += bound(decoded[id].size(), limit[id]);
      }
    }
    Part& part = parts[static_cast<size_t>(t)];
    part.mem = ZeroedPages(std::max<size_t>(cap, 1) * sizeof(uint64_t));
    auto* out = static_cast<uint64_t*>(part.mem.data());
    std::vector<uint64_t> hashes;
    for (size_t id = lo; id < hi; ++id) {
      if (decoded[id].size() > static_cast<size_t>(kMaxChars)) continue;
      UniqueHashes(decoded[id], limit[id], &hashes);
      for (uint64_t h : hashes) out[part.size++] = (h & ~id_mask) | id;
    }
  };
  ParallelFor(threads, file);
  info_.reserve(n);
  for (size_t id = 0; id < n; ++id) {
    const std::u32string& w = decoded[id];
    info_.push_back(Info{static_cast<uint32_t>(chars_.size()), static_cast<uint32_t>(w.size()),
                         w.empty() ? char32_t{0} : w[0], limit[id]});
    chars_.insert(chars_.end(), w.begin(), w.end());
  }
  decoded = std::vector<std::u32string>();
  // Sort by scattering into buckets on the top 16 bits, then sorting each small bucket in cache:
  // several times faster than one introsort over tens of millions of entries.
  constexpr int kBits = 16;
  std::vector<size_t> start((1u << kBits) + 1, 0);
  for (const auto& part : parts) {
    const auto* in = static_cast<const uint64_t*>(part.mem.data());
    for (size_t i = 0; i < part.size; ++i) ++start[(in[i] >> (64 - kBits)) + 1];
  }
  for (size_t b = 1; b < start.size(); ++b) start[b] += start[b - 1];
  size_ = start.back();
  entries_mem_ = ZeroedPages(std::max<size_t>(size_, 1) * sizeof(uint64_t));
  entries_ = static_cast<uint64_t*>(entries_mem_.data());
  std::vector<size_t> fill(start.begin(), start.end() - 1);
  for (auto& part : parts) {
    const auto* in = static_cast<const uint64_t*>(part.mem.data());
    for (size_t i = 0; i < part.size; ++i) entries_[fill[in[i] >> (64 - kBits)]++] = in[i];
    part.mem = ZeroedPages();
  }
  auto sort_buckets = [&](int t) {
    for (size_t b = static_cast<size_t>(t); b + 1 < start.size();
         b += static_cast<size_t>(threads)) {
      std::sort(entries_ + start[b], entries_ + start[b + 1]);
    }
  };
  ParallelFor(threads, sort_buckets);
  // The directory: about four entries per bucket. (Past 2^32 entries lookups search them all.)
  if (size_ >= std::numeric_limits<uint32_t>::max()) return;
  bucket_bits_ = 1;
  while (bucket_bits_ < 28 && (size_t{1} << (bucket_bits_ + 2)) < size_) ++bucket_bits_;
  bucket_.assign((size_t{1} << bucket_bits_) + 1, 0);
  for (size_t i = 0; i < size_; ++i) ++bucket_[(entries_[i] >> (64 - bucket_bits_)) + 1];
  for (size_t b = 1; b < bucket_.size(); ++b) bucket_[b] += bucket_[b - 1];
  filter_bits_ = 6;
  while (filter_bits_ < 32 && (size_t{1} << filter_bits_) < size_ * 8) ++filter_bits_;
  filter_.assign((size_t{1} << filter_bits_) / 64, 0);
  for (size_t i = 0; i < size_; ++i) {
    const uint64_t f = entries_[i] >> (64 - filter_bits_);
    filter_[f >> 6] |= uint64_t{1} << (f & 63);
  }
}

std::vector<DeleteIndex::Match> DeleteIndex::Lookup(std::string_view term, int max_distance,
                                                    uint32_t id_limit,
                                                    int first_differs_distance) const {
  max_distance = std::min(max_distance, max_distance_);
  std::vector<Match> out;
  std::u32string t = DecodeUtf8(term);
  if (t.size() > static_cast<size_t>(kMaxChars) + static_cast<size_t>(max_distance)) return out;
  thread_local std::vector<uint64_t> hashes;
  thread_local std::vector<uint32_t> ids;
  hashes.clear();
  ids.clear();
  thread_local DeleteHashes deletes;
  deletes.Append(t, max_distance, &hashes);
  const uint64_t id_mask = (uint64_t{1} << id_bits_) - 1;
  auto collect = [&](const uint64_t* it, const uint64_t* end, uint64_t key) {
    for (; it != end && (*it & ~id_mask) <= key; ++it) {
      const auto id = static_cast<uint32_t>(*it & id_mask);
      if ((*it & ~id_mask) == key && id < id_limit) ids.push_back(id);
    }
  };
  if (bucket_.empty()) {
    for (uint64_t h : hashes) {
      const uint64_t key = h & ~id_mask;
      collect(std::lower_bound(entries_, entries_ + size_, key), entries_ + size_, key);
    }
  } else {
    // Deletes that the filter rules out are dropped. Then two rounds of prefetches (the
    // directory, then the entries) so that a term's remaining probes overlap their cache
    // misses instead of taking them one after another.
    const int fshift = 64 - filter_bits_;
    size_t kept = 0;
    for (uint64_t h : hashes) {
      const uint64_t f = (h & ~id_mask) >> fshift;
      if (filter_[f >> 6] >> (f & 63) & 1) hashes[kept++] = h;
    }
    hashes.resize(kept);
    const int shift = 64 - bucket_bits_;
    for (uint64_t h : hashes) __builtin_prefetch(&bucket_[h >> shift]);
    for (uint64_t h : hashes) __builtin_prefetch(entries_ + bucket_[h >> shift]);
    for (uint64_t h : hashes) {
      const uint64_t key = h & ~id_mask;
      const uint64_t b = key >> shift;
      collect(entries_ + bucket_[b], entries_ + bucket_[b + 1], key);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  if (ids.empty()) return out;
  const EditDistancePattern pattern(t);
  for (uint32_t id : ids) {
    const Info& info = info_[id];
    int limit = std::min<int>(max_distance, static_cast<int>(info.limit));
    const size_t longer = std::max<size_t>(t.size(), info.size);
    const size_t shorter = std::min<size_t>(t.size(), info.size);
    if (info.size == 0 || t.empty() || info.first != t[0]) {
      limit = std::min(limit, first_differs_distance);
    }
    if (longer - shorter > static_cast<size_t>(limit)) continue;  // before reading the word
    const int d = pattern.Distance(decoded(id), limit);
    if (d > 0 && d <= limit) out.push_back(Match{id, d});
  }
  return out;
}

}  // namespace nightjar
