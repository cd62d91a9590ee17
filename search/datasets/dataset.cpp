#include "search/datasets/dataset.hpp"

#include <random>

#include "common/error.hpp"
#include "search/datasets/fashion_mnist.hpp"

namespace nasaic {
namespace {

constexpr std::int64_t kFashionTrainImages = 60000;
constexpr std::int64_t kMaxNucleiImages = 1'000'000;

ImageSet select(const ImageSet& from, const std::vector<std::int64_t>& indices) {
  ImageSet to;
  to.count = static_cast<std::int64_t>(indices.size());
  to.channels = from.channels;
  to.height = from.height;
  to.width = from.width;
  const std::int64_t pixels = from.image_size();
  to.pixels.reserve(static_cast<std::size_t>(to.count * pixels));
  for (const std::int64_t i : indices) {
    const auto first = from.pixels.begin() + i * pixels;
    to.pixels.insert(to.pixels.end(), first, first + pixels);
    if (!from.labels.empty()) to.labels.push_back(from.labels[static_cast<std::size_t>(i)]);
    if (!from.masks.empty()) {
      const std::int64_t mask = from.height * from.width;
      const auto begin = from.masks.begin() + i * mask;
      to.masks.insert(to.masks.end(), begin, begin + mask);
    }
  }
  return to;
}

// Fisher-Yates with the engine's raw output, so the permutation is the same
// with every standard library (std::uniform_int_distribution is not).
std::vector<std::int64_t> permutation(std::int64_t count, std::uint64_t seed) {
  std::vector<std::int64_t> order(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) order[static_cast<std::size_t>(i)] = i;
  std::mt19937_64 engine(seed);
  for (std::int64_t i = count - 1; i > 0; --i) {
    const auto j = static_cast<std::int64_t>(engine() % static_cast<std::uint64_t>(i + 1));
    std::swap(order[static_cast<std::size_t>(i)], order[static_cast<std::size_t>(j)]);
  }
  return order;
}

}  // namespace

const char* DatasetSpec::name() const { return kind == DatasetKind::fashion_mnist ? "fashion-mnist" : "nuclei"; }

OutputKind DatasetSpec::output_kind() const {
  return kind == DatasetKind::fashion_mnist ? OutputKind::class_scores : OutputKind::pixel_mask;
}

NetworkShape DatasetSpec::shape() const {
  if (kind == DatasetKind::fashion_mnist) return {{1, 28, 28}, 10};
  return {{1, nuclei.size, nuclei.size}, 1};
}

std::int64_t DatasetSpec::max_train_images() const {
  return kind == DatasetKind::fashion_mnist ? kFashionTrainImages : kMaxNucleiImages;
}

std::string DatasetSpec::identity() const {
  if (kind == DatasetKind::fashion_mnist) return "fashion-mnist";
  return nuclei_identity(nuclei) + " test=" + std::to_string(test_images);
}

DatasetSpec parse_dataset(const ConfigNode& node) {
  DatasetSpec spec;
  spec.file = node.file();
  spec.line = node.line();
  spec.key = node.path();
  if (!node.yaml().IsMap()) node.fail("expected a map such as {name: fashion-mnist}");
  const ConfigNode name = node.required("name");
  const std::string text = name.as_string();
  if (text == "fashion-mnist") {
    node.expect_map({"name", "root"});
    spec.kind = DatasetKind::fashion_mnist;
    spec.root = node.has("root") ? node.required("root").as_string() : std::string(kFashionMnistRoot);
    return spec;
  }
  if (text != "nuclei") name.fail("unknown data set '" + text + "'; known: fashion-mnist, nuclei");
  node.expect_map({"name", "size", "test"});
  spec.kind = DatasetKind::nuclei;
  if (node.has("size")) spec.nuclei.size = node.required("size").as_int(1, INT32_MAX);
  spec.test_images = node.has("test") ? node.required("test").as_int(1, kMaxNucleiImages) : 500;
  const std::string problem = validate(spec.nuclei);
  if (!problem.empty()) node.fail(problem);
  return spec;
}

DataSplits load_data(const DatasetSpec& spec, std::int64_t train, std::int64_t validation, std::uint64_t seed,
                     const std::string& cache_dir) {
  DataSplits splits;
  if (spec.kind == DatasetKind::nuclei) {
    NucleiSplits generated = nuclei_splits(spec.nuclei, train, validation, spec.test_images);
    splits.train = std::move(generated.train);
    splits.validation = std::move(generated.validation);
    splits.test = std::move(generated.test);
    return splits;
  }
  FashionMnist data;
  try {
    data = load_fashion_mnist(spec.root, cache_dir);
  } catch (const InputError& error) {
    throw InputError(spec.file, spec.line, spec.key, error.what());
  }
  NASAIC_CHECK(train + validation <= data.train.count, "the space checks recipe sizes against the data set");
  const std::vector<std::int64_t> order = permutation(data.train.count, seed);
  splits.validation = select(data.train, {order.begin(), order.begin() + validation});
  splits.train = select(data.train, {order.begin() + validation, order.begin() + validation + train});
  splits.test = std::move(data.test);
  return splits;
}

}  // namespace nasaic
