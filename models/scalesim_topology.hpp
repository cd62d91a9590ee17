#pragma once
// Reads SCALE-Sim v2 topology CSVs, following SCALE-Sim's own rules so that
// cycle counts can be compared with its reports:
//  - the first line is a header and names the mode: conv ("Layer name, IFMAP
//    Height, ...") or gemm ("Layer, M, N, K");
//  - blank lines are skipped, fields may be padded, CRLF and a UTF-8 BOM are fine;
//  - every row ends with a comma, so the empty field after it is dropped;
//  - conv rows: name, H, W, R, S, C, K, stride[, horizontal stride];
//  - a conv layer whose name contains "DP" is depthwise: SCALE-Sim runs it as
//    one single-channel layer per input channel, each with all "Num Filter"
//    filters, so it is stored as a dwconv with groups = C and K = C·filters;
//  - there is no padding field: the given ifmap is already padded, and the
//    output is ceil((H - R + stride) / stride). That equals a convolution with
//    stride - 1 extra padding rows at the bottom (columns at the right), which
//    is how it is stored here.
//  - gemm rows: name, M, N, K for an (M×K)·(K×N) product.
// SCALE-Sim files list layers, not tensors: each layer reads its own input
// from memory and runs `after` the previous one, so no shapes are checked
// across layers.
#include <string>

#include "models/network.hpp"

namespace nasaic {

Network import_scalesim_topology(const std::string& path);
Network parse_scalesim_topology(const std::string& text, const std::string& label, const std::string& name);

// Writes a network of conv/dwconv/gemm/fc layers in SCALE-Sim's conv format,
// with each layer's padding folded into its ifmap size. Throws InputError for
// layers SCALE-Sim cannot express (pool, add, groups other than depthwise).
std::string export_scalesim_topology(const Network& network);

}  // namespace nasaic
