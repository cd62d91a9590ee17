#include "dataflows/scalesim_config.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <vector>

#include "common/error.hpp"
#include "common/text_file.hpp"

namespace nasaic {
namespace {

std::string trim(std::string text) {
  const auto not_space = [](unsigned char ch) { return !std::isspace(ch); };
  text.erase(text.begin(), std::find_if(text.begin(), text.end(), not_space));
  text.erase(std::find_if(text.rbegin(), text.rend(), not_space).base(), text.end());
  return text;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char ch) { return std::tolower(ch); });
  return text;
}

struct Entry {
  std::string value;
  int line;
  std::string key;  // as written, for messages
};

}  // namespace

ScalesimConfig parse_scalesim_config(const std::string& text, const std::string& label) {
  static const std::map<std::string, std::vector<std::string>> allowed = {
      {"general", {"run_name"}},
      {"architecture_presets",
       {"arrayheight", "arraywidth", "ifmapsramszkb", "filtersramszkb", "ofmapsramszkb", "ifmapoffset",
        "filteroffset", "ofmapoffset", "dataflow", "bandwidth", "memorybanks"}},
      {"run_presets", {"interfacebandwidth"}},
      {"network_presets", {"topologycsvloc"}},
  };
  std::map<std::string, Entry> entries;  // "section.key" (lower case)
  std::string section;
  int line_number = 0;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    const std::string line = trim(text.substr(start, end - start));
    start = end + 1;
    ++line_number;
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    if (line.front() == '[') {
      if (line.back() != ']') throw InputError(label, line_number, excerpt(line), "malformed section header");
      section = lower(trim(line.substr(1, line.size() - 2)));
      if (!allowed.count(section)) {
        throw InputError(label, line_number, excerpt("[" + section + "]"),
                         "unknown or unsupported section; known: general, architecture_presets, run_presets, "
                         "network_presets");
      }
      continue;
    }
    const std::size_t separator = line.find_first_of(":=");
    if (separator == std::string::npos) throw InputError(label, line_number, excerpt(line), "expected 'key: value'");
    if (section.empty()) throw InputError(label, line_number, excerpt(line), "key outside any [section]");
    const std::string written_key = trim(line.substr(0, separator));
    const std::string key = lower(written_key);
    const auto& keys = allowed.at(section);
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) {
      throw InputError(label, line_number, excerpt(section + "." + written_key), "unknown key");
    }
    const auto [found, inserted] =
        entries.emplace(section + "." + key, Entry{trim(line.substr(separator + 1)), line_number, section + "." + written_key});
    if (!inserted) {
      // Python's configparser, which SCALE-Sim uses, refuses repeats too.
      throw InputError(label, line_number, section + "." + written_key,
                       "duplicate key; first given on line " + std::to_string(found->second.line));
    }
  }

  const auto get = [&](const std::string& full_key) -> const Entry& {
    const auto found = entries.find(full_key);
    if (found == entries.end()) throw InputError(label, 0, full_key, "missing required key");
    return found->second;
  };
  const auto integer = [&](const std::string& full_key, std::int64_t min) {
    const Entry& entry = get(full_key);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(entry.value.data(), entry.value.data() + entry.value.size(), value);
    if (error == std::errc::result_out_of_range) throw InputError(label, entry.line, entry.key, excerpt(entry.value) + " is too large");
    if (error != std::errc() || end != entry.value.data() + entry.value.size()) {
      throw InputError(label, entry.line, entry.key, excerpt(entry.value) + " is not an integer");
    }
    if (value < min) throw InputError(label, entry.line, entry.key, "must be at least " + std::to_string(min));
    return value;
  };

  ScalesimConfig config;
  config.run_name = get("general.run_name").value;
  const Entry& mode = get("run_presets.interfacebandwidth");
  const std::string mode_name = lower(mode.value);
  if (mode_name != "calc" && mode_name != "user") {
    throw InputError(label, mode.line, mode.key, excerpt(mode.value) + " must be CALC or USER");
  }
  config.calc_bandwidth = mode_name == "calc";
  if (entries.count("network_presets.topologycsvloc")) {
    std::string location = entries.at("network_presets.topologycsvloc").value;
    if (location.size() >= 2 && location.front() == '"' && location.back() == '"') {
      location = location.substr(1, location.size() - 2);
    }
    config.topology = location;
  }

  const Entry& dataflow = get("architecture_presets.dataflow");
  const std::string dataflow_name = lower(dataflow.value);
  if (dataflow_name != "os" && dataflow_name != "ws" && dataflow_name != "is") {
    throw InputError(label, dataflow.line, dataflow.key, excerpt(dataflow.value) + " must be os, ws or is");
  }
  const std::int64_t banks =
      entries.count("architecture_presets.memorybanks") ? integer("architecture_presets.memorybanks", 1) : 1;
  if (banks > ChipLimits::max_banks) {
    const Entry& entry = get("architecture_presets.memorybanks");
    throw InputError(label, entry.line, entry.key, "at most " + std::to_string(ChipLimits::max_banks) + " banks");
  }
  for (const char* key : {"architecture_presets.ifmapoffset", "architecture_presets.filteroffset",
                          "architecture_presets.ofmapoffset"}) {
    integer(key, 0);  // validated for the user's sake; addresses do not affect timing here
  }

  // Bandwidth is a comma list with one value per memory bank; SCALE-Sim reads
  // it in USER mode only.
  const Entry& bandwidth = get("architecture_presets.bandwidth");
  std::vector<std::int64_t> bandwidths;
  std::size_t from = 0;
  while (from <= bandwidth.value.size()) {
    std::size_t comma = bandwidth.value.find(',', from);
    if (comma == std::string::npos) comma = bandwidth.value.size();
    const std::string field = trim(bandwidth.value.substr(from, comma - from));
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (error != std::errc() || end != field.data() + field.size() || value <= 0 ||
        value > static_cast<std::int64_t>(ChipLimits::max_dram_bytes_per_cycle)) {
      throw InputError(label, bandwidth.line, bandwidth.key,
                       excerpt(field) + " is not a whole number of words/cycle between 1 and " +
                           std::to_string(static_cast<std::int64_t>(ChipLimits::max_dram_bytes_per_cycle)));
    }
    bandwidths.push_back(value);
    from = comma + 1;
  }
  if (!config.calc_bandwidth && static_cast<std::int64_t>(bandwidths.size()) != banks) {
    throw InputError(label, bandwidth.line, bandwidth.key, "USER mode needs one value per memory bank");
  }

  ChipSpec& chip = config.chip;
  chip.name = config.run_name;
  // SCALE-Sim's own fold order, so its inputs give its exact cycles.
  chip.mapping.mode = MappingMode::greedy;
  chip.clock_hz = 1e9;
  chip.technology_file = "built-in";
  chip.technology = builtin_technology();
  if (!config.calc_bandwidth) chip.dram.bytes_per_cycle = 3.0 * static_cast<double>(bandwidths.front());
  chip.dram.latency_cycles = 0;
  chip.dram.burst_bytes = 1;
  chip.interconnect.arbitration = Arbitration::round_robin;
  chip.interconnect.link_bytes_per_cycle = chip.dram.bytes_per_cycle.value_or(ChipLimits::max_link_bytes_per_cycle);

  SubAcceleratorSpec sub;
  sub.name = config.run_name;
  sub.dataflow = "systolic-" + dataflow_name;
  sub.rows = integer("architecture_presets.arrayheight", 1);
  sub.cols = integer("architecture_presets.arraywidth", 1);
  sub.bits = 8;
  sub.bandwidth_share = 1.0;
  const auto buffer = [&](const char* key) {
    BufferSpec spec;
    const std::int64_t kb = integer(key, 1);
    // Checked before the multiplication, against the chip YAML's limit.
    spec.capacity_bytes = kb > ChipLimits::max_buffer_bytes / 1024 ? ChipLimits::max_buffer_bytes + 1 : kb * 1024;
    spec.banks = banks;
    return spec;
  };
  sub.ifmap = buffer("architecture_presets.ifmapsramszkb");
  sub.filter = buffer("architecture_presets.filtersramszkb");
  sub.ofmap = buffer("architecture_presets.ofmapsramszkb");
  chip.sub_accelerators.push_back(sub);

  // One set of limits for a chip, whatever format it came from: report the
  // first problem at the .cfg key it came from.
  static const std::map<std::string, std::string> cfg_key = {
      {"sub_accelerators[0].pe_array.rows", "architecture_presets.arrayheight"},
      {"sub_accelerators[0].pe_array.cols", "architecture_presets.arraywidth"},
      {"sub_accelerators[0].pe_array", "architecture_presets.arrayheight"},
      {"sub_accelerators[0].buffers.ifmap.capacity", "architecture_presets.ifmapsramszkb"},
      {"sub_accelerators[0].buffers.filter.capacity", "architecture_presets.filtersramszkb"},
      {"sub_accelerators[0].buffers.ofmap.capacity", "architecture_presets.ofmapsramszkb"},
      {"name", "general.run_name"},
      {"sub_accelerators[0].name", "general.run_name"},
      {"dram.bandwidth", "architecture_presets.bandwidth"},
      {"interconnect.link_width", "architecture_presets.bandwidth"},
  };
  const auto problems = validate(chip);
  if (!problems.empty()) {
    const SpecProblem& problem = problems.front();
    std::string key = problem.key;
    if (key.find(".banks") != std::string::npos) key = "architecture_presets.memorybanks";
    if (const auto mapped = cfg_key.find(key); mapped != cfg_key.end()) key = mapped->second;
    const auto entry = entries.find(key);
    if (entry == entries.end()) throw InputError(label, 0, key, problem.message);
    std::string message = problem.message;
    if (key.find("sramszkb") != std::string::npos) message = "at most " + std::to_string(ChipLimits::max_buffer_bytes / 1024) + " kB";
    throw InputError(label, entry->second.line, entry->second.key, message);
  }
  return config;
}

ScalesimConfig load_scalesim_config(const std::string& path) {
  return parse_scalesim_config(read_text_file(path), path);
}

}  // namespace nasaic
