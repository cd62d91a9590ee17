// Eyeriss-style row-stationary array (Chen, Emer, Sze, "Eyeriss: A Spatial
// Architecture for Energy-Efficient Dataflow for Convolutional Neural
// Networks", ISCA 2016; Chen, Krishna, Emer, Sze, "Eyeriss: An
// Energy-Efficient Reconfigurable Accelerator for Deep Convolutional Neural
// Networks", JSSC 52(1), 2017, §III-B, §IV, §V).
//
// A 2-D convolution is split into 1-D row primitives: a PE keeps one filter
// row and slides it over one input row, producing one row of partial sums.
// A PE set is R PEs tall (one per filter row) and e PEs wide (one per output
// row); filter rows are reused across a PE row, input rows diagonally, and
// partial sums flow up each column and add. As the paper maps it:
//   - a set wider than the array is folded into ceil(e / cols) segments
//     stacked vertically (AlexNet CONV2: a 5×27 set on 10×14 PEs, 135 active);
//     output rows beyond e are strip-mined into passes;
//   - sets taller than the array are strip-mined over filter rows;
//   - small sets are replicated: r sets over input channels (their partial
//     sums add) × t sets over filters. Which e and which r × t is the
//     template's spatial choice; the mapper picks, as the paper's mapper does;
//   - each PE interleaves p filters × q channels, as many as its scratchpads
//     hold: q·S ifmap words, p·q·S filter words, p partial sums.
//
//   for r-fold, c-block (q·r channels), k-block (p·t filters):   # filters load
//     for n, strip of e output rows:                             # one pass
//       parallel over sets and their PEs:
//         for x in Q: for filter p, channel q, s in S: 1 MAC per cycle
//       partial sums climb the column and leave to the global buffer
//
// A pass takes its busiest PE's MACs plus the column climb, or longer when the
// global buffer's networks cannot feed it: the ifmap rows it reads, and the
// partial sums it reads back and writes, at their words per cycle (the
// multicast networks deliver a word once to every PE that needs it). Filters
// load before the passes that use them.
//
// fc and gemm layers are 1×1 convolutions here (R = S = Q = 1), so each PE
// does one MAC per filter and channel it holds per pass.
#include <vector>

#include "dataflows/compression.hpp"
#include "dataflows/templates/conv_tiling.hpp"
#include "dataflows/templates/elementwise.hpp"
#include "dataflows/templates/factories.hpp"

