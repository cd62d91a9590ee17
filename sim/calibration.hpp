#pragma once
// Calibration of the surrogate against the simulator, and the error figures
// that tell how far the surrogate is from the cycle-level truth.
//
// A design point is a chip of 1 to 3 sub-accelerators, each running one layer
// at the same time on the shared DRAM (so contention is sampled), drawn from
// seeded ranges of templates, PE arrays, buffers, DRAM bandwidths and layers
// (zoo layers and random valid shapes). Each point is simulated in its own
// process; the surrogate's free parameters are fitted by Levenberg-Marquardt
// least squares (Eigen) on the relative latency error of a training split,
// and the errors are reported on the held-out rest.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "dataflows/surrogate_params.hpp"
#include "dataflows/workload_cost.hpp"

namespace nasaic {

struct DesignPoint {
  struct Sub {
    std::string dataflow;
    std::int64_t rows = 0, cols = 0;
    std::int64_t buffer_bytes = 0;  // each of ifmap, filter, ofmap
    Layer layer;
  };
  int index = 0;
  double dram_bytes_per_cycle = 0;
  Arbitration arbitration = Arbitration::weighted;
  std::vector<Sub> subs;
  // Simulated per-sub figures; empty when not simulated or failed.
  std::vector<double> cycles, energy_pj;
  std::string failure;

  bool simulated() const { return failure.empty() && cycles.size() == subs.size(); }
};

struct DesignRanges {
  std::uint64_t seed = 1;
  int samples = 0;
  std::vector<std::int64_t> array_sizes = {4, 8, 12, 16, 32};
  std::vector<std::int64_t> buffer_kib = {8, 16, 32, 64, 128};
  std::vector<double> dram_bytes_per_cycle = {4, 8, 16, 32};
  int max_concurrent = 3;
  nlohmann::ordered_json to_json() const;
};

std::vector<DesignPoint> draw_design(const DesignRanges& ranges, const Technology& technology);

ChipSpec chip_of(const DesignPoint& point, const Technology& technology);
Workload workload_of(const DesignPoint& point);
Schedule schedule_of(const DesignPoint& point);
// The inputs `nasaic simulate` reads, as files in `folder`; returns its arguments.
std::vector<std::string> write_simulation_inputs(const DesignPoint& point, const std::string& folder);

nlohmann::ordered_json point_to_json(const DesignPoint& point);
// Whether two points describe the same chip and layers (results aside).
bool same_design(const DesignPoint& a, const DesignPoint& b);
DesignPoint point_from_json(const nlohmann::json& json);
// Reads a points file (JSON lines); throws InputError naming the line.
std::vector<DesignPoint> load_points(const std::string& path);

// Surrogate figures for a point's layers under `params`.
struct PointEstimate {
  std::vector<double> cycles, energy_pj;
};
PointEstimate estimate_point(const DesignPoint& point, const Technology& technology, const SurrogateParams& params);

struct ErrorSummary {
  int points = 0;
  double mape_pct = 0;
  double max_abs_error_pct = 0;
  double spearman = 0;
  double kendall = 0;
  double pair_agreement = 0;  // fraction of pairs ordered as the simulator orders them
  nlohmann::ordered_json to_json() const;
};
ErrorSummary summarize_errors(const std::vector<double>& estimate, const std::vector<double>& truth);

// Fits the parameters that the points exercise, starting from `start`.
SurrogateParams fit_parameters(const std::vector<DesignPoint>& training, const Technology& technology,
                               const SurrogateParams& start);

}  // namespace nasaic
