#pragma once
// How well one list of scores orders items like another: what a cost model or
// an accuracy proxy must get right before its absolute error matters. Shared
// by calibration (surrogate vs simulator) and the supernet (weight-shared vs
// from-scratch accuracy).
#include <vector>

namespace nasaic {

struct RankAgreement {
  double spearman = 0;        // Pearson correlation of the (tie-averaged) ranks
  double kendall = 0;         // Kendall's tau-b (ties in either list discounted)
  double pair_agreement = 1;  // share of pairs ordered alike, ties counted as an order
};

// The lists must have one score per item, in the same item order. Fewer than
// two items, or a list with no spread, give 0 correlations.
RankAgreement rank_agreement(const std::vector<double>& estimate, const std::vector<double>& truth);

}  // namespace nasaic
