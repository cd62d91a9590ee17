#include "fuzz/fuzz_support.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "models/network_yaml.hpp"
#include "models/scalesim_topology.hpp"

namespace nasaic::fuzz {
namespace {

class ScratchDir {
 public:
  ScratchDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "nasaic-fuzz-XXXXXX").string();
    NASAIC_CHECK(::mkdtemp(pattern.data()) != nullptr, "cannot create a scratch folder for the fuzz targets");
    path_ = pattern;
  }
  ~ScratchDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Keeps the optimiser from dropping a computation whose result nobody reads,
// which would drop its overflow checks with it.
volatile std::int64_t sink;
volatile double real_sink;

}  // namespace

std::string scratch_file(const std::string& name, std::string_view content) {
  static const ScratchDir dir;
  const std::filesystem::path file = dir.path() / name;
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  out.close();
  NASAIC_CHECK(out.good(), "cannot write the fuzz input to " + file.string());
  return file.string();
}

// One call per assignment: a sum of two quantities could overflow in this
// harness rather than in the library.
void derive_quantities(const Network& network) {
  for (const Layer& layer : network.layers()) {
    for (std::int64_t (Layer::*quantity)() const :
         {&Layer::P, &Layer::Q, &Layer::macs, &Layer::ops, &Layer::input_elements, &Layer::filter_elements,
          &Layer::output_elements, &Layer::ifmap_bytes, &Layer::filter_bytes, &Layer::ofmap_bytes}) {
      sink = (layer.*quantity)();
    }
    sink = layer.input_shape().elements();
    sink = layer.output_shape().elements();
  }
  for (std::size_t index = 0; index < network.size(); ++index) sink = network.produced_input(index).elements();
  sink = static_cast<std::int64_t>(network.topological_order().size());
  sink = network.total_macs();
  sink = network.total_filter_bytes();
  // What `models show --format yaml|scalesim` and `models import --out` print.
  sink = static_cast<std::int64_t>(network_to_yaml(network).size());
  try {
    sink = static_cast<std::int64_t>(export_scalesim_topology(network).size());
  } catch (const InputError&) {
    // Pool and add layers have no SCALE-Sim form; saying so is the answer.
  }
}

void derive_quantities(const ChipSpec& chip) {
  for (const SubAcceleratorSpec& sub : chip.sub_accelerators) {
    sink = sub.pes();
    real_sink = chip.technology.mac_energy_pj(sub.bits);
    real_sink = chip.technology.mac_area_um2(sub.bits);
    for (const BufferSpec* buffer : {&sub.ifmap, &sub.filter, &sub.ofmap}) {
      real_sink = chip.technology.sram_read_pj_per_64b(static_cast<double>(buffer->capacity_bytes) / 1024.0);
    }
  }
  // What `hw show` prints.
  sink = static_cast<std::int64_t>(chip_spec_to_yaml(chip).size());
}

}  // namespace nasaic::fuzz
