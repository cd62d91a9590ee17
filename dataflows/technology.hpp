#pragma once
// Energy per access and area per component for one technology node. The
// shipped default (configs/technology/default-45nm.yaml) cites its sources.
#include <cstdint>
#include <string>

namespace nasaic {

class ConfigNode;

struct Technology {
  std::string name;
  double node_nm = 0;

  // MAC energy in pJ and area in µm², per operand width.
  double mac_energy_int8_pj = 0;
  double mac_energy_int16_pj = 0;
  double mac_area_int8_um2 = 0;
  double mac_area_int16_um2 = 0;
  // Full PE area = MAC area × this (registers, control, local wiring).
  double pe_area_factor = 1;

  // PE register file access, per 16-bit word.
  double rf_read_pj_per_16b = 0;
  double rf_write_pj_per_16b = 0;

  // SRAM read energy per 64-bit access: base + sqrt_coefficient·√(KiB), a fit
  // to Horowitz's 8 KB / 32 KB / 1 MB points.
  double sram_read_base_pj = 0;
  double sram_read_sqrt_pj = 0;
  double sram_write_to_read = 1;
  double sram_area_um2_per_kib = 0;

  double interconnect_pj_per_byte = 0;
  double interconnect_area_um2_per_port = 0;

  double dram_pj_per_byte = 0;

  // Energy spent every cycle whatever the datapath does (YAML `static`,
  // optional, 0 when absent): the clock tree and leakage per mm² of the
  // sub-accelerator, and PE control (sequencers, configuration, gating) per
  // PE. Leakage is a power; per cycle it holds at the clock the table names.
  double clock_pj_per_mm2_cycle = 0;
  double leakage_pj_per_mm2_cycle = 0;
  double control_pj_per_pe_cycle = 0;

  // A content hash, so a calibration made for one table is not silently
  // applied to another.
  std::string hash;

  double mac_energy_pj(int bits) const;
  double mac_area_um2(int bits) const;
  // Energy of one 64-bit access to an SRAM of `kib` KiB.
  double sram_read_pj_per_64b(double kib) const;
  friend bool operator==(const Technology&, const Technology&) = default;
};

Technology parse_technology(const ConfigNode& root);
Technology load_technology(const std::string& path);
// The shipped default table, compiled into the binary so SCALE-Sim configs
// (which name no technology) still get energy and area.
Technology builtin_technology();
std::string technology_to_yaml(const Technology& technology);
// A hash of every value a cost reads (not the name or file): what caches
// shared between chips key on, whether the table came from a file or code.
std::uint64_t technology_fingerprint(const Technology& technology);

}  // namespace nasaic
