#include "search/datasets/fashion_mnist.hpp"

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "common/error.hpp"

namespace nasaic {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<unsigned char>;

constexpr std::int64_t kSide = 28;
constexpr std::uint32_t kImagesMagic = 0x00000803;  // unsigned bytes, 3 dimensions
constexpr std::uint32_t kLabelsMagic = 0x00000801;  // unsigned bytes, 1 dimension
constexpr unsigned kClasses = 10;

struct IdxFile {
  const char* name;  // in the cache; the package's file adds ".gz"
  const char* split;
  bool images;
  std::int64_t count;

  std::size_t header_bytes() const { return images ? 16 : 8; }
  std::size_t item_bytes() const { return images ? static_cast<std::size_t>(kSide * kSide) : 1; }
  std::size_t total_bytes() const { return header_bytes() + static_cast<std::size_t>(count) * item_bytes(); }
  const char* items() const { return images ? "images" : "labels"; }
};

constexpr IdxFile kTrainImages{"train-images-idx3-ubyte", "train", true, 60000};
constexpr IdxFile kTrainLabels{"train-labels-idx1-ubyte", "train", false, 60000};
constexpr IdxFile kTestImages{"t10k-images-idx3-ubyte", "test", true, 10000};
constexpr IdxFile kTestLabels{"t10k-labels-idx1-ubyte", "test", false, 10000};

std::uint32_t big_endian(const unsigned char* bytes) {
  return (std::uint32_t{bytes[0]} << 24) | (std::uint32_t{bytes[1]} << 16) | (std::uint32_t{bytes[2]} << 8) |
         std::uint32_t{bytes[3]};
}

std::string hex(std::uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08x", static_cast<unsigned>(value));
  return text;
}

// What makes `data` other than Fashion-MNIST's `file`, or "" if nothing does.
// Counts are checked against the known ones, so images and labels agree.
std::string idx_problem(const Bytes& data, const IdxFile& file) {
  if (data.size() < file.header_bytes()) {
    return "IDX header cut short (" + std::to_string(data.size()) + " bytes)";
  }
  const std::uint32_t magic = big_endian(data.data());
  const std::uint32_t expected_magic = file.images ? kImagesMagic : kLabelsMagic;
  if (magic != expected_magic) {
    return "bad IDX magic " + hex(magic) + ", expected " + hex(expected_magic) + " (" + file.items() +
           " of unsigned bytes)";
  }
  const std::uint32_t count = big_endian(data.data() + 4);
  if (count != static_cast<std::uint32_t>(file.count)) {
    return "IDX header says " + std::to_string(count) + " " + file.items() + ", expected " +
           std::to_string(file.count) + " (Fashion-MNIST's " + file.split + " split)";
  }
  if (file.images) {
    const std::uint32_t rows = big_endian(data.data() + 8), cols = big_endian(data.data() + 12);
    if (rows != kSide || cols != kSide) {
      return "IDX header says " + std::to_string(rows) + "x" + std::to_string(cols) + " images, expected 28x28";
    }
  }
  if (data.size() != file.total_bytes()) {
    // Callers read at most one byte more than the header promises.
    return data.size() > file.total_bytes()
               ? "holds more than the " + std::to_string(file.total_bytes()) + " bytes its IDX header promises"
               : "holds " + std::to_string(data.size()) + " bytes, but its IDX header promises " +
                     std::to_string(file.total_bytes());
  }
  if (!file.images) {
    for (std::size_t i = file.header_bytes(); i < data.size(); ++i) {
      if (data[i] >= kClasses) {
        return "label " + std::to_string(data[i]) + " of item " + std::to_string(i - file.header_bytes()) +
               " is outside 0-9";
      }
    }
  }
  return "";
}

[[noreturn]] void not_found(const fs::path& path, const std::string& what) {
  throw InputError(path.string(), 0, "",
                   "Fashion-MNIST not found (" + what + "); install the Debian package " + kFashionMnistPackage +
                       " (apt-get install " + kFashionMnistPackage + ")");
}

struct FileCloser {
  void operator()(std::FILE* file) const { std::fclose(file); }
};

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose_r(file); }
};

// zlib's messages start with the path, which the InputError already names.
std::string zlib_message(gzFile file, const fs::path& path) {
  int code = Z_OK;
  std::string message = gzerror(file, &code);
  const std::string prefix = path.string() + ": ";
  if (message.rfind(prefix, 0) == 0) message.erase(0, prefix.size());
  return message;
}

// The decompressed content, at most `limit` bytes of it.
Bytes inflate_file(const fs::path& gz, std::size_t limit) {
  std::unique_ptr<gzFile_s, GzCloser> file(gzopen(gz.c_str(), "rb"));
  if (!file) throw InputError(gz.string(), 0, "", std::string("cannot open: ") + std::strerror(errno));
  gzbuffer(file.get(), 1u << 18);
  // zlib passes a file that is not gzip through as it is; that is not ours.
  if (gzdirect(file.get())) throw InputError(gz.string(), 0, "", "not a gzip file");
  Bytes data;
  std::size_t have = 0;
  while (have < limit) {
    const std::size_t chunk = std::min<std::size_t>(limit - have, std::size_t{1} << 22);
    data.resize(have + chunk);
    const int got = gzread(file.get(), data.data() + have, static_cast<unsigned>(chunk));
    if (got <= 0) break;
    have += static_cast<std::size_t>(got);
  }
  data.resize(have);
  int code = Z_OK;
  gzerror(file.get(), &code);
  if (code != Z_OK) {
    throw InputError(gz.string(), 0, "", "corrupt or truncated gzip data (" + zlib_message(file.get(), gz) + ")");
  }
  // Stopping at the limit leaves the stream unfinished; the size check reports that.
  if (have < limit) {
    const int closed = gzclose_r(file.release());
    if (closed != Z_OK) throw InputError(gz.string(), 0, "", "corrupt or truncated gzip data");
  }
  return data;
}

