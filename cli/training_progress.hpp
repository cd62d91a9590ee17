#pragma once
// Training progress on stderr: a one-line bar on a terminal; on a pipe or a
// file, one line per epoch. `nasaic train` shows a candidate's, `nasaic
// search` a supernet's.
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <string>
#include <utility>

namespace nasaic {

class TrainingProgress {
 public:
  // `label` starts every line ("task fashion: supernet "), or is empty.
  explicit TrainingProgress(std::int64_t epochs, std::string label = "")
      : epochs_(epochs), label_(std::move(label)), tty_(::isatty(STDERR_FILENO) == 1) {}

  void update(std::int64_t epoch, std::int64_t step, std::int64_t steps, double loss) {
    const double done = (static_cast<double>(epoch) + static_cast<double>(step) / static_cast<double>(steps)) /
                        static_cast<double>(epochs_);
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    const double eta = done > 0 ? elapsed * (1.0 - done) / done : 0.0;
    char line[160];
    const int width = 30, filled = static_cast<int>(done * width);
    std::snprintf(line, sizeof line, "epoch %lld/%lld [%-*s] %3.0f%% loss %.4f eta %.0f s",
                  static_cast<long long>(epoch + 1), static_cast<long long>(epochs_), width,
                  std::string(static_cast<std::size_t>(filled), '#').c_str(), 100.0 * done, loss, eta);
    if (tty_) {
      if (step == steps || elapsed - last_ >= 0.2) {
        std::cerr << "\r" << label_ << line << std::flush;
        last_ = elapsed;
      }
      if (step == steps && epoch + 1 == epochs_) std::cerr << "\n";
    } else if (step == steps) {
      std::cerr << label_ << line << "\n";
    }
  }

 private:
  std::int64_t epochs_;
  std::string label_;
  bool tty_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
  double last_ = -1;
};

}  // namespace nasaic
