#pragma once
// The surrogate's free parameters: what calibration against the simulator
// fits. Each has a meaning and a neutral default (scales 1, offsets 0), so
// an uncalibrated surrogate is the plain closed-form model.
#include <array>
#include <optional>
#include <string>
#include <vector>

#include "common/json_input.hpp"

namespace nasaic {

inline constexpr int kMaxTemplates = 16;

struct SurrogateParams {
  // Compute cycles of a tile are multiplied by this, per template: stalls the
  // closed form does not see (buffer-port conflicts, operand delivery).
  std::array<double, kMaxTemplates> compute_scale;
  // Cycles added to every tile, per template: tile switch and control.
  std::array<double, kMaxTemplates> tile_overhead;
  // Fraction of the nominal DRAM bandwidth a sub-accelerator achieves alone.
  double dram_efficiency = 1.0;
  // How strongly concurrent sub-accelerators take bandwidth from each other:
  // 1 is work-conserving proportional sharing, 0 ignores the others.
  double contention = 1.0;
  // How much of a tile's memory time hides behind its compute: 1 is perfect
  // double buffering, 0 is serial.
  double overlap = 1.0;

  SurrogateParams();

  // Name/value pairs in a stable order (per-template names carry the
  // template: "compute_scale.nvdla").
  std::vector<std::pair<std::string, double>> named() const;
  // Throws InputError naming an unknown parameter or a value outside its
  // range.
  void set(const std::string& name, double value);
};

// The values a parameter may take; nullopt for an unknown name.
std::optional<NumberRange> surrogate_parameter_range(const std::string& name);

// The closed form's version: a calibration fitted to another version of the
// model is refused. Bump it whenever the surrogate's equations change.
inline constexpr const char* kSurrogateModelVersion = "nasaic-surrogate-5";

// Reads a calibration file: {"parameters": {"name": value, ...}} plus the
// calibration's record (see nasaic calibrate). If the file names a model
// version or technology hash, they must match this surrogate and `technology`.
// Throws InputError saying why not.
SurrogateParams load_surrogate_params(const std::string& path, const std::string& technology_hash);
// The same, from a parsed calibration file.
SurrogateParams read_surrogate_params(const JsonValue& root, const std::string& technology_hash);

}  // namespace nasaic
