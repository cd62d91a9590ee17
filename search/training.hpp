#pragma once
// Accuracy by training (NASAIC's way): an architecture is built from its IR and
// trained from scratch with the space's recipe; its metric on the test split is
// the accuracy a search sees. Results are cached by (network, recipe, data set,
// method, LibTorch version and thread count), so a repeated candidate costs
// nothing. This header keeps LibTorch out of its includers.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "search/network_counts.hpp"
#include "search/search_space.hpp"

namespace nasaic {

struct TrainingOptions {
  std::string cache_dir;   // results/ and decompressed data sets go here
  bool use_cache = true;
  // LibTorch's intra-op threads; 0 keeps its default (OMP_NUM_THREADS). Results
  // are bit-identical for one thread count, so it is part of the cache key.
  // Under load (ctest -j2) one thread per process avoids OpenMP spin contention.
  int threads = 0;
  // Called after every step with (epoch, step in epoch, steps per epoch, running loss).
  std::function<void(std::int64_t, std::int64_t, std::int64_t, double)> progress;
};

struct EpochRecord {
  double loss = 0;              // mean training loss over the epoch
  double validation_metric = 0;
};

struct TrainingResult {
  std::string key;          // the cache key (hex)
  bool from_cache = false;
  AccuracyMethod method = AccuracyMethod::train;
  Metric metric = Metric::top1;
  // Top-1 accuracy or foreground IoU, in [0, 1], on the test split. The
  // supernet scores candidates on validation images only (a search selects by
  // it), so its results have no test metric.
  bool has_test_metric = true;
  double test_metric = 0;
  double validation_metric = 0;
  std::int64_t validation_images = 0;  // how many images validation_metric counts
  double seconds = 0;       // training (or recalibration) and evaluation, when it was computed
  double images_per_second = 0;  // training throughput; 0 for a supernet score
  NetworkCounts counts;
  std::vector<EpochRecord> epochs;
  int threads = 0;
};

// The default cache folder: $NASAIC_CACHE_DIR, else $XDG_CACHE_HOME/nasaic,
// else $HOME/.cache/nasaic.
std::string default_cache_dir();

TrainingResult train_architecture(const SearchSpace& space, const Architecture& architecture, const Recipe& recipe,
                                  const TrainingOptions& options);

// The result as JSON (what the cache stores and `nasaic train --format json` prints).
std::string training_result_json(const TrainingResult& result);

// The result cache: one JSON file per key under cache_dir/results. An entry
// that does not read back, or holds another key, is a miss (and is
// overwritten), never trusted.
std::string result_cache_path(const std::string& cache_dir, const std::string& key);
bool read_cached_result(const std::string& path, TrainingResult& result);
void write_cached_result(const std::string& path, const TrainingResult& result);
// Renames a finished temporary file onto `path`, so a reader never sees half
// a cache entry.
void rename_into_place(const std::string& temporary, const std::string& path);
std::string temporary_path_for(const std::string& path);

}  // namespace nasaic
