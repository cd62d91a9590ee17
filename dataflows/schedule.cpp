#include "dataflows/schedule.hpp"

#include <yaml-cpp/yaml.h>

#include "common/config_node.hpp"

namespace nasaic {

Schedule load_schedule(const std::string& path, const Workload& workload, const ChipSpec& chip) {
  const ConfigNode root = ConfigNode::load_file(path);
  root.expect_map({"schedule"});
  Schedule schedule;
  schedule.per_sub.resize(chip.sub_accelerators.size());
  std::vector<std::vector<int>> seen(workload.networks.size());
  for (std::size_t n = 0; n < workload.networks.size(); ++n) seen[n].assign(workload.networks[n].size(), 0);

  for (const auto& entry : root.required("schedule").sequence()) {
    entry.expect_map({"sub_accelerator", "layers"});
    const ConfigNode sub_node = entry.required("sub_accelerator");
    const std::string sub_name = sub_node.as_string();
    const auto sub = chip.find(sub_name);
    if (sub < 0) sub_node.fail("unknown sub-accelerator '" + sub_name + "' (not in chip '" + chip.name + "')");
    auto& order = schedule.per_sub[static_cast<std::size_t>(sub)];
    for (const auto& item : entry.required("layers").sequence()) {
      const std::string text = item.as_string();
      // Network names may contain ':' themselves ("pnet:v2"), so the network
      // is the longest name that is the whole entry or a prefix before ':'.
      int network = -1;
      bool whole = false;
      for (std::size_t n = 0; n < workload.networks.size(); ++n) {
        const std::string& name = workload.networks[n].name();
        const bool is_whole = text == name;
        const bool is_prefix = text.size() > name.size() && text.compare(0, name.size(), name) == 0 && text[name.size()] == ':';
        if ((is_whole || is_prefix) &&
            (network < 0 || name.size() > workload.networks[static_cast<std::size_t>(network)].name().size())) {
          network = static_cast<int>(n);
          whole = is_whole;
        }
      }
      if (network < 0) {
        item.fail("unknown network '" + text.substr(0, text.find(':')) +
                  "' in the workload; entries are NETWORK or NETWORK:LAYER");
      }
      const Network& net = workload.networks[static_cast<std::size_t>(network)];
      const std::string& network_name = net.name();
      const auto colon = whole ? std::string::npos : network_name.size();
      std::vector<int> layers;
      if (colon == std::string::npos) {
        for (std::size_t index : net.topological_order()) layers.push_back(static_cast<int>(index));
      } else {
        const std::string layer_name = text.substr(colon + 1);
        const auto index = net.find(layer_name);
        if (index < 0) item.fail("unknown layer '" + layer_name + "' in network '" + network_name + "'");
        layers.push_back(static_cast<int>(index));
      }
      for (int layer : layers) {
        if (seen[static_cast<std::size_t>(network)][static_cast<std::size_t>(layer)]++) {
          item.fail("layer '" + network_name + ":" + net.layer(static_cast<std::size_t>(layer)).name +
                    "' is scheduled twice");
        }
        order.push_back(LayerRef{network, layer});
      }
    }
  }
  for (std::size_t n = 0; n < workload.networks.size(); ++n) {
    for (std::size_t l = 0; l < seen[n].size(); ++l) {
      if (!seen[n][l]) {
        root.required("schedule").fail("layer '" + workload.networks[n].name() + ":" +
                                       workload.networks[n].layer(l).name + "' is not scheduled");
      }
    }
  }
  return schedule;
}

std::string schedule_to_yaml(const Schedule& schedule, const Workload& workload, const ChipSpec& chip) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "schedule" << YAML::Value << YAML::BeginSeq;
  for (std::size_t s = 0; s < schedule.per_sub.size(); ++s) {
    out << YAML::BeginMap << YAML::Key << "sub_accelerator" << YAML::Value;
    emit_yaml_string(out, chip.sub_accelerators[s].name);
    out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
    for (const LayerRef& ref : schedule.per_sub[s]) {
      const Network& net = workload.networks[static_cast<std::size_t>(ref.network)];
      emit_yaml_string(out, net.name() + ":" + net.layer(static_cast<std::size_t>(ref.layer)).name);
    }
    out << YAML::EndSeq << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

}  // namespace nasaic
