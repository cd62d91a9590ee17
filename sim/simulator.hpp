#pragma once
// The cycle-level simulator's entry point. SystemC elaborates once per
// process, so simulate() may be called once per process; run several
// simulations through `nasaic simulate` child processes (sim/job_runner.hpp).
#include <string>
#include <vector>

#include "dataflows/schedule.hpp"
#include "sim/simulator_version.hpp"
#include "sim/statistics.hpp"

namespace nasaic {


// Simulated time is counted in 64-bit cycles; a workload estimated beyond this
// (by a wide margin unreachable in a run's lifetime) is refused up front.
inline constexpr double kMaxSimulatedCycles = 1e18;

enum class TimeMode {
  skip_ahead,  // each module waits until its state next changes (default)
  lockstep,    // every module is evaluated every cycle
};

struct SimulationOptions {
  TimeMode mode = TimeMode::skip_ahead;
  // Stop when no module has made progress for this many cycles.
  Cycle watchdog_cycles = 10'000'000;
  std::string vcd_path;       // empty: no VCD
  bool progress = false;      // a progress bar with ETA on stderr
  // The surrogate's makespan, for the progress bar's ETA and to refuse a run
  // whose cycle count could not be represented (more than kMaxSimulatedCycles).
  double expected_cycles = 0;
  // Functional mode: every MAC layer also runs on seeded random int8
  // operands, in its template's MAC order, with int32 accumulation.
  bool functional = false;
  std::uint64_t seed = 1;
  bool record_phases = false;  // tile-level spans for --timeline
};

struct SimulationResult {
  bool completed = false;
  std::string failure;             // why not, with the blocked modules and what each waits for
  std::vector<LayerStats> layers;  // in start order
  std::vector<SubAcceleratorStats> subs;
  std::vector<PhaseRecord> phases;  // with record_phases, per sub-accelerator in time order
  Cycle makespan_cycles = 0;
  double energy_pj = 0;
  double area_um2 = 0;
  double wall_seconds = 0;
  std::int64_t activations = 0;  // module evaluations, to compare the time modes
};

// Runs the workload on the chip following the schedule. Throws InputError if
// a scheduled layer cannot fit its sub-accelerator, naming layer and buffer.
SimulationResult simulate(const ChipSpec& chip, const Workload& workload, const Schedule& schedule,
                          const SimulationOptions& options);

}  // namespace nasaic
