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
//
// A points file (JSON lines) holds one point per line, each naming the design
// of experiments it was drawn from (its id: seed, ranges and technology
// table), so points of different designs are never taken for one another.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/json_input.hpp"
#include "dataflows/surrogate_params.hpp"
#include "dataflows/workload_cost.hpp"
#include "sim/simulation_job.hpp"

namespace nasaic {

struct DesignPoint {
  struct Sub {
    std::string dataflow;
    std::int64_t rows = 0, cols = 0;
    std::int64_t buffer_bytes = 0;  // each of ifmap, filter, ofmap
    Layer layer;
  };
  std::string design;  // id of the design of experiments it was drawn from
  int index = 0;       // its number within that design
  double dram_bytes_per_cycle = 0;
  Arbitration arbitration = Arbitration::weighted;
  std::vector<Sub> subs;
  // Simulated per-sub figures; empty when not simulated or failed.
  std::vector<double> cycles, energy_pj;
  std::string failure;
  int line = 0;  // where it was read from a points file, for errors

  bool simulated() const { return failure.empty() && cycles.size() == subs.size(); }
};

struct DesignRanges {
  std::uint64_t seed = 1;
  int samples = 0;
  std::vector<std::int64_t> array_sizes = {4, 8, 12, 16, 32};
  std::vector<std::int64_t> buffer_kib = {8, 16, 32, 64, 128};
  std::vector<double> dram_bytes_per_cycle = {4, 8, 16, 32};
  int max_concurrent = 3;

