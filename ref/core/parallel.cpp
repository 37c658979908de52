// parallel: see parallel.hpp.
#include "parallel.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace flimgru {

namespace {

// Runs worker(t) for t = 0..count-1, t = 0 on the calling thread; rethrows the first exception.
// `stop` is called once when a worker throws, to make the others finish early.
void run_workers(int count, const std::function<void(int)>& worker, const std::function<void()>& stop) {
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto guarded = [&](int t) {
    try {
      worker(t);
    } catch (...) {
      std::lock_guard<std::mutex> lock(failure_mutex);
      if (!failure) {
        failure = std::current_exception();
        stop();
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(size_t(std::max(0, count - 1)));
  for (int t = 1; t < count; ++t) pool.emplace_back(guarded, t);
  guarded(0);
  for (auto& th : pool) th.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

int default_threads() { return int(std::max(1u, std::thread::hardware_concurrency())); }

int parallel_chunks(size_t n, int threads, size_t min_per_chunk) {
  if (threads <= 0) threads = default_threads();
  const size_t by_size = (n + std::max<size_t>(min_per_chunk, 1) - 1) / std::max<size_t>(min_per_chunk, 1);
  return int(std::max<size_t>(1, std::min<size_t>(size_t(threads), by_size)));
}

void parallel_for(size_t n, int threads, const std::function<void(int, size_t, size_t)>& fn,
                  size_t min_per_chunk) {
  const int k = parallel_chunks(n, threads, min_per_chunk);
  run_workers(k, [&](int c) { fn(c, n * size_t(c) / size_t(k), n * size_t(c + 1) / size_t(k)); }, [] {});
}

void parallel_blocks(size_t n, int threads, size_t block, const std::function<void(size_t, size_t)>& fn) {
  block = std::max<size_t>(block, 1);
  const size_t blocks = (n + block - 1) / block;
  const int k = parallel_chunks(blocks, threads, 1);
  std::atomic<size_t> next{0};
  run_workers(
      k,
      [&](int) {
        for (;;) {
          const size_t b = next.fetch_add(1) * block;
          if (b >= n) return;
          fn(b, std::min(n, b + block));
        }
      },
      [&] { next.store(n); });
}

}  // namespace flimgru
