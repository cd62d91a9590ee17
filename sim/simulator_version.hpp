#pragma once
// Apart from sim/simulator.hpp so that code that never links SystemC (the
// calibration points, the job runner's readers) can record it.

namespace nasaic {

// The simulator's timing rules: recorded with simulated calibration points, so
// that points simulated under other rules are not mixed with new ones. Bump it
// whenever a change alters simulated cycles.
inline constexpr const char* kSimulatorVersion = "nasaic-sim-3";

}  // namespace nasaic
