#include "cli/gnuplot.hpp"

#include <cstdlib>
#include <utility>

#include "common/error.hpp"
#include "common/text_file.hpp"

namespace nasaic::cli {

void render_gnuplot(const std::string& dir, const std::function<std::string(const std::string& extension)>& figures) {
  std::string script = "# Restyle freely: `gnuplot plots.gp` in this folder renders PNG and SVG.\n";
  for (const auto& [device, extension] : {std::pair{"pngcairo", "png"}, std::pair{"svg", "svg"}}) {
    script += std::string("set terminal ") + device + " size 900,700\n" + figures(extension) + "unset output\n";
  }
  write_text_file(dir + "/plots.gp", script);
  const std::string command = "cd '" + dir + "' && gnuplot plots.gp 2>gnuplot.log";
  if (std::system(command.c_str()) != 0) {
    throw InputError(dir + "/gnuplot.log", 0, "", "gnuplot could not render the plots");
  }
}

}  // namespace nasaic::cli
