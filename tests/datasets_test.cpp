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

}  // namespace
}  // namespace nasaic
