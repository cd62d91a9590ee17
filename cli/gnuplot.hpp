#pragma once
// Plots as gnuplot scripts beside their data: users restyle them and rerun
// `gnuplot plots.gp`; nasaic renders them once, to PNG and SVG.
#include <functional>
#include <string>

namespace nasaic::cli {

// Writes `dir`/plots.gp and runs gnuplot in `dir` (an absolute path). The
// script sets each device in turn and appends `figures(extension)`, whose
// figures each start with "set output '<name>.<extension>'". Throws
// InputError naming gnuplot.log when gnuplot fails.
void render_gnuplot(const std::string& dir, const std::function<std::string(const std::string& extension)>& figures);

}  // namespace nasaic::cli
