#pragma once
// Fashion-MNIST from Debian's dataset-fashion-mnist package (gzipped IDX).
//
// The .gz files are decompressed once into `cache_dir/fashion-mnist/` (the raw
// IDX files, written to a temporary file and renamed, so a reader never sees a
// half-written one); later loads read those directly, which is several times
// faster than inflating. A cached file that is truncated or fails the header
// checks is rebuilt from its .gz. A complete cache is used even when `root`
// has gone: the cache holds exactly what the .gz files held. The cache is not
// compared with the .gz files again; Fashion-MNIST does not change, and a
// different copy belongs in a different cache_dir.
//
// Every problem is an InputError whose file() is the path at fault: a missing
// root or .gz (the message says which package to install), a corrupt .gz or
// IDX content that is not Fashion-MNIST's, a cache folder that cannot be
// created or written.
#include <string>

#include "search/datasets/image_set.hpp"

namespace nasaic {

// Where Debian's package installs the four .gz files; the package name goes
// into the error for a missing data set, so the user knows what to install.
inline constexpr const char* kFashionMnistRoot = "/usr/share/datasets/fashion-mnist";
inline constexpr const char* kFashionMnistPackage = "dataset-fashion-mnist";

struct FashionMnist {
  ImageSet train;  // 60,000 images, 1×28×28, labels 0-9
  ImageSet test;   // the official 10,000-image test set
};

FashionMnist load_fashion_mnist(const std::string& root, const std::string& cache_dir);

}  // namespace nasaic
