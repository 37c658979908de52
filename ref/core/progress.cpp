// progress: see progress.hpp.
#include "progress.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace flimgru {

ProgressBar::ProgressBar(const std::string& label, size_t total, const std::atomic<size_t>& done, bool enabled)
    : label_(label), total_(total), done_(done) {
  if (enabled && total > 0) th_ = std::thread([this] { loop(); });
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::note(const std::string& text) {
  std::lock_guard<std::mutex> l(m_);
  note_ = text;
}

void ProgressBar::finish() {
  if (!th_.joinable()) return;
  {
    std::lock_guard<std::mutex> l(m_);
    stop_ = true;
  }
  cv_.notify_all();
  th_.join();
  std::lock_guard<std::mutex> l(m_);
  draw();
  std::fputc('\n', stderr);
}

void ProgressBar::draw() {
  const size_t d = std::min(done_.load(), total_);
  const int width = 30, fill = int(double(d) / double(total_) * width);
  std::fprintf(stderr, "\r%s [%s%s] %3d%% %zu/%zu%s%s", label_.c_str(), std::string(size_t(fill), '#').c_str(),
               std::string(size_t(width - fill), '.').c_str(), int(100.0 * double(d) / double(total_)), d, total_,
               note_.empty() ? "" : " ", note_.c_str());
  std::fflush(stderr);
}

void ProgressBar::loop() {
  std::unique_lock<std::mutex> l(m_);
  while (!stop_) {
    draw();
    cv_.wait_for(l, std::chrono::milliseconds(200));
  }
}

}  // namespace flimgru
