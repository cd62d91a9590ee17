#pragma once
// A seeded generator of nuclei-like segmentation images: grey images of
// elliptical nuclei (random count, size, orientation, brightness and texture,
// some touching or overlapping) on an unevenly lit background, with fibres and
// specks that are not nuclei, blurred and noisy. The mask is the union of the
// ellipses. Local brightness alone segments it poorly (dim nuclei sit below
// bright background, fibres and specks are bright), so the task rewards a
// network that sees context.
//
// Every draw comes from std::mt19937_64 through the generator's own uniform
// and normal conversions (the standard distributions differ between standard
// libraries), and orientations are drawn as unit vectors, so the same options
// and seed give the same bytes with any standard library.
#include <cstdint>
#include <string>
#include <vector>

#include "search/datasets/image_set.hpp"

namespace nasaic {

struct NucleiOptions {
  std::int64_t size = 64;  // images are size × size, one channel
  // Nuclei per image, uniform in [min, max]: crowding varies between images.
  std::int64_t min_nuclei = 3, max_nuclei = 12;
  // Semi-axes in pixels, each uniform in [min, max]; the longer one is at most
  // 2× the shorter, so nuclei stay plausible ellipses, never needles.
  double min_radius = 3.0, max_radius = 9.0;
  // Share of nuclei placed against an earlier one (touching or overlapping by
  // up to a quarter of their extent), so instances must not be separable by gaps.
  double touching_fraction = 0.3;
  // Background level before lighting, and the peak-to-peak swing of a smooth
  // lighting field (a gradient plus coarse blobs): larger than the dimmest
  // nuclei's contrast, so no global threshold separates them.
  double background = 0.15, illumination = 0.3;
  // A nucleus's brightness above the local background, uniform in [min, max]:
  // the dim ones are near the noise floor.
  double min_contrast = 0.1, max_contrast = 0.45;
  // Relative depth of smooth texture and dark chromatin spots inside nuclei
  // (0 = flat): holes in brightness that the mask does not have.
  double texture = 0.35;
  // Upper bounds on thin bright fibres and small bright specks per image (0 =
  // none); both are bright like nuclei but are background in the mask.
  std::int64_t max_fibres = 3, max_specks = 6;
  // Gaussian blur of the whole image (optics) and additive Gaussian noise
  // (sensor), in pixels and intensity units; 0 switches each off.
  double blur_sigma = 1.0, noise_sigma = 0.05;
};

// The first problem with the options ("min_radius: must be > 0, got -1"), or
// "" if they are usable. The key names the field.
std::string validate(const NucleiOptions& options);

// A short stable text that identifies the generated data, for cache keys:
// "nuclei-v1 size=64 nuclei=3..12 ...". The version changes whenever the same
// options would generate different bytes.
std::string nuclei_identity(const NucleiOptions& options);

// An ellipse in pixel coordinates, where pixel (x, y) covers [x, x+1)×[y, y+1)
// and its centre is (x + 0.5, y + 0.5). `ux, uy` is the unit direction of the
// semi-axis `a`; `b` is perpendicular to it.
struct Ellipse {
  double cx = 0, cy = 0, a = 1, b = 1, ux = 1, uy = 0;

  bool contains(double x, double y) const;
  // Distance from the centre to the boundary along the unit direction (dx, dy).
  double reach(double dx, double dy) const;
};

// Sets mask[y × size + x] = 1 for every pixel whose centre lies inside the
// ellipse (clipped to the image) and returns how many pixels that covers.
std::int64_t rasterize_ellipse(const Ellipse& ellipse, std::int64_t size, std::vector<std::uint8_t>& mask);

struct NucleiImage {
  std::vector<float> pixels;        // size × size in [0, 1]
  std::vector<std::uint8_t> mask;   // size × size, 0 or 1
  std::vector<Ellipse> nuclei;      // in the order drawn; the mask is their union
};

// One image from its own seed (validate() must accept the options).
NucleiImage generate_nuclei_image(const NucleiOptions& options, std::uint64_t image_seed);

// The seed of image `index` of a set seeded with `seed`: each image depends on
// its index only, so the first k images of a set do not depend on its size.
std::uint64_t nuclei_image_seed(std::uint64_t seed, std::int64_t index);

// `count` images, image i from nuclei_image_seed(seed, i); labels stay empty.
ImageSet generate_nuclei(const NucleiOptions& options, std::int64_t count, std::uint64_t seed);

// The fixed splits and their seeds; asking for more images of a split extends
// it without changing the images it had.
inline constexpr std::uint64_t kNucleiTrainSeed = 1001;
inline constexpr std::uint64_t kNucleiValidationSeed = 2002;
inline constexpr std::uint64_t kNucleiTestSeed = 3003;

struct NucleiSplits {
  ImageSet train, validation, test;
};

NucleiSplits nuclei_splits(const NucleiOptions& options, std::int64_t train, std::int64_t validation,
                           std::int64_t test);

}  // namespace nasaic
