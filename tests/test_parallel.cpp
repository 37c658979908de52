// parallel.hpp: every item in exactly one chunk, chunk indices 0..k-1 each once, chunk sizes as
// documented, and exceptions carried back to the caller.
#include <atomic>
#include <chrono>
#include <mutex>
#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "parallel.hpp"

namespace flimgru {
namespace {

TEST(Parallel, EveryItemOnceAndEveryChunkIndexOnce) {
  for (size_t n : {size_t(0), size_t(1), size_t(63), size_t(64), size_t(131), size_t(1000), size_t(1001)})
    for (int threads : {1, 2, 3, 7}) {
      const int k = parallel_chunks(n, threads);
      EXPECT_GE(k, 1);
      EXPECT_LE(k, threads);
      std::vector<std::atomic<int>> seen(n);
      std::vector<std::atomic<int>> chunk_calls(static_cast<size_t>(k));
      parallel_for(n, threads, [&](int c, size_t b, size_t e) {
        ASSERT_GE(c, 0);
        ASSERT_LT(c, k);
        EXPECT_LE(e - b, (n + size_t(k) - 1) / size_t(k));
        chunk_calls[size_t(c)]++;
        for (size_t i = b; i < e; ++i) seen[i]++;
      });
      for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "n " << n << " threads " << threads << " item " << i;
      for (int c = 0; c < k; ++c) EXPECT_EQ(chunk_calls[size_t(c)], 1) << "n " << n << " chunk " << c;
    }
}

TEST(Parallel, ChunkCountFollowsTheMinimumChunkSize) {
  EXPECT_EQ(parallel_chunks(131, 2), 2);
  EXPECT_EQ(parallel_chunks(131, 3), 3);
  EXPECT_EQ(parallel_chunks(100, 3), 2);  // ceil(100 / 64)
  EXPECT_EQ(parallel_chunks(40, 2), 1);
  EXPECT_EQ(parallel_chunks(5, 8, 1), 5);
  EXPECT_EQ(parallel_chunks(0, 4), 1);
}

TEST(Parallel, BlocksCoverEveryItemOnce) {
  for (size_t n : {size_t(0), size_t(1), size_t(15), size_t(16), size_t(17), size_t(1000)}) {
    std::vector<std::atomic<int>> seen(n);
    parallel_blocks(n, 3, 16, [&](size_t b, size_t e) {
      EXPECT_LE(e - b, 16u);
      for (size_t i = b; i < e; ++i) seen[i]++;
    });
    for (size_t i = 0; i < n; ++i) EXPECT_EQ(seen[i], 1) << "n " << n << " item " << i;
  }
}

TEST(Parallel, AnExceptionInAnyThreadReachesTheCaller) {
  for (int bad_chunk : {0, 1, 2})
    EXPECT_THROW(parallel_for(300, 3,
                              [&](int c, size_t, size_t) {
                                if (c == bad_chunk) throw std::runtime_error("chunk failed");
                              }),
                 std::runtime_error);
  // The hand-out stops: blocks after the failing one take 1 ms each, so the other thread reaches
  // the last 499 only if the failing thread is held off for 450 ms between its throw and the stop
  // (without the sleep, a thread descheduled under load for a few µs let the other run through
  // all of them: the check depended on the scheduler).
  std::atomic<size_t> after{0};
  EXPECT_THROW(parallel_blocks(10000, 2, 10,
                               [&](size_t b, size_t) {
                                 if (b == 500) throw std::runtime_error("block failed");
                                 if (b > 500) std::this_thread::sleep_for(std::chrono::milliseconds(1));
                                 if (b > 5000) after++;
                               }),
               std::runtime_error);
  EXPECT_LT(after.load(), 450u);
}

}  // namespace
}  // namespace flimgru