namespace nasaic {
namespace {

// One way to place PE sets on the array.
struct SetShape {
  std::int64_t e = 1;      // output rows per set (its width)
  std::int64_t folds = 1;  // segments a set wider than the array is folded into
  std::int64_t r = 1;      // sets over input channels
  std::int64_t t = 1;      // sets over filters
};

// Set widths tried, widest first: ceil(P / k) for k = 1, 2, ... that fit.
constexpr int kMaxSetWidths = 6;

std::int64_t set_height(const LayerView& v, const SubAcceleratorSpec& sub) { return std::min(v.R, sub.rows); }

// The template's spatial choices for a layer, in a fixed order.
// Calls visit(shape) for every set shape in order, until it returns false.
template <class Visit>
void for_each_set_shape(const LayerView& v, const SubAcceleratorSpec& sub, Visit&& visit) {
  const std::int64_t h = set_height(v, sub);
  std::int64_t previous = 0;
  int widths = 0;
  for (std::int64_t k = 1; k <= v.P && widths < kMaxSetWidths; ++k) {
    const std::int64_t e = ceil_div(v.P, k);
    if (e == previous) continue;
    previous = e;
    const std::int64_t folds = ceil_div(e, sub.cols);
    if (h * folds > sub.rows) continue;
    ++widths;
    const std::int64_t sets = sub.rows / (h * folds) * (folds > 1 ? 1 : sub.cols / e);
    for (std::int64_t r = 1; r <= sets; ++r) {
      if (sets % r == 0 && !visit(SetShape{e, folds, r, sets / r})) return;
    }
  }
}

std::vector<SetShape> set_shapes(const LayerView& v, const SubAcceleratorSpec& sub) {
  std::vector<SetShape> shapes;
  for_each_set_shape(v, sub, [&](const SetShape& shape) {
    shapes.push_back(shape);
    return true;
  });
  if (shapes.empty()) shapes.push_back({});  // not reached: e = 1 always fits
  return shapes;
}

// Without building the list, and remembering the last answer: the tile cost
// asks for the same shape for every tile class of a plan, and a mapping
// search builds plans by the thousand.
SetShape shape_of(const LayerView& v, const SubAcceleratorSpec& sub, int spatial) {
  struct Memo {
    std::int64_t P = -1, h = -1, rows = -1, cols = -1;
    int spatial = -1;
    SetShape shape;
  };
  thread_local Memo memo;
  const std::int64_t h = set_height(v, sub);
  if (memo.P == v.P && memo.h == h && memo.rows == sub.rows && memo.cols == sub.cols && memo.spatial == spatial) {
    return memo.shape;
  }
  SetShape found{}, last{};
  int index = 0;
  bool any = false;
  for_each_set_shape(v, sub, [&](const SetShape& shape) {
    last = shape;
    any = true;
    if (index++ == spatial) {
      found = shape;
      return false;
    }
    return true;
  });
  memo = {v.P, h, sub.rows, sub.cols, spatial, index > spatial ? found : (any ? last : SetShape{})};
  return memo.shape;
}

// The shape a tile of `P` output rows runs with: sets no wider than the tile,
// and the columns that frees replicated over filters (the channel replicas
// stay as the spatial choice set them).
SetShape shape_for_tile(const LayerView& v, const SubAcceleratorSpec& sub, const SetShape& shape, std::int64_t P) {
  if (shape.e <= P) return shape;
  SetShape s = shape;
  s.e = P;
  s.folds = ceil_div(P, sub.cols);
  const std::int64_t sets = sub.rows / (set_height(v, sub) * s.folds) * (s.folds > 1 ? 1 : sub.cols / P);
  s.r = std::min(shape.r, sets);
  s.t = sets / s.r;
  return s;
}

// Filters (p) and channels (q) a PE interleaves in a pass of a C × K tile:
// as many as its scratchpads hold, no more than the tile gives each set.
struct Interleave {
  std::int64_t p = 1, q = 1;
};

Interleave interleave(const LayerView& v, const SubAcceleratorSpec& sub, const SetShape& shape, std::int64_t C,
                      std::int64_t K) {
  const RowStationarySpec& rs = sub.row_stationary;
  Interleave il;
  il.q = std::clamp<std::int64_t>(rs.ifmap_spad_words / v.S, 1, ceil_div(C, shape.r));
  il.p = std::clamp<std::int64_t>(std::min(rs.filter_spad_words / (il.q * v.S), rs.psum_spad_words), 1,
                                  ceil_div(K, shape.t));
  return il;
}

// An extent cut into blocks: `count` full blocks and at most one remainder.
struct Part {
  std::int64_t size = 0, count = 0;
};
std::array<Part, 2> split(std::int64_t extent, std::int64_t block) {
  return {Part{block, extent / block}, Part{extent % block, extent % block != 0 ? 1 : 0}};
}

std::int64_t cycles_for(std::int64_t words, double per_cycle) {
  return static_cast<std::int64_t>(std::ceil(static_cast<double>(words) / per_cycle));
}

TileCost row_stationary_tile_cost(const LayerView& v, const SubAcceleratorSpec& sub, const ConvTile& t,
                                  int spatial) {
  const RowStationarySpec& rs = sub.row_stationary;
  const SetShape shape = shape_for_tile(v, sub, shape_of(v, sub, spatial), t.P);
  const Interleave il = interleave(v, sub, shape, t.C, t.K);
  const std::int64_t h = set_height(v, sub), e = shape.e;
  TileCost cost;
  std::int64_t ifmap_reads = 0, filter_reads = 0, psum_reads = 0, psum_writes = 0;
  const auto folds = split(v.R, h), c_blocks = split(t.C, il.q * shape.r), k_blocks = split(t.K, il.p * shape.t),
             strips = split(t.P, e);
  bool first = true;  // the tile's first filter-row fold and channel block: no partial sums to read back
  for (const Part& fold : folds) {
    if (fold.count == 0) continue;
    for (const Part& cb : c_blocks) {
      if (cb.count == 0) continue;
      // Of these fold × channel blocks, how many start the tile's accumulation.
      const std::int64_t blocks = fold.count * cb.count, firsts = first ? 1 : 0;
      first = false;
      for (const Part& kb : k_blocks) {
        if (kb.count == 0) continue;
        const std::int64_t loads = blocks * kb.count;
        const std::int64_t filter_words = v.has_filter ? kb.size * cb.size * fold.size * v.S : 0;
        cost.compute_cycles += loads * cycles_for(filter_words, rs.filter_words_per_cycle);
        filter_reads += loads * filter_words;
        const std::int64_t macs = v.Q * v.S * ceil_div(kb.size, shape.t) * ceil_div(cb.size, shape.r);
        for (const Part& strip : strips) {
          if (strip.count == 0) continue;
          const std::int64_t in_words = cb.size * ((strip.size - 1) * v.stride_h + fold.size) * v.W;
          const std::int64_t out_words = kb.size * strip.size * v.Q;
          const std::int64_t feed = std::max(cycles_for(in_words, rs.ifmap_words_per_cycle),
                                             cycles_for(out_words, rs.psum_words_per_cycle));
          const std::int64_t pass = std::max(macs + fold.size, feed);
          const std::int64_t passes = v.N * strip.count * kb.count;
          cost.compute_cycles += passes * blocks * pass;
          ifmap_reads += passes * blocks * in_words;
          psum_writes += passes * blocks * out_words;
          psum_reads += passes * (blocks - firsts) * out_words;
        }
      }
    }
  }
  cost.buffer_reads = {ifmap_reads, filter_reads, psum_reads};
  cost.buffer_writes = {0, 0, psum_writes};
  if (rs.rlc) {
    // Coded on the way to and from DRAM; partial sums (an output tile that
    // goes back to DRAM before its last input channel) move raw.
    cost.footprint_bytes[0] = rlc_bytes(v.N * t.C * v.input_rows(t.P) * v.W, v.density, v.bits);
    if (t.outputs_final) cost.footprint_bytes[2] = rlc_bytes(v.N * t.K * t.P * v.Q, v.output_density, v.bits);
  }
  return cost;
}

// The buffers a mapping runs with. With a shared global buffer
// (row_stationary.shared_glb) the ifmap and ofmap buffers pool their banks and
// the layer's split follows its tiles: the fewest banks that hold two ifmap
// tiles (double buffering), then as many as the whole ifmap needs if the
// output tiles still fit beside it (the ifmap stays resident), the rest to
// partial sums. Otherwise, and for element-wise layers, the chip file's split.
SubAcceleratorSpec with_glb_split(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) {
  if (!sub.row_stationary.shared_glb || layer.type == LayerType::add) return sub;
  const std::int64_t banks = sub.ifmap.banks + sub.ofmap.banks;
  const std::int64_t bank = (sub.ifmap.capacity_bytes + sub.ofmap.capacity_bytes) / banks;
  if (banks < 2 || bank < 1) return sub;
  const LayerView v = view_of(layer);
  const std::int64_t N = std::clamp<std::int64_t>(mapping.tiles[kConvN], 1, v.N), K = std::min(mapping.tiles[kConvK], v.K),
                     P = std::min(mapping.tiles[kConvP], v.P), C = std::min(mapping.tiles[kConvC], v.C);
  const std::int64_t in_banks = std::clamp<std::int64_t>(ceil_div(2 * v.bytes(N * C * v.input_rows(P) * v.W), bank), 1, banks - 1);
  const std::int64_t out_banks = std::max<std::int64_t>(1, ceil_div(2 * v.bytes(N * K * P * v.Q), bank));
  const std::int64_t whole_in = std::max(in_banks, ceil_div(layer.ifmap_bytes(), bank));
  const std::int64_t ifmap = whole_in + out_banks <= banks ? whole_in : in_banks;
  SubAcceleratorSpec split = sub;
  split_bank_pool(split.ifmap, split.ofmap, ifmap);
  return split;
}

class EyerissTemplate final : public DataflowTemplate {
 public:
  std::string_view name() const override { return "eyeriss"; }

