// progress: the one progress bar of flimgru (image, the board link), on stderr.
//
// ProgressBar bar(label, total, done, enabled): while it lives, a thread of its own redraws
//   "LABEL [###.......]  30% 300/1000 NOTE" every 0.2 s from the counter DONE, which any thread
//   may advance. note(text) sets the text after the counts (e.g. a rate); finish() (or the
//   destructor) draws the last state and ends the line. A bar that is not enabled, or has
//   nothing to count, draws nothing.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>

namespace flimgru {

class ProgressBar {
 public:
  ProgressBar(const std::string& label, size_t total, const std::atomic<size_t>& done, bool enabled);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;
  void note(const std::string& text);
  void finish();

 private:
  void draw();  // with m_ held
  void loop();
  std::string label_, note_;
  size_t total_;
  const std::atomic<size_t>& done_;
  std::thread th_;
  std::mutex m_;
  std::condition_variable cv_;
  bool stop_ = false;
};

}  // namespace flimgru
