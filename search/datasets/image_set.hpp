#pragma once
// Images held in memory the way training reads them: one contiguous
// N×C×H×W float buffer, with class labels (classification) or binary masks
// (segmentation).
#include <cstdint>
#include <vector>

namespace nasaic {

struct ImageSet {
  std::int64_t count = 0, channels = 1, height = 0, width = 0;
  // count × channels × height × width, scaled to [0, 1].
  std::vector<float> pixels;
  // Classification: one class index per image. Segmentation: empty.
  std::vector<std::int64_t> labels;
  // Segmentation: count × height × width, each 0 or 1. Classification: empty.
  std::vector<std::uint8_t> masks;

  std::int64_t image_size() const { return channels * height * width; }
};

}  // namespace nasaic
