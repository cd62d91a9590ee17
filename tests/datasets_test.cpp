#include <gtest/gtest.h>

#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "search/datasets/fashion_mnist.hpp"
#include "search/datasets/nuclei.hpp"
#include "tests/support/test_support.hpp"

namespace nasaic {
namespace {

namespace fs = std::filesystem;
using testing::slurp;
using testing::TempDir;

// Fashion-MNIST

// In the order the loader reads them.
const std::array<std::string, 4> kFashionFiles = {"train-labels-idx1-ubyte", "train-images-idx3-ubyte",
                                                  "t10k-labels-idx1-ubyte", "t10k-images-idx3-ubyte"};

// The InputError that `load` throws (a default one, and a failure, if none).
template <typename Load>
InputError input_error_of(Load load) {
  try {
    load();
  } catch (const InputError& error) {
    return error;
  }
  ADD_FAILURE() << "no InputError";
  return InputError("");
}

// Checks that an error is one line naming `file`, holding each fragment.
void expect_error(const InputError& error, const fs::path& file, const std::vector<std::string>& fragments) {
  const std::string text = error.what();
  EXPECT_EQ(error.file(), file.string()) << text;
  EXPECT_NE(text.find(file.string()), std::string::npos) << text;
  EXPECT_EQ(text.find('\n'), std::string::npos) << text;
  for (const auto& fragment : fragments) EXPECT_NE(text.find(fragment), std::string::npos) << text;
}

// A gzip member made of stored (uncompressed) deflate blocks, so a test can
// wrap any bytes without zlib.
std::string gzip_stored(const std::string& data) {
  std::uint32_t crc = 0xffffffffu;
  for (const char ch : data) {
    crc ^= static_cast<unsigned char>(ch);
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  crc = ~crc;
  auto little_endian = [](std::string& out, std::uint32_t value, int bytes) {
    for (int i = 0; i < bytes; ++i) out += static_cast<char>((value >> (8 * i)) & 0xffu);
  };
  std::string out("\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff", 10);
  std::size_t at = 0;
  do {
    const std::size_t size = std::min<std::size_t>(data.size() - at, 65535);
    out += static_cast<char>(at + size == data.size() ? 1 : 0);
    little_endian(out, static_cast<std::uint32_t>(size), 2);
    little_endian(out, static_cast<std::uint32_t>(~size & 0xffffu), 2);
    out.append(data, at, size);
    at += size;
  } while (at < data.size());
  little_endian(out, crc, 4);
  little_endian(out, static_cast<std::uint32_t>(data.size()), 4);
  return out;
}

// An IDX header: the magic, then each dimension, big-endian.
std::string idx_header(std::uint32_t magic, const std::vector<std::uint32_t>& dimensions) {
  std::string out;
  auto big_endian = [&out](std::uint32_t value) {
    for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>((value >> shift) & 0xffu);
  };
  big_endian(magic);
  for (const auto dimension : dimensions) big_endian(dimension);
  return out;
}

std::string labels_idx(std::uint32_t count, char label = 3) {
  return idx_header(0x801, {count}) + std::string(count, label);
}

struct FileIdentity {
  ino_t inode = 0;
  std::int64_t seconds = 0, nanoseconds = 0;
  bool operator==(const FileIdentity&) const = default;
};

FileIdentity identity(const fs::path& path) {
  struct stat status {};
  EXPECT_EQ(::stat(path.c_str(), &status), 0) << path;
  return {status.st_ino, status.st_mtim.tv_sec, status.st_mtim.tv_nsec};
}

TEST(FashionMnist, LoadsTheInstalledDataSet) {
  TempDir cache;
  const FashionMnist data = load_fashion_mnist(kFashionMnistRoot, cache.path().string());
  const std::vector<std::pair<const ImageSet*, std::int64_t>> splits = {{&data.train, 60000}, {&data.test, 10000}};
  for (const auto& [set, count] : splits) {
    EXPECT_EQ(set->count, count);
    EXPECT_EQ(set->channels, 1);
    EXPECT_EQ(set->height, 28);
    EXPECT_EQ(set->width, 28);
    ASSERT_EQ(set->pixels.size(), static_cast<std::size_t>(count * 28 * 28));
    ASSERT_EQ(set->labels.size(), static_cast<std::size_t>(count));
    EXPECT_TRUE(set->masks.empty());
    std::array<std::int64_t, 10> per_class{};
    for (const std::int64_t label : set->labels) {
      ASSERT_GE(label, 0);
      ASSERT_LE(label, 9);
      ++per_class[static_cast<std::size_t>(label)];
    }
    for (const std::int64_t images : per_class) EXPECT_EQ(images, count / 10);
    const auto [low, high] = std::minmax_element(set->pixels.begin(), set->pixels.end());
    EXPECT_EQ(*low, 0.0f);
    EXPECT_EQ(*high, 1.0f);
  }
  // Read from the .gz files with Python's gzip: the first images of each split
  // are ankle boots (class 9), and the centre pixel (14, 14) of each is 217 and
  // 110 of 255.
  EXPECT_EQ(std::vector<std::int64_t>(data.train.labels.begin(), data.train.labels.begin() + 10),
            (std::vector<std::int64_t>{9, 0, 0, 3, 0, 2, 7, 2, 5, 5}));
  EXPECT_EQ(std::vector<std::int64_t>(data.test.labels.begin(), data.test.labels.begin() + 10),
            (std::vector<std::int64_t>{9, 2, 1, 1, 6, 1, 4, 6, 5, 7}));
  EXPECT_EQ(data.train.pixels[14 * 28 + 14], 217.0f / 255.0f);
  EXPECT_EQ(data.test.pixels[14 * 28 + 14], 110.0f / 255.0f);
  double first_image = 0;
  for (int i = 0; i < 28 * 28; ++i) first_image += data.train.pixels[static_cast<std::size_t>(i)];
  EXPECT_NEAR(first_image, 76247.0 / 255.0, 1e-3);

  // The cache holds the raw IDX files and nothing else (no temporary files).
  const fs::path folder = cache.path() / "fashion-mnist";
  const std::vector<std::uintmax_t> sizes = {60008, 47040016, 10008, 7840016};
  for (std::size_t i = 0; i < kFashionFiles.size(); ++i) EXPECT_EQ(fs::file_size(folder / kFashionFiles[i]), sizes[i]);
  EXPECT_EQ(std::distance(fs::directory_iterator(folder), fs::directory_iterator()), 4);
}

TEST(FashionMnist, SecondLoadReadsTheCacheOnly) {
  TempDir cache;
  const FashionMnist first = load_fashion_mnist(kFashionMnistRoot, cache.path().string());
  const fs::path folder = cache.path() / "fashion-mnist";
  std::vector<FileIdentity> before;
  for (const auto& name : kFashionFiles) before.push_back(identity(folder / name));

  const FashionMnist second = load_fashion_mnist(kFashionMnistRoot, cache.path().string());
  for (std::size_t i = 0; i < kFashionFiles.size(); ++i) {
    EXPECT_EQ(identity(folder / kFashionFiles[i]), before[i]) << kFashionFiles[i] << " was rewritten";
  }
  EXPECT_EQ(second.train.pixels, first.train.pixels);
  EXPECT_EQ(second.train.labels, first.train.labels);
  EXPECT_EQ(second.test.pixels, first.test.pixels);
  EXPECT_EQ(second.test.labels, first.test.labels);

  // A complete cache is enough on its own.
  const FashionMnist cached = load_fashion_mnist((cache.path() / "no-such-root").string(), cache.path().string());
  EXPECT_EQ(cached.train.labels, first.train.labels);
  EXPECT_EQ(cached.test.pixels, first.test.pixels);
}

TEST(FashionMnist, DamagedCacheFileIsRebuilt) {
  TempDir cache;
  const FashionMnist first = load_fashion_mnist(kFashionMnistRoot, cache.path().string());
  const fs::path folder = cache.path() / "fashion-mnist";
  // As a crash mid-write on a file system without ordered writes could leave them.
  fs::resize_file(folder / "train-images-idx3-ubyte", 1000);
  std::string labels = slurp(folder / "t10k-labels-idx1-ubyte");
  labels[3] = 0x03;  // the images' magic, at the labels' size
  cache.write("fashion-mnist/t10k-labels-idx1-ubyte", labels);
  const FileIdentity untouched = identity(folder / "train-labels-idx1-ubyte");

  const FashionMnist second = load_fashion_mnist(kFashionMnistRoot, cache.path().string());
  EXPECT_EQ(second.train.pixels, first.train.pixels);
  EXPECT_EQ(second.test.labels, first.test.labels);
  EXPECT_EQ(fs::file_size(folder / "train-images-idx3-ubyte"), 47040016u);
  EXPECT_EQ(slurp(folder / "t10k-labels-idx1-ubyte")[3], 0x01);
  EXPECT_EQ(identity(folder / "train-labels-idx1-ubyte"), untouched);
}

TEST(FashionMnist, MissingDataSetNamesTheDebianPackage) {
  TempDir scratch;
  const fs::path root = scratch.path() / "fashion-mnist";
  const std::string cache = (scratch.path() / "cache").string();
  expect_error(input_error_of([&] { load_fashion_mnist(root.string(), cache); }), root,
               {"Fashion-MNIST not found", "install the Debian package dataset-fashion-mnist",
                "apt-get install dataset-fashion-mnist"});

  // A root without the files: the first one missing is named.
  fs::create_directories(root);
  expect_error(input_error_of([&] { load_fashion_mnist(root.string(), cache); }),
               root / "train-labels-idx1-ubyte.gz", {"Fashion-MNIST not found", "dataset-fashion-mnist"});
}

TEST(FashionMnist, CorruptGzipNamesTheFile) {
  TempDir scratch;
  const std::string root = (scratch.path() / "root").string();
  const std::string gz = root + "/train-labels-idx1-ubyte.gz";
  const std::string real = slurp(fs::path(kFashionMnistRoot) / "train-labels-idx1-ubyte.gz");
  ASSERT_GT(real.size(), 1000u);
  struct Case {
    std::string name, content, fragment;
  };
  std::string bad_check = real;
  bad_check[bad_check.size() - 6] ^= 0x55;  // in the CRC-32 trailer
  const std::vector<Case> cases = {
      {"garbage", std::string(5000, 'x'), "not a gzip file"},
      {"empty", "", "not a gzip file"},
      {"truncated", real.substr(0, real.size() / 2), "corrupt or truncated gzip data"},
      {"bad CRC", bad_check, "corrupt or truncated gzip data"},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    const TempDir cache;
    scratch.write("root/train-labels-idx1-ubyte.gz", test.content);
    expect_error(input_error_of([&] { load_fashion_mnist(root, cache.path().string()); }), gz, {test.fragment});
    EXPECT_FALSE(fs::exists(cache.path() / "fashion-mnist" / "train-labels-idx1-ubyte"));
  }
}

TEST(FashionMnist, WrongIdxContentNamesTheFile) {
  TempDir scratch;
  const std::string root = (scratch.path() / "root").string();
  const std::string real_labels = slurp(fs::path(kFashionMnistRoot) / "train-labels-idx1-ubyte.gz");
  struct Case {
    std::string name, file, content, fragment;
  };
  const std::string labels = "train-labels-idx1-ubyte.gz", images = "train-images-idx3-ubyte.gz";
  const std::vector<Case> cases = {
      {"images' magic", labels, idx_header(0x803, {60000}) + std::string(60000, 1),
       "bad IDX magic 0x00000803, expected 0x00000801"},
      {"short header", labels, std::string("\0\0\x08", 3), "IDX header cut short (3 bytes)"},
      {"fewer labels than images", labels, labels_idx(59999), "IDX header says 59999 labels, expected 60000"},
      {"label 10", labels, labels_idx(60000).replace(8 + 123, 1, 1, 10), "label 10 of item 123 is outside 0-9"},
      {"cut short", labels, idx_header(0x801, {60000}) + "abc", "holds 11 bytes, but its IDX header promises 60008"},
      {"too long", labels, labels_idx(60000) + "z", "holds more than the 60008 bytes"},
      {"5 images", images, idx_header(0x803, {5, 28, 28}) + std::string(5 * 28 * 28, 0),
       "IDX header says 5 images, expected 60000"},
      {"32x32 images", images, idx_header(0x803, {60000, 32, 32}), "IDX header says 32x32 images, expected 28x28"},
  };
  for (const auto& test : cases) {
    SCOPED_TRACE(test.name);
    const TempDir cache;
    fs::remove_all(root);
    // The labels come first, so an images case needs sound labels.
    if (test.file == images) scratch.write("root/" + labels, real_labels);
    scratch.write("root/" + test.file, gzip_stored(test.content));
    expect_error(input_error_of([&] { load_fashion_mnist(root, cache.path().string()); }), root + "/" + test.file,
                 {test.fragment});
  }
}

TEST(FashionMnist, UnusableCacheFolderIsNamed) {
  TempDir scratch;
  // A file where the cache folder's parent should be: not creatable, even by root.
  const std::string blocker = scratch.write("cache", "a file");
  expect_error(input_error_of([&] { load_fashion_mnist(kFashionMnistRoot, blocker); }),
               fs::path(blocker) / "fashion-mnist", {"cannot create the Fashion-MNIST cache folder"});
}


// Nuclei

NucleiOptions quiet_nuclei() {
  // Flat lighting, flat nuclei, no distractors, blur or noise: what is drawn
  // is exactly the ellipses.
  NucleiOptions options;
  options.illumination = 0;
  options.texture = 0;
  options.max_fibres = options.max_specks = 0;
  options.blur_sigma = options.noise_sigma = 0;
  return options;
}

std::int64_t foreground(const std::vector<std::uint8_t>& mask, std::size_t begin = 0,
                        std::size_t end = std::numeric_limits<std::size_t>::max()) {
  end = std::min(end, mask.size());
  return std::count(mask.begin() + static_cast<std::ptrdiff_t>(begin), mask.begin() + static_cast<std::ptrdiff_t>(end),
                    std::uint8_t{1});
}

// 64-bit FNV-1a of raw bytes.
std::uint64_t fnv1a_of(const void* data, std::size_t bytes) {
  std::uint64_t hash = 14695981039346656037ull;
  for (std::size_t i = 0; i < bytes; ++i) {
    hash ^= static_cast<const unsigned char*>(data)[i];
    hash *= 1099511628211ull;
  }
  return hash;
}

// Whether two ellipses' pixels overlap or share an edge.
bool in_contact(const Ellipse& first, const Ellipse& second, std::int64_t size) {
  std::vector<std::uint8_t> a(static_cast<std::size_t>(size * size)), b(a.size());
  rasterize_ellipse(first, size, a);
  rasterize_ellipse(second, size, b);
  for (std::int64_t y = 0; y < size; ++y)
    for (std::int64_t x = 0; x < size; ++x) {
      if (!a[static_cast<std::size_t>(y * size + x)]) continue;
      for (const auto& [dx, dy] : {std::pair{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}}) {
        const std::int64_t nx = x + dx, ny = y + dy;
        if (nx >= 0 && nx < size && ny >= 0 && ny < size && b[static_cast<std::size_t>(ny * size + nx)]) return true;
      }
    }
  return false;
}

// Share of images in which some two nuclei overlap or touch.
double share_in_contact(const NucleiOptions& options, int images) {
  int touching = 0;
  for (int i = 0; i < images; ++i) {
    const NucleiImage image = generate_nuclei_image(options, nuclei_image_seed(7, i));
    bool found = false;
    for (std::size_t j = 0; j < image.nuclei.size() && !found; ++j)
      for (std::size_t k = j + 1; k < image.nuclei.size() && !found; ++k)
        found = in_contact(image.nuclei[j], image.nuclei[k], options.size);
    touching += found;
  }
  return static_cast<double>(touching) / images;
}

// The foreground IoU of the best single global threshold over a set.
double best_threshold_iou(const ImageSet& set) {
  double best = 0;
  for (int step = 1; step < 100; ++step) {
    const float threshold = static_cast<float>(step) / 100;
    std::int64_t both = 0, either = 0;
    for (std::size_t i = 0; i < set.masks.size(); ++i) {
      const bool predicted = set.pixels[i] > threshold, truth = set.masks[i] != 0;
      both += predicted && truth;
      either += predicted || truth;
    }
    best = std::max(best, static_cast<double>(both) / static_cast<double>(either));
  }
  return best;
}

TEST(Nuclei, SameSeedGivesTheSameBytes) {
  const NucleiOptions options;
  const ImageSet first = generate_nuclei(options, 8, 5), second = generate_nuclei(options, 8, 5);
  EXPECT_EQ(first.pixels, second.pixels);
  EXPECT_EQ(first.masks, second.masks);
  const ImageSet other = generate_nuclei(options, 8, 6);
  EXPECT_NE(other.pixels, first.pixels);
  EXPECT_NE(other.masks, first.masks);
  // Each image differs from the next, so no index is ignored.
  const std::size_t pixels = 64 * 64;
  for (std::size_t i = 0; i + 1 < 8; ++i)
    EXPECT_FALSE(std::equal(first.pixels.begin() + static_cast<std::ptrdiff_t>(i * pixels),
                            first.pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * pixels),
                            first.pixels.begin() + static_cast<std::ptrdiff_t>((i + 1) * pixels)))
        << "image " << i;
}

TEST(Nuclei, BytesArePinned) {
  // The data behind cached results: if a change moves these, bump the version
  // in nuclei_identity ("nuclei-v1") and update them. (Pinned on x86-64; a
  // compiler that fuses multiply-adds may round differently.)
  const ImageSet set = generate_nuclei(NucleiOptions{}, 4, 1);
  EXPECT_EQ(fnv1a_of(set.masks.data(), set.masks.size()), 6964283571921603029u);
  EXPECT_EQ(fnv1a_of(set.pixels.data(), set.pixels.size() * sizeof(float)), 18418189287083490663u);
  EXPECT_EQ(foreground(set.masks), 2870);
}

TEST(Nuclei, SplitsAreFixedAndPrefixStable) {
  const NucleiOptions options;
  const NucleiSplits small = nuclei_splits(options, 3, 2, 2), large = nuclei_splits(options, 6, 4, 5);
  const std::vector<std::pair<const ImageSet*, const ImageSet*>> pairs = {
      {&small.train, &large.train}, {&small.validation, &large.validation}, {&small.test, &large.test}};
  for (const auto& [prefix, whole] : pairs) {
    ASSERT_LT(prefix->count, whole->count);
    EXPECT_TRUE(std::equal(prefix->pixels.begin(), prefix->pixels.end(), whole->pixels.begin()));
    EXPECT_TRUE(std::equal(prefix->masks.begin(), prefix->masks.end(), whole->masks.begin()));
  }
  // The splits are the documented seeds' sets, and differ from each other.
  EXPECT_EQ(small.train.pixels, generate_nuclei(options, 3, kNucleiTrainSeed).pixels);
  EXPECT_EQ(small.validation.pixels, generate_nuclei(options, 2, kNucleiValidationSeed).pixels);
  EXPECT_EQ(small.test.pixels, generate_nuclei(options, 2, kNucleiTestSeed).pixels);
  EXPECT_NE(small.train.masks, small.test.masks);
  EXPECT_NE(small.validation.masks, small.test.masks);
  EXPECT_EQ(nuclei_splits(options, 0, 0, 1).train.count, 0);
}

TEST(Nuclei, ImagesAndMasksAreWellFormed) {
  NucleiOptions options;
  const std::int64_t count = 300;
  const ImageSet set = generate_nuclei(options, count, 11);
  EXPECT_EQ(set.count, count);
  EXPECT_EQ(set.channels, 1);
  EXPECT_EQ(set.height, 64);
  EXPECT_EQ(set.width, 64);
  EXPECT_TRUE(set.labels.empty());
  ASSERT_EQ(set.pixels.size(), static_cast<std::size_t>(count * 64 * 64));
  ASSERT_EQ(set.masks.size(), set.pixels.size());
  for (const float pixel : set.pixels) ASSERT_TRUE(pixel >= 0 && pixel <= 1) << pixel;
  for (const std::uint8_t bit : set.masks) ASSERT_LE(bit, 1);
  const std::size_t pixels = 64 * 64;
  double total = 0, low = 1, high = 0;
  for (std::size_t i = 0; i < static_cast<std::size_t>(count); ++i) {
    const double share = static_cast<double>(foreground(set.masks, i * pixels, (i + 1) * pixels)) / pixels;
    EXPECT_GT(share, 0) << "image " << i << " has no nucleus";
    total += share;
    low = std::min(low, share);
    high = std::max(high, share);
  }
  EXPECT_GT(total / count, 0.10);
  EXPECT_LT(total / count, 0.25);
  EXPECT_LT(high, 0.5);
  // The pixels use the range, without piling up at its ends.
  const auto [darkest, brightest] = std::minmax_element(set.pixels.begin(), set.pixels.end());
  EXPECT_LT(*darkest, 0.1f);
  EXPECT_GT(*brightest, 0.7f);
  EXPECT_LT(std::count(set.pixels.begin(), set.pixels.end(), 1.0f), static_cast<std::ptrdiff_t>(set.pixels.size() / 1000));

  // A larger image holds the same kind of scene.
  options.size = 128;
  options.max_radius = 12;
  const NucleiImage large = generate_nuclei_image(options, 3);
  EXPECT_EQ(large.pixels.size(), 128u * 128u);
  EXPECT_GT(foreground(large.mask), 0);
}

TEST(Nuclei, MaskIsTheUnionOfTheDrawnEllipses) {
  // With everything but the nuclei switched off, the bright pixels are the mask.
  const NucleiOptions quiet = quiet_nuclei();
  // Nuclei are at least min_contrast × 0.8 (the dome's rim) above background.
  const float threshold = static_cast<float>(quiet.background + 0.4 * quiet.min_contrast);
  const ImageSet set = generate_nuclei(quiet, 50, 3);
  std::int64_t wrong = 0;
  for (std::size_t i = 0; i < set.pixels.size(); ++i) wrong += (set.pixels[i] > threshold) != (set.masks[i] != 0);
  EXPECT_EQ(wrong, 0);
  EXPECT_GT(foreground(set.masks), 0);

  // With everything on, the mask is still exactly the union of the listed
  // ellipses, and each of them is in the image.
  const NucleiOptions options;
  for (std::uint64_t seed = 0; seed < 20; ++seed) {
    const NucleiImage image = generate_nuclei_image(options, seed);
    ASSERT_GE(static_cast<std::int64_t>(image.nuclei.size()), options.min_nuclei);
    ASSERT_LE(static_cast<std::int64_t>(image.nuclei.size()), options.max_nuclei);
    std::vector<std::uint8_t> union_mask(image.mask.size(), 0);
    for (const Ellipse& e : image.nuclei) {
      EXPECT_GT(rasterize_ellipse(e, options.size, union_mask), 0);
      EXPECT_GE(e.b, options.min_radius);
      EXPECT_LE(e.b, e.a);
      EXPECT_LE(e.a, options.max_radius);
      EXPECT_LE(e.a, 2 * e.b);
    }
    EXPECT_EQ(union_mask, image.mask) << "seed " << seed;
  }
}

TEST(Nuclei, RasterizedEllipseHasItsArea) {
  const std::int64_t size = 64;
  const double s = 0.70710678118654752;
  const std::vector<Ellipse> cases = {
      {32.3, 30.7, 8, 5, 0.6, 0.8}, {20, 40, 9, 9, 1, 0}, {31.5, 31.5, 6, 3, s, s}, {40.2, 22.9, 4.5, 3.2, 0, 1}};
  for (const Ellipse& e : cases) {
    std::vector<std::uint8_t> mask(size * size, 0);
    const double area = 3.14159265358979 * e.a * e.b;
    const std::int64_t covered = rasterize_ellipse(e, size, mask);
    EXPECT_NEAR(static_cast<double>(covered), area, 0.04 * area) << e.a << "×" << e.b;
    EXPECT_EQ(foreground(mask), covered);
    // The pixels lie where the ellipse is: their centroid is its centre.
    double sum_x = 0, sum_y = 0;
    for (std::int64_t y = 0; y < size; ++y)
      for (std::int64_t x = 0; x < size; ++x)
        if (mask[static_cast<std::size_t>(y * size + x)]) {
          sum_x += x + 0.5;
          sum_y += y + 0.5;
        }
    EXPECT_NEAR(sum_x / covered, e.cx, 0.15);
    EXPECT_NEAR(sum_y / covered, e.cy, 0.15);
    // Its extent along the long axis is 2a, across it 2b.
    EXPECT_TRUE(e.contains(e.cx + 0.97 * e.a * e.ux, e.cy + 0.97 * e.a * e.uy));
    EXPECT_FALSE(e.contains(e.cx + 1.03 * e.a * e.ux, e.cy + 1.03 * e.a * e.uy));
    EXPECT_TRUE(e.contains(e.cx - 0.97 * e.b * e.uy, e.cy + 0.97 * e.b * e.ux));
    EXPECT_FALSE(e.contains(e.cx - 1.03 * e.b * e.uy, e.cy + 1.03 * e.b * e.ux));
    EXPECT_NEAR(e.reach(e.ux, e.uy), e.a, 1e-9);
    EXPECT_NEAR(e.reach(-e.uy, e.ux), e.b, 1e-9);
  }
  // Clipped at the border: a nucleus centred on the corner keeps a quarter.
  std::vector<std::uint8_t> mask(size * size, 0);
  const std::int64_t quarter = rasterize_ellipse({0, 0, 8, 8, 1, 0}, size, mask);
  EXPECT_NEAR(static_cast<double>(quarter), 3.14159265358979 * 64 / 4, 4);
}

TEST(Nuclei, SomeNucleiTouchOrOverlap) {
  NucleiOptions options;
  const double with_touching = share_in_contact(options, 200);
  options.touching_fraction = 0;
  const double without = share_in_contact(options, 200);
  options.touching_fraction = 1;
  const double all = share_in_contact(options, 200);
  // Measured 0.825, 0.005 and 1.0: chance contacts are rare, so the option
  // is what makes nuclei touch.
  EXPECT_GT(with_touching, 0.6);
  EXPECT_LT(without, 0.05);
  EXPECT_GT(all, 0.95);
}

TEST(Nuclei, GlobalThresholdDoesNotSegment) {
  // Uneven lighting, dim nuclei, texture and bright distractors: no single
  // threshold finds the nuclei, so a network must look at context...
  EXPECT_LT(best_threshold_iou(generate_nuclei(NucleiOptions{}, 100, 9)), 0.65);  // measured 0.555
  // ...while the same scenes without them are easy.
  EXPECT_GT(best_threshold_iou(generate_nuclei(quiet_nuclei(), 100, 9)), 0.99);
}

TEST(Nuclei, BlurAndNoiseDoWhatTheySay) {
  // Blur and noise come last and draw after everything else, so the same seed
  // gives the same scene with and without them.
  NucleiOptions sharp = quiet_nuclei();
  NucleiOptions blurred = sharp;
  blurred.blur_sigma = 2;
  // Energy of the steps between neighbours in a row: blur spreads edges.
  auto roughness = [](const std::vector<float>& pixels) {
    double sum = 0;
    for (std::size_t i = 1; i < pixels.size(); ++i) sum += (pixels[i] - pixels[i - 1]) * (pixels[i] - pixels[i - 1]);
    return sum;
  };
  auto mean = [](const std::vector<float>& pixels) {
    double sum = 0;
    for (const float pixel : pixels) sum += pixel;
    return sum / static_cast<double>(pixels.size());
  };
  const NucleiImage a = generate_nuclei_image(sharp, 4), b = generate_nuclei_image(blurred, 4);
  EXPECT_EQ(a.mask, b.mask);
  EXPECT_LT(roughness(b.pixels), 0.7 * roughness(a.pixels));
  // Blurring keeps the mean brightness (up to the clamped edges).
  EXPECT_NEAR(mean(a.pixels), mean(b.pixels), 0.01);

  NucleiOptions noisy = sharp;
  noisy.noise_sigma = 0.05;
  const NucleiImage c = generate_nuclei_image(noisy, 4);
  EXPECT_EQ(a.mask, c.mask);
  double sum = 0, squares = 0;
  for (std::size_t i = 0; i < a.pixels.size(); ++i) {
    const double difference = c.pixels[i] - a.pixels[i];
    sum += difference;
    squares += difference * difference;
  }
  const auto n = static_cast<double>(a.pixels.size());
  EXPECT_NEAR(sum / n, 0, 0.005);
  EXPECT_NEAR(squares / n, 0.05 * 0.05, 0.0003);  // σ within ±3 %
}

TEST(Nuclei, ValidateNamesTheFirstBadOption) {
  EXPECT_EQ(validate(NucleiOptions{}), "");
  struct Case {
    const char* key;
    void (*change)(NucleiOptions&);
  };
  static constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<Case> cases = {
      {"size", [](NucleiOptions& o) { o.size = 15; }},
      {"size", [](NucleiOptions& o) { o.size = 513; }},
      {"min_nuclei", [](NucleiOptions& o) { o.min_nuclei = 0; }},
      {"max_nuclei", [](NucleiOptions& o) { o.max_nuclei = 2; }},
      {"max_nuclei", [](NucleiOptions& o) { o.max_nuclei = 201; }},
      {"min_radius", [](NucleiOptions& o) { o.min_radius = 0.5; }},
      {"min_radius", [](NucleiOptions& o) { o.min_radius = nan; }},
      {"max_radius", [](NucleiOptions& o) { o.max_radius = 2.5; }},
      {"max_radius", [](NucleiOptions& o) { o.max_radius = 32; }},
      {"touching_fraction", [](NucleiOptions& o) { o.touching_fraction = 1.5; }},
      {"touching_fraction", [](NucleiOptions& o) { o.touching_fraction = -0.1; }},
      {"background", [](NucleiOptions& o) { o.background = -0.1; }},
      {"illumination", [](NucleiOptions& o) { o.illumination = 0.9; }},
      {"min_contrast", [](NucleiOptions& o) { o.min_contrast = 0; }},
      {"max_contrast", [](NucleiOptions& o) { o.max_contrast = 0.05; }},
      {"max_contrast", [](NucleiOptions& o) { o.max_contrast = nan; }},
      {"texture", [](NucleiOptions& o) { o.texture = 2; }},
      {"max_fibres", [](NucleiOptions& o) { o.max_fibres = -1; }},
      {"max_specks", [](NucleiOptions& o) { o.max_specks = 101; }},
      {"blur_sigma", [](NucleiOptions& o) { o.blur_sigma = 9; }},
      {"noise_sigma", [](NucleiOptions& o) { o.noise_sigma = -0.01; }},
      {"noise_sigma", [](NucleiOptions& o) { o.noise_sigma = nan; }},
  };
  for (const Case& test : cases) {
    NucleiOptions options;
    test.change(options);
    const std::string problem = validate(options);
    EXPECT_EQ(problem.rfind(std::string(test.key) + ": ", 0), 0u) << test.key << " → '" << problem << "'";
    EXPECT_NE(problem.find("got "), std::string::npos) << problem;
  }
  // The bounds themselves are allowed.
  NucleiOptions edge;
  edge.size = 16;
  edge.min_radius = 1;
  edge.max_radius = 7.5;
  edge.min_nuclei = edge.max_nuclei = 1;
  edge.touching_fraction = 1;
  edge.max_fibres = edge.max_specks = 0;
  edge.blur_sigma = edge.noise_sigma = 0;
  EXPECT_EQ(validate(edge), "");
  EXPECT_GT(foreground(generate_nuclei_image(edge, 1).mask), 0);
}

TEST(Nuclei, IdentityNamesEveryOption) {
  const NucleiOptions defaults;
  EXPECT_EQ(nuclei_identity(defaults),
            "nuclei-v1 size=64 nuclei=3..12 radius=3..9 touching=0.3 background=0.15 illumination=0.3 "
            "contrast=0.1..0.45 texture=0.35 fibres=3 specks=6 blur=1 noise=0.05");
  const std::vector<void (*)(NucleiOptions&)> changes = {
      [](NucleiOptions& o) { o.size = 32; },           [](NucleiOptions& o) { o.min_nuclei = 2; },
      [](NucleiOptions& o) { o.max_nuclei = 11; },     [](NucleiOptions& o) { o.min_radius = 3.5; },
      [](NucleiOptions& o) { o.max_radius = 8; },      [](NucleiOptions& o) { o.touching_fraction = 0.31; },
      [](NucleiOptions& o) { o.background = 0.2; },    [](NucleiOptions& o) { o.illumination = 0.2; },
      [](NucleiOptions& o) { o.min_contrast = 0.2; },  [](NucleiOptions& o) { o.max_contrast = 0.5; },
      [](NucleiOptions& o) { o.texture = 0.3; },       [](NucleiOptions& o) { o.max_fibres = 2; },
      [](NucleiOptions& o) { o.max_specks = 5; },      [](NucleiOptions& o) { o.blur_sigma = 1.25; },
      [](NucleiOptions& o) { o.noise_sigma = 0.051; },
  };
  std::vector<std::string> seen = {nuclei_identity(defaults)};
  for (const auto& change : changes) {
    NucleiOptions options;
    change(options);
    const std::string text = nuclei_identity(options);
    EXPECT_EQ(std::find(seen.begin(), seen.end(), text), seen.end()) << text;
    seen.push_back(text);
  }
}

}  // namespace
}  // namespace nasaic