  // The design's identity: its seed, ranges and templates and the technology
  // table the points are simulated with. Not the sample count: point i
  // depends only on the seed and i, so a run can grow.
  std::string id(const std::string& technology_hash) const;
  nlohmann::ordered_json to_json(const std::string& technology_hash) const;
};

std::vector<DesignPoint> draw_design(const DesignRanges& ranges, const Technology& technology);

ChipSpec chip_of(const DesignPoint& point, const Technology& technology);
Workload workload_of(const DesignPoint& point);
Schedule schedule_of(const DesignPoint& point);
// The point as a simulation job. `technology_yaml` is the technology file the
// surrogate uses, copied beside the chip so the simulator uses it too; empty:
// the built-in table.
SimulationJob simulation_job_of(const DesignPoint& point, const std::string& technology_yaml = "");
// Takes the point's cycles and energy from its finished simulation; throws
// InputError if the result does not give every sub-accelerator positive,
// finite figures.
void take_simulated_figures(DesignPoint& point, const SimulationJobResult& result);
// The same, from `nasaic simulate --format json` output.
void read_simulation_report(DesignPoint& point, const std::string& report);

nlohmann::ordered_json point_to_json(const DesignPoint& point);
// Whether two points describe the same chip and layers (results aside).
bool same_design(const DesignPoint& a, const DesignPoint& b);
// Reads and validates one row of a points file: every value a simulation or
// the surrogate would rely on is checked here, with the row's file, line and
// key.
DesignPoint point_from_json(const JsonValue& row);
// Reads a points file (JSON lines; blank lines and CRLF endings are fine).
// A later row for a point whose earlier row failed is its retry and replaces
// it; any other repeated point is an error.
std::vector<DesignPoint> load_points(const std::string& path);

// Resuming a run: stored simulated points replace the drawn ones. Throws
// naming the points file and line for a point drawn from another design
// (`design_id`), or one this design now draws differently.
void resume_points(std::vector<DesignPoint>& drawn, const std::vector<DesignPoint>& stored,
                   const std::string& points_path, const std::string& design_id);

struct PointsSimulation {
  std::string executable;  // nasaic, run as `nasaic simulate` children
  int jobs = 2;
  double timeout_seconds = 120;
  std::string points_file;      // each finished point is appended to it
  std::string technology_yaml;  // see simulation_job_of
  bool progress = false;        // a progress line with ETA on stderr
};
// Simulates the points that have no result yet, `jobs` at a time, appending
// each finished point to the points file so an interrupted run resumes.
// Throws InputError if the points file cannot be written.
void simulate_points(std::vector<DesignPoint>& points, const PointsSimulation& run);

struct CalibrationSplit {
  std::vector<DesignPoint> training, holdout;
};
// A seeded random split of the simulated points.
CalibrationSplit split_points(const std::vector<DesignPoint>& points, double holdout_fraction, std::uint64_t seed);
// For a refit: throws naming the first point of `added` that `own` already
// holds (same design and index), which would count twice.
void refuse_known_points(const std::vector<DesignPoint>& own, const std::string& own_path,
                         const std::vector<DesignPoint>& added, const std::string& added_path);
// Both splits' points, ordered by design and index: the order validate reads
// them in, so that both add up their errors alike.
CalibrationSplit merge_splits(const CalibrationSplit& a, const CalibrationSplit& b);
// The calibration file's record of a held-out split: design id -> indices.
nlohmann::ordered_json holdout_json(const std::vector<DesignPoint>& holdout);

// What `calibrate --update` and `validate --points` read from a calibration
// file besides its parameters.
enum class CalibrationUse { refit, validate };
struct CalibrationRecord {
  struct HeldOut {
    std::string design;
    int index = 0;
    // Where the calibration records it, for errors.
    std::string file, key;
    int line = 0;
  };
  SurrogateParams params;
  std::string points_file;        // refit only
  int points_file_line = 0;       // where it is recorded
  nlohmann::ordered_json design;  // refit only: design_of_experiments
  std::vector<HeldOut> holdout;
};
// Throws InputError naming what the calibration lacks for `use`.
CalibrationRecord load_calibration_record(const std::string& path, const std::string& technology_hash,
                                          CalibrationUse use);
// The recorded split applied to `points`: every held-out point must be there,
// simulated, matched by design and index; the other simulated points train.
CalibrationSplit split_by_record(const std::vector<DesignPoint>& points, const CalibrationRecord& record,
                                 const std::string& points_path);

// An incremental refit (`calibrate --update`, or a search that simulated new
// candidates): the calibration's own points keep their split, the added ones
// are split in turn (`holdout_fraction`, `seed`), and both sets are written
// to `merged_points_file`, so that `validate` reads one file.
struct Refit {
  CalibrationRecord base;            // its parameters are where the fit starts
  std::vector<DesignPoint> points;   // the calibration's own, then the added ones
  CalibrationSplit split;
};
Refit prepare_refit(const std::string& calibration_path, const std::string& technology_hash,
                    const std::vector<DesignPoint>& added, const std::string& added_path, double holdout_fraction,
                    std::uint64_t seed, const std::string& merged_points_file);

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
// Truths must be positive and finite, estimates finite (readers check what
// comes from files); a violation is a bug and aborts.
ErrorSummary summarize_errors(const std::vector<double>& estimate, const std::vector<double>& truth);

// Fits the parameters that the points exercise, starting from `start`.
SurrogateParams fit_parameters(const std::vector<DesignPoint>& training, const Technology& technology,
                               const SurrogateParams& start);

// A whole workload as the simulator ran it: the chip, the networks, the
// schedule, and each layer's simulated cycles (end - start), by the layer's
// id in WorkloadGraph order. A design point is the one-layer-per-sub case; a
// co-search's simulated candidates give tens of layers each.
struct WorkloadObservation {
  ChipSpec chip;
  std::shared_ptr<const Workload> workload;
  Schedule schedule;
  std::vector<double> layer_cycles;
  double makespan_cycles = 0;
};
// Fits the parameters the observations exercise (per-template ones for the
// templates that run layers, and the memory-system ones) to their per-layer
// cycles, starting from `start`: the design points' fit over whole workloads.
SurrogateParams fit_parameters(const std::vector<WorkloadObservation>& observations, const SurrogateParams& start);
// The surrogate's makespan for an observation's schedule under `params`,
// over the simulated one, minus 1.
double makespan_error(const WorkloadObservation& observation, const SurrogateParams& params);

}  // namespace nasaic