// The whole cached file if it has the expected size; anything else (absent,
// unreadable, cut short by a crash) means it must be rebuilt.
std::optional<Bytes> read_cached(const fs::path& path, std::size_t expected) {
  std::error_code error;
  const auto size = fs::file_size(path, error);
  if (error || size != expected) return std::nullopt;
  std::unique_ptr<std::FILE, FileCloser> in(std::fopen(path.c_str(), "rb"));
  if (!in) return std::nullopt;
  Bytes data(expected);
  if (std::fread(data.data(), 1, expected, in.get()) != expected) return std::nullopt;
  return data;
}

[[noreturn]] void cache_error(const fs::path& folder, const std::string& what) {
  throw InputError(folder.string(), 0, "", "cannot write the Fashion-MNIST cache folder: " + what);
}

void make_folder(const fs::path& folder) {
  std::error_code error;
  fs::create_directories(folder, error);
  if (error) {
    throw InputError(folder.string(), 0, "", "cannot create the Fashion-MNIST cache folder: " + error.message());
  }
  if (!fs::is_directory(folder, error)) {
    throw InputError(folder.string(), 0, "", "cannot create the Fashion-MNIST cache folder: not a folder");
  }
}

// A temporary file beside the target, then a rename: readers, including other
// processes loading at the same time, see the old file or the whole new one.
void write_atomically(const fs::path& folder, const fs::path& target, const Bytes& data) {
  static std::atomic<unsigned> counter{0};
  fs::path temporary = target;
  temporary += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
  std::FILE* out = std::fopen(temporary.c_str(), "wb");
  if (!out) cache_error(folder, std::strerror(errno));
  const bool written = std::fwrite(data.data(), 1, data.size(), out) == data.size();
  const int write_errno = errno;
  const bool closed = std::fclose(out) == 0;
  const int close_errno = errno;
  std::error_code ignored;
  if (!written || !closed) {
    fs::remove(temporary, ignored);
    cache_error(folder, std::strerror(!written ? write_errno : close_errno));
  }
  std::error_code error;
  fs::rename(temporary, target, error);
  if (error) {
    fs::remove(temporary, ignored);
    cache_error(folder, error.message());
  }
}

// The raw IDX file: from the cache if it is sound there, else decompressed
// from the package's .gz and cached.
Bytes load_idx(const fs::path& root, const fs::path& folder, const IdxFile& file) {
  const fs::path cached = folder / file.name;
  if (std::optional<Bytes> data = read_cached(cached, file.total_bytes())) {
    if (idx_problem(*data, file).empty()) return std::move(*data);
  }
  // The error_code forms: a path we may not look into is reported like a missing one.
  std::error_code error;
  if (!fs::exists(root, error)) not_found(root, "no such folder");
  if (!fs::is_directory(root, error)) not_found(root, "not a folder");
  const fs::path gz = root / (std::string(file.name) + ".gz");
  if (!fs::exists(gz, error)) not_found(gz, "no such file");
  // Before the slow part, so an unusable cache folder is reported at once.
  make_folder(folder);
  Bytes data = inflate_file(gz, file.total_bytes() + 1);
  const std::string problem = idx_problem(data, file);
  if (!problem.empty()) throw InputError(gz.string(), 0, "", problem);
  write_atomically(folder, cached, data);
  return data;
}

ImageSet image_set(const Bytes& images, const Bytes& labels, std::int64_t count) {
  static const std::array<float, 256> kScale = [] {
    std::array<float, 256> scale{};
    for (unsigned value = 0; value < scale.size(); ++value) scale[value] = static_cast<float>(value) / 255.0f;
    return scale;
  }();
  ImageSet set;
  set.count = count;
  set.channels = 1;
  set.height = kSide;
  set.width = kSide;
  const unsigned char* pixels = images.data() + kTrainImages.header_bytes();
  set.pixels.resize(static_cast<std::size_t>(count * kSide * kSide));
  for (std::size_t i = 0; i < set.pixels.size(); ++i) set.pixels[i] = kScale[pixels[i]];
  const unsigned char* classes = labels.data() + kTrainLabels.header_bytes();
  set.labels.assign(classes, classes + count);
  return set;
}

}  // namespace

FashionMnist load_fashion_mnist(const std::string& root, const std::string& cache_dir) {
  const fs::path folder = fs::path(cache_dir) / "fashion-mnist";
  FashionMnist data;
  // Labels before images: a problem in a small file is found before the
  // 47 MB one is inflated.
  {
    const Bytes labels = load_idx(root, folder, kTrainLabels);
    const Bytes images = load_idx(root, folder, kTrainImages);
    data.train = image_set(images, labels, kTrainImages.count);
  }
  const Bytes labels = load_idx(root, folder, kTestLabels);
  const Bytes images = load_idx(root, folder, kTestImages);
  data.test = image_set(images, labels, kTestImages.count);
  return data;
}

}  // namespace nasaic
