#ifndef NIGHTJAR_UTIL_PARALLEL_H_
#define NIGHTJAR_UTIL_PARALLEL_H_

#include <concepts>
#include <cstddef>
#include <thread>
#include <vector>

namespace nightjar {

// Runs fn(0), fn(1), ..., fn(n - 1) at once: fn(0) on the calling thread, each other on a
// std::jthread of its own, and returns when every call has returned (the threads are joined
// even if fn(0) throws). n <= 0 runs nothing. fn is shared by all the calls, so what it writes
// must be split by its argument (one shard, one result slot per index); results that combine
// the shards in index order are the same for every n. Exceptions thrown on the other threads
// terminate, as from any std::thread: fn reports errors through its shard's result instead.
template <std::integral I, typename Fn>
void ParallelFor(I n, const Fn& fn) {
  if (n <= 0) return;
  std::vector<std::jthread> pool;
  pool.reserve(static_cast<size_t>(n - 1));
  for (I i = 1; i < n; ++i) pool.emplace_back([&fn, i] { fn(i); });
  fn(I{0});
}

// Runs main() on the calling thread and side() on a std::jthread of its own when `beside`
// (else side() after main()), and returns when both have returned. The two share nothing
// they write; exceptions thrown by side() terminate, as in ParallelFor.
template <typename Main, typename Side>
void RunBeside(bool beside, const Main& main, const Side& side) {
  if (!beside) {
    main();
    side();
    return;
  }
  std::jthread other([&side] { side(); });
  main();
}

}  // namespace nightjar

#endif  // NIGHTJAR_UTIL_PARALLEL_H_
