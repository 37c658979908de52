// parallel: the one way flimgru spreads work over threads (simulate, infer, eval, fit, train).
//
// parallel_for(n, threads, fn, min_per_chunk): [0, n) in k = parallel_chunks(...) contiguous
//   chunks, chunk c = [n·c/k, n·(c+1)/k), each run once as fn(c, begin, end) on its own thread
//   (chunk 0 on the caller's). k = min(threads, ceil(n / min_per_chunk)), at least 1; a chunk
//   holds at most ceil(n / k) items. Per-chunk results go into slot c of a vector of k.
// parallel_blocks(n, threads, block, fn): [0, n) in blocks of `block` items handed out in order
//   to whichever thread is free, fn(begin, end) per block: for items of uneven cost.
// Both return when every call has returned. The first exception thrown by any call stops the
//   hand-out of further blocks and is rethrown in the caller once all threads have joined.
// threads <= 0 means one per hardware thread.
#pragma once
#include <cstddef>
#include <functional>

namespace flimgru {

int default_threads();  // the hardware's thread count, at least 1
int parallel_chunks(size_t n, int threads, size_t min_per_chunk = 64);
void parallel_for(size_t n, int threads, const std::function<void(int chunk, size_t begin, size_t end)>& fn,
                  size_t min_per_chunk = 64);
void parallel_blocks(size_t n, int threads, size_t block, const std::function<void(size_t begin, size_t end)>& fn);

}  // namespace flimgru
