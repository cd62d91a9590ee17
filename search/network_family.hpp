#pragma once
// A backbone family: the decisions a candidate fixes and how an architecture
// becomes a nasaic Network (the IR that the surrogate, the mapper, the
// simulator and the LibTorch builder all read). One implementation per file in
// families/, created by name from the space file's `family:` map.
#include <memory>
#include <string>
#include <vector>

#include "common/config_node.hpp"
#include "models/network.hpp"
#include "search/architecture.hpp"

namespace nasaic {

// What a network's last layer produces, which fixes the loss and the metric.
enum class OutputKind { class_scores, pixel_mask };

// What a family needs to know of the data set.
struct NetworkShape {
  TensorShape input;          // one image
  std::int64_t outputs = 1;   // classes, or mask channels
};

class NetworkFamily {
 public:
  virtual ~NetworkFamily() = default;
  virtual const char* name() const = 0;
  virtual OutputKind output_kind() const = 0;
  // The decisions in a stable order (the space appends `bits`).
  virtual std::vector<Decision> decisions() const = 0;
  // The network of one architecture, every layer at `bits`. Throws InputError
  // when the architecture does not fit the input (e.g. too many stride-2
  // stages for the image).
  virtual Network build(const Architecture& architecture, const NetworkShape& shape, int bits,
                        const std::string& name, const std::string& task) const = 0;
};

// Reads the family map (`name:` and the family's own keys). Throws InputError
// with file, line and key for an unknown family or a bad option.
std::unique_ptr<NetworkFamily> make_family(const ConfigNode& node);
std::vector<std::string> family_names();

// Reads a list of allowed values for one decision: a sequence of distinct
// integers within [min, max], or one integer (a fixed choice). Sorted.
std::vector<std::int64_t> read_choices(const ConfigNode& node, std::int64_t min, std::int64_t max);

}  // namespace nasaic
