#include "models/network_yaml.hpp"

#include <filesystem>
#include <yaml-cpp/yaml.h>

#include "common/error.hpp"
#include "models/scalesim_topology.hpp"
#include "models/zoo.hpp"

namespace nasaic {
namespace {

// Reads `stride` or `padding`: a scalar, a pair, or (padding only) four values.
std::vector<std::int64_t> read_int_list(const ConfigNode& node, std::size_t max_items, std::int64_t min) {
  if (node.is_scalar()) return {node.as_int(min)};
  std::vector<std::int64_t> values;
  for (const auto& item : node.sequence()) values.push_back(item.as_int(min));
  if (values.size() != 2 && values.size() != max_items) {
    node.fail("expected one value or a list of 2" + std::string(max_items == 4 ? " or 4" : "") + " values");
  }
  return values;
}

Layer parse_layer(const ConfigNode& node, const std::string& previous) {
  node.expect_map({"name", "type", "inputs", "after", "N", "C", "H", "W", "K", "R", "S", "M", "stride", "padding", "groups",
                   "bits", "pixel_shuffle", "density", "output_density"});
  Layer layer;
  layer.name = node.required("name").as_string();
  const ConfigNode type_node = node.required("type");
  try {
    layer.type = parse_layer_type(type_node.as_string());
  } catch (const InputError& e) {
    type_node.fail(e.message());
  }
  if (const auto inputs = node.optional("inputs")) {
    if (inputs->is_scalar()) {
      layer.inputs = {inputs->as_string()};
    } else {
      for (const auto& input : inputs->sequence()) layer.inputs.push_back(input.as_string());
    }
  } else if (!previous.empty()) {
    layer.inputs = {previous};
  }
  if (const auto after = node.optional("after")) {
    for (const auto& item : after->sequence()) layer.after.push_back(item.as_string());
  }

  const auto forbid = [&](std::initializer_list<const char*> keys, const std::string& why) {
    for (const char* key : keys) {
      if (node.has(key)) node.required(key).fail(why);
    }
  };
  const auto integer = [&](const char* key) { return node.required(key).as_int(1); };
  const auto integer_or = [&](const char* key, std::int64_t fallback) {
    const auto value = node.optional(key);
    return value ? value->as_int(1) : fallback;
  };

  if (layer.type == LayerType::gemm) {
    forbid({"C", "H", "W", "R", "S", "stride", "padding", "groups", "pixel_shuffle"},
           "a gemm layer is given by M, N and K only");
    layer.H = integer("M");
    layer.K = integer("N");
    layer.C = integer("K");
  } else if (layer.type == LayerType::fc) {
    forbid({"H", "W", "R", "S", "M", "stride", "padding", "groups", "pixel_shuffle"},
           "an fc layer is given by N, C and K only");
    layer.N = integer_or("N", 1);
    layer.C = integer("C");
    layer.K = integer("K");
  } else {
    forbid({"M"}, "M belongs to gemm layers");
    layer.N = integer_or("N", 1);
    layer.C = integer("C");
    layer.H = integer("H");
    layer.W = integer("W");
    const bool keeps_channels = layer.type == LayerType::pool || layer.type == LayerType::add;
    if (keeps_channels) {
      forbid({"K", "groups"}, std::string("a ") + layer_type_name(layer.type) + " layer keeps its channels");
    }
    layer.K = keeps_channels ? layer.C : integer("K");
    if (layer.type == LayerType::add) {
      forbid({"R", "S", "stride", "padding"}, "an add layer has no window");
    } else {
      layer.R = integer("R");
      layer.S = integer("S");
    }
    if (const auto stride = node.optional("stride")) {
      const auto values = read_int_list(*stride, 2, 1);
      layer.stride_h = values.front();
      layer.stride_w = values.back();
    }
    if (const auto padding = node.optional("padding")) {
      const auto v = read_int_list(*padding, 4, 0);
      layer.padding = v.size() == 4 ? Padding{v[0], v[1], v[2], v[3]}
                                    : Padding{v.front(), v.front(), v.back(), v.back()};
    }
    const bool per_channel = layer.type == LayerType::dwconv || layer.type == LayerType::pool;
    if (per_channel) forbid({"groups"}, "groups equals C for this layer type");
    layer.groups = per_channel ? layer.C : keeps_channels ? 1 : integer_or("groups", 1);
    layer.pixel_shuffle = integer_or("pixel_shuffle", 1);
  }
  if (const auto bits = node.optional("bits")) layer.bits = static_cast<int>(bits->as_int(1, 64));
  if (const auto density = node.optional("density")) layer.density = density->as_double(0.0, 1.0);
  if (const auto density = node.optional("output_density")) layer.output_density = density->as_double(0.0, 1.0);

  const std::string problem = layer.validate();
  if (!problem.empty()) {
    const auto colon = problem.find(':');
    const std::string key = problem.substr(0, colon);
    const auto key_node = node.optional(key);
    (key_node ? *key_node : node).fail(problem.substr(colon + 2));
  }
  return layer;
}

}  // namespace

Network parse_network_yaml(const ConfigNode& root) {
  root.expect_map({"name", "task", "layers"});
  Network network(root.required("name").as_string(),
                  root.has("task") ? root.required("task").as_string() : root.required("name").as_string());
  const ConfigNode layers = root.required("layers");
  std::vector<int> lines;
  for (const auto& item : layers.sequence()) {
    Layer layer = parse_layer(item, network.size() ? network.layers().back().name : "");
    if (network.find(layer.name) >= 0) item.required("name").fail("duplicate layer name '" + layer.name + "'");
    lines.push_back(item.line());
    network.add(std::move(layer));
  }
  if (network.size() == 0) layers.fail("a network needs at least one layer");
  try {
    network.validate_graph_and_shapes();
  } catch (const InputError& e) {
    // Graph errors name "layer.key"; point at that layer's line in the file.
    const std::string layer_name = e.key().substr(0, e.key().find('.'));
    const auto index = network.find(layer_name);
    throw InputError(root.file(), index >= 0 ? lines[static_cast<std::size_t>(index)] : 0,
                     "layers[" + std::to_string(index) + "]" + e.key().substr(layer_name.size()),
                     "layer '" + layer_name + "': " + e.message());
  }
  return network;
}

Network load_network_yaml(const std::string& path) { return parse_network_yaml(ConfigNode::load_file(path)); }

std::string network_to_yaml(const Network& network) {
  YAML::Emitter out;
  out << YAML::BeginMap << YAML::Key << "name" << YAML::Value;
  emit_yaml_string(out, network.name());
  out << YAML::Key << "task" << YAML::Value;
  emit_yaml_string(out, network.task());
  out << YAML::Key << "layers" << YAML::Value << YAML::BeginSeq;
  for (const auto& layer : network.layers()) {
    out << YAML::BeginMap << YAML::Key << "name" << YAML::Value;
    emit_yaml_string(out, layer.name);
    out << YAML::Key << "type" << YAML::Value << layer_type_name(layer.type) << YAML::Key << "inputs" << YAML::Value;
    emit_yaml_strings(out, layer.inputs);
    if (!layer.after.empty()) {
      out << YAML::Key << "after" << YAML::Value;
      emit_yaml_strings(out, layer.after);
    }
    if (layer.type == LayerType::gemm) {
      out << YAML::Key << "M" << YAML::Value << layer.gemm_M() << YAML::Key << "N" << YAML::Value << layer.gemm_N()
          << YAML::Key << "K" << YAML::Value << layer.gemm_K();
    } else if (layer.type == LayerType::fc) {
      out << YAML::Key << "N" << YAML::Value << layer.N << YAML::Key << "C" << YAML::Value << layer.C << YAML::Key
          << "K" << YAML::Value << layer.K;
    } else {
      out << YAML::Key << "N" << YAML::Value << layer.N << YAML::Key << "C" << YAML::Value << layer.C << YAML::Key
          << "H" << YAML::Value << layer.H << YAML::Key << "W" << YAML::Value << layer.W;
      if (layer.type != LayerType::pool && layer.type != LayerType::add) {
        out << YAML::Key << "K" << YAML::Value << layer.K;
      }
      if (layer.type != LayerType::add) {
        out << YAML::Key << "R" << YAML::Value << layer.R << YAML::Key << "S" << YAML::Value << layer.S << YAML::Key
            << "stride" << YAML::Value << YAML::Flow << std::vector<std::int64_t>{layer.stride_h, layer.stride_w}
            << YAML::Key << "padding" << YAML::Value << YAML::Flow
            << std::vector<std::int64_t>{layer.padding.top, layer.padding.bottom, layer.padding.left,
                                         layer.padding.right};
      }
      if (layer.type == LayerType::conv) out << YAML::Key << "groups" << YAML::Value << layer.groups;
      if (layer.pixel_shuffle != 1) out << YAML::Key << "pixel_shuffle" << YAML::Value << layer.pixel_shuffle;
    }
    out << YAML::Key << "bits" << YAML::Value << layer.bits;
    if (layer.density != 1.0) out << YAML::Key << "density" << YAML::Value << layer.density;
    if (layer.output_density != 1.0) out << YAML::Key << "output_density" << YAML::Value << layer.output_density;
    out << YAML::EndMap;
  }
  out << YAML::EndSeq << YAML::EndMap;
  return std::string(out.c_str()) + "\n";
}

Network load_model(const std::string& name_or_path) {
  if (is_zoo_model(name_or_path)) return zoo_model(name_or_path);
  const std::string extension = std::filesystem::path(name_or_path).extension().string();
  if (extension == ".csv") return import_scalesim_topology(name_or_path);
  if (extension == ".yaml" || extension == ".yml") return load_network_yaml(name_or_path);
  if (name_or_path.find('/') == std::string::npos && name_or_path.find('.') == std::string::npos) {
    return zoo_model(name_or_path);  // reports the list of known models
  }
  throw InputError(name_or_path, 0, "", "unknown model file type; expected .csv (SCALE-Sim topology) or .yaml");
}

}  // namespace nasaic
