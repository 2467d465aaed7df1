#ifndef NIGHTJAR_COUNT_MERGEABLE_H_
#define NIGHTJAR_COUNT_MERGEABLE_H_

#include <concepts>
#include <cstddef>
#include <utility>
#include <vector>

namespace nightjar {

// THE INVARIANT: state is exact counts, and counts merge by addition.
//
// Every count state T is Mergeable: a default-constructed T holds no counts and is the identity
// of Merge; Merge adds every count of its argument, and is associative and commutative; equality
// compares the counts held, not how they are laid out. So threads, shards, checkpoints and
// nightly deltas combine in any order, and grouping, to the same state, equal to counting
// everything on one thread. Every lexicon is a pure function of the merged counts.
// count/mergeable_test.cc checks these laws for every count type.
template <typename T>
concept Mergeable = std::default_initializable<T> && std::equality_comparable<T> &&(
    requires(T& a, const T& b) { a.Merge(b); } ||
    requires(T & a, T&& b) { a.Merge(std::move(b)); });

// A count type with a faster sum of many parts than merging them one by one: T::Sum(parts,
// threads), or T::Sum(parts) when it has no use for threads. Equal to merging the parts in order.
template <typename T>
concept Summable = Mergeable<T> &&(
    requires(const std::vector<T*>& parts, int threads) {
      { T::Sum(parts, threads) } -> std::same_as<T>;
    } ||
    requires(const std::vector<T*>& parts) {
      { T::Sum(parts) } -> std::same_as<T>;
    });

// The sum of *parts[0] ... *parts[n-1], on up to `threads` threads where T::Sum can use them.
// Parts are left valid but unspecified (emptied or moved from): reset them to free their
// memory. Parts must be distinct and non-null; no parts sum to T{}.
template <Mergeable T>
[[nodiscard]] T MergeAll(const std::vector<T*>& parts, int threads = 1) {
  if (parts.empty()) return T{};
  if (parts.size() == 1) {
    T out = std::move(*parts[0]);
    *parts[0] = T{};
    return out;
  }
  if constexpr (requires { T::Sum(parts, threads); }) {
    return T::Sum(parts, threads);
  } else if constexpr (requires { T::Sum(parts); }) {
    return T::Sum(parts);
  } else {
    T out = std::move(*parts[0]);
    *parts[0] = T{};
    for (size_t i = 1; i < parts.size(); ++i) {
      out.Merge(std::move(*parts[i]));
      *parts[i] = T{};
    }
    return out;
  }
}

}  // namespace nightjar

#endif  // NIGHTJAR_COUNT_MERGEABLE_H_
