#pragma once
// The data set a space trains on, named in its `dataset:` map:
//   {name: fashion-mnist, root: /usr/share/datasets/fashion-mnist}   (root optional)
//   {name: nuclei, size: 64, test: 500}                               (generator options optional)
// and the three splits a recipe trains, selects and reports on.
#include <cstdint>
#include <string>

#include "common/config_node.hpp"
#include "search/datasets/image_set.hpp"
#include "search/datasets/nuclei.hpp"
#include "search/network_family.hpp"

namespace nasaic {

enum class DatasetKind { fashion_mnist, nuclei };

struct DatasetSpec {
  DatasetKind kind = DatasetKind::fashion_mnist;
  std::string root;            // fashion-mnist: the folder of the gzipped IDX files
  NucleiOptions nuclei;        // nuclei: the generator's options
  std::int64_t test_images = 0;  // nuclei: size of the fixed test split
  // Where the map was read, so a data set missing at training time is reported
  // against the space file.
  std::string file;
  int line = 0;
  std::string key;

  const char* name() const;
  OutputKind output_kind() const;
  NetworkShape shape() const;
  // Largest training and validation counts a recipe may ask for.
  std::int64_t max_train_images() const;
  // Identifies the data for result-cache keys.
  std::string identity() const;
};

DatasetSpec parse_dataset(const ConfigNode& node);

struct DataSplits {
  ImageSet train, validation, test;
};

// `train` and `validation` images per the recipe: Fashion-MNIST carves them
// from its training set by a permutation seeded with `seed` (validation first),
// the nuclei generator takes the first ones of its fixed splits. The test set is
// the official one, or the fixed nuclei test split. Decompressed files go to
// `cache_dir`. A missing data set is an InputError against the space file.
DataSplits load_data(const DatasetSpec& spec, std::int64_t train, std::int64_t validation, std::uint64_t seed,
                     const std::string& cache_dir);

}  // namespace nasaic