  bool execute(const Layer& layer, const SubAcceleratorSpec& sub, const TilePlan& plan,
               FunctionalTensors& tensors) const override {
    if (layer.macs() == 0) return false;
    FunctionalAccess access(layer, tensors);
    const LayerView& v = access.view();
    const SetShape layer_shape = shape_of(v, sub, plan.mapping.spatial);
    const std::int64_t h = set_height(v, sub);
    for_each_conv_tile(plan, [&](const ConvTileAt& at) {
      const SetShape shape = shape_for_tile(v, sub, layer_shape, at.size.P);
      const Interleave il = interleave(v, sub, shape, at.size.C, at.size.K);
      const std::int64_t e = shape.e, cb = il.q * shape.r, kb = il.p * shape.t;
      for (std::int64_t r0 = 0; r0 < v.R; r0 += h) {
        for (std::int64_t c0 = 0; c0 < at.size.C; c0 += cb) {
          for (std::int64_t k0 = 0; k0 < at.size.K; k0 += kb) {
            for (std::int64_t n = at.n; n < at.n + at.size.N; ++n) {
              for (std::int64_t p0 = 0; p0 < at.size.P; p0 += e) {
                // One pass: the sets share out channels c0.. and filters k0..;
                // PE (i, j) of a set runs filter row r0 + i over the input
                // row of output row p0 + j.
                for (std::int64_t c = c0; c < std::min(c0 + cb, at.size.C); ++c) {
                  for (std::int64_t k = k0; k < std::min(k0 + kb, at.size.K); ++k) {
                    for (std::int64_t i = r0; i < std::min(r0 + h, v.R); ++i) {
                      for (std::int64_t j = p0; j < std::min(p0 + e, at.size.P); ++j) {
                        for (std::int64_t q = 0; q < v.Q; ++q) {
                          for (std::int64_t s = 0; s < v.S; ++s) access.mac(at.g, n, at.k + k, at.c + c, at.p + j, q, i, s);
                        }
                      }
                    }
                  }
                }
              }
            }
          }
        }
      }
    });
    return true;
  }

