// Functional mode against LibTorch: every template, on at least 100 seeded
// random layer shapes each, must produce exactly the convolution (or matrix
// product) LibTorch computes, and perform exactly the layer's MACs.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <random>

#include "dataflows/dataflow_template.hpp"

namespace nasaic {
namespace {

struct Case {
  Layer layer;
  SubAcceleratorSpec sub;
};

Case random_case(std::mt19937_64& random, const std::string& dataflow) {
  const auto pick = [&](std::int64_t lo, std::int64_t hi) {
    return std::uniform_int_distribution<std::int64_t>(lo, hi)(random);
  };
  Case c;
  Layer& l = c.layer;
  l.name = "random";
  const int kind = static_cast<int>(pick(0, 9));
  l.type = kind < 5 ? LayerType::conv : kind < 7 ? LayerType::dwconv : kind < 8 ? LayerType::fc : LayerType::gemm;
  if (l.type == LayerType::fc) {
    l.N = pick(1, 3);
    l.C = pick(1, 40);
    l.K = pick(1, 40);
  } else if (l.type == LayerType::gemm) {
    l.H = pick(1, 30);  // M
    l.C = pick(1, 30);  // K
    l.K = pick(1, 30);  // N
  } else {
    l.N = pick(1, 2);
    l.C = pick(1, 9);
    l.H = pick(1, 13);
    l.W = pick(1, 13);
    l.R = pick(1, std::min<std::int64_t>(5, l.H + 2));
    l.S = pick(1, std::min<std::int64_t>(5, l.W + 2));
    l.stride_h = pick(1, 3);
    l.stride_w = pick(1, 3);
    // Symmetric padding, or SCALE-Sim's extra bottom/right rows.
    const std::int64_t pad_h = pick(0, l.R - 1), pad_w = pick(0, l.S - 1);
    l.padding = {pad_h, pad_h + pick(0, l.stride_h - 1), pad_w, pad_w + pick(0, l.stride_w - 1)};
    if (l.H + l.padding.top + l.padding.bottom < l.R) l.padding.bottom = l.R - l.H - l.padding.top;
    if (l.W + l.padding.left + l.padding.right < l.S) l.padding.right = l.S - l.W - l.padding.left;
    if (l.type == LayerType::dwconv) {
      l.groups = l.C;
      l.K = l.C * pick(1, 2);
    } else {
      l.groups = pick(0, 3) == 0 && l.C % 2 == 0 ? 2 : 1;
      l.K = l.groups * pick(1, 6);
    }
  }
  c.sub.name = "sub";
  c.sub.dataflow = dataflow;
  c.sub.rows = pick(1, 9);
  c.sub.cols = pick(1, 9);
  c.sub.bandwidth_share = 1;
  // Small buffers force several tiles along K, P and C.
  const std::int64_t buffer = pick(0, 1) ? 1 << 20 : pick(256, 2048);
  c.sub.ifmap.capacity_bytes = c.sub.filter.capacity_bytes = c.sub.ofmap.capacity_bytes = buffer;
  return c;
}

torch::Tensor reference(const Layer& l, const FunctionalTensors& t) {
  const auto as_tensor = [](const std::vector<std::int8_t>& data, std::vector<std::int64_t> shape) {
    return torch::from_blob(const_cast<std::int8_t*>(data.data()), shape, torch::kInt8).to(torch::kFloat64);
  };
  if (l.type == LayerType::fc) {
    return torch::linear(as_tensor(t.input, {l.N, l.C}), as_tensor(t.weights, {l.K, l.C}));
  }
  if (l.type == LayerType::gemm) {
    // Stored as Aᵀ (K×M) and B (K×N); the output is (AB)ᵀ.
    return torch::matmul(as_tensor(t.input, {l.C, l.H}).t(), as_tensor(t.weights, {l.C, l.K})).t();
  }
  namespace F = torch::nn::functional;
  const torch::Tensor padded = F::pad(as_tensor(t.input, {l.N, l.C, l.H, l.W}),
                                      F::PadFuncOptions({l.padding.left, l.padding.right, l.padding.top, l.padding.bottom}));
  const std::vector<std::int64_t> stride = {l.stride_h, l.stride_w}, no_padding = {0, 0}, dilation = {1, 1};
  return torch::conv2d(padded, as_tensor(t.weights, {l.K, l.C / l.groups, l.R, l.S}), torch::Tensor(), stride,
                       no_padding, dilation, l.groups);
}

TEST(Functional, EveryTemplateEqualsLibTorchOnRandomShapes) {
  std::mt19937_64 random(20261125);
  for (const auto& name : template_names()) {
    const DataflowTemplate& dataflow = find_template(name);
    int checked = 0;
    for (int i = 0; i < 110; ++i) {
      const Case c = random_case(random, name);
      ASSERT_EQ(c.layer.validate(), "") << name;
      // A random point of the mapping space (tiles and loop order), so every
      // order the mapper may choose is checked, not only the greedy one.
      const MappingSpace space = dataflow.mapping_space(c.layer, c.sub);
      Mapping mapping;
      mapping.order = space.orders[std::uniform_int_distribution<std::size_t>(0, space.orders.size() - 1)(random)];
      mapping.spatial = std::uniform_int_distribution<int>(0, space.spatial_choices - 1)(random);
      for (int l = 0; l < space.loop_count; ++l) {
        const auto tiles = tile_options(space.loops[l]);
        mapping.tiles[l] = tiles[std::uniform_int_distribution<std::size_t>(0, tiles.size() - 1)(random)];
      }
      if (!dataflow.fits(c.layer, c.sub, mapping)) mapping = dataflow.greedy_mapping(c.layer, c.sub);
      const TilePlan plan = dataflow.plan(c.layer, c.sub, mapping);
      if (!plan.feasible) continue;
      SCOPED_TRACE(name + " case " + std::to_string(i) + " type " + layer_type_name(c.layer.type) + " C" +
                   std::to_string(c.layer.C) + " K" + std::to_string(c.layer.K) + " H" + std::to_string(c.layer.H) +
                   " R" + std::to_string(c.layer.R) + " stride " + std::to_string(c.layer.stride_h));
      FunctionalTensors tensors;
      std::uniform_int_distribution<int> value(-128, 127);
      tensors.input.resize(static_cast<std::size_t>(c.layer.N * c.layer.C * c.layer.H * c.layer.W));
      tensors.weights.resize(static_cast<std::size_t>(c.layer.filter_elements()));
      for (auto& x : tensors.input) x = static_cast<std::int8_t>(value(random));
      for (auto& w : tensors.weights) w = static_cast<std::int8_t>(value(random));
      tensors.prepare(c.layer);
      ASSERT_TRUE(dataflow.execute(c.layer, c.sub, plan, tensors));
      EXPECT_EQ(tensors.macs, c.layer.macs());
      const torch::Tensor expected = reference(c.layer, tensors).contiguous().flatten();
      ASSERT_EQ(expected.numel(), static_cast<std::int64_t>(tensors.output.size()));
      const auto values = expected.accessor<double, 1>();
      std::int64_t mismatches = 0;
      for (std::int64_t e = 0; e < expected.numel(); ++e) {
        mismatches += static_cast<double>(tensors.output[static_cast<std::size_t>(e)]) != values[e];
      }
      EXPECT_EQ(mismatches, 0);
      ++checked;
    }
    EXPECT_GE(checked, 100) << name;
  }
}

TEST(Functional, LayersWithoutMacsHaveNoFunctionalModel) {
  Layer pool;
  pool.type = LayerType::pool;
  pool.C = pool.K = pool.groups = 4;
  pool.H = pool.W = 4;
  pool.R = pool.S = 2;
  SubAcceleratorSpec sub;
  sub.rows = sub.cols = 4;
  sub.ifmap.capacity_bytes = sub.filter.capacity_bytes = sub.ofmap.capacity_bytes = 4096;
  FunctionalTensors tensors;
  tensors.prepare(pool);
  for (const auto& name : template_names()) {
    const DataflowTemplate& dataflow = find_template(name);
    EXPECT_FALSE(dataflow.execute(pool, sub, dataflow.plan(pool, sub), tensors));
  }
}

}  // namespace
}  // namespace nasaic