  MappingSpace mapping_space(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return elementwise_mapping_space(layer);
    return conv_mapping_space(layer, ConvGranules{}, static_cast<int>(set_shapes(view_of(layer), sub).size()));
  }

  Mapping greedy_mapping(const Layer& layer, const SubAcceleratorSpec& sub) const override {
    if (layer.type == LayerType::add) return greedy_elementwise_mapping(layer, sub);
    return greedy_conv_mapping(layer, sub, ConvGranules{});
  }

  bool fits(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    return layer.type == LayerType::add ? elementwise_fits(layer, sub, mapping)
                                        : conv_fits(layer, with_glb_split(layer, sub, mapping), mapping);
  }

  using DataflowTemplate::plan;
  TilePlan plan(const Layer& layer, const SubAcceleratorSpec& sub, const Mapping& mapping) const override {
    if (layer.type == LayerType::add) return plan_elementwise(name(), layer, sub, mapping);
    return plan_conv(name(), layer, with_glb_split(layer, sub, mapping), mapping, row_stationary_tile_cost, 0);
  }

  std::string describe_spatial(const Layer& layer, const SubAcceleratorSpec& sub, int spatial) const override {
    if (layer.type == LayerType::add) return "elements on " + std::to_string(sub.pes()) + " PEs";
    const LayerView v = view_of(layer);
    const SetShape shape = shape_of(v, sub, spatial);
    const Interleave il = interleave(v, sub, shape, v.C, v.K);
    return "PE sets of " + std::to_string(set_height(v, sub)) + "x" + std::to_string(shape.e) + " (R x e" +
           (shape.folds > 1 ? ", folded in " + std::to_string(shape.folds) : std::string()) + "); " +
           std::to_string(shape.r) + " over C x " + std::to_string(shape.t) + " over K; p=" + std::to_string(il.p) +
           " filters x q=" + std::to_string(il.q) + " channels per PE";
  }
};

}  // namespace

std::unique_ptr<DataflowTemplate> make_eyeriss_template() { return std::make_unique<EyerissTemplate>(); }

}  // namespace nasaic
