#include "common/rank_statistics.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "common/error.hpp"

namespace nasaic {
namespace {

std::vector<double> ranks(const std::vector<double>& values) {
  std::vector<std::size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return values[a] < values[b]; });
  std::vector<double> rank(values.size());
  for (std::size_t i = 0; i < order.size();) {
    std::size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (std::size_t k = i; k <= j; ++k) rank[order[k]] = (static_cast<double>(i) + static_cast<double>(j)) / 2.0;
    i = j + 1;
  }
  return rank;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double n = static_cast<double>(a.size());
  const double ma = std::accumulate(a.begin(), a.end(), 0.0) / n, mb = std::accumulate(b.begin(), b.end(), 0.0) / n;
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

}  // namespace

RankAgreement rank_agreement(const std::vector<double>& estimate, const std::vector<double>& truth) {
  NASAIC_CHECK(estimate.size() == truth.size(), "as many estimates as truths");
  RankAgreement agreement;
  if (truth.size() < 2) return agreement;
  agreement.spearman = pearson(ranks(estimate), ranks(truth));
  double concordant = 0, discordant = 0, ties_estimate = 0, ties_truth = 0, agree = 0, pairs = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    for (std::size_t j = i + 1; j < truth.size(); ++j) {
      const double a = estimate[i] - estimate[j], b = truth[i] - truth[j];
      const int sa = (a > 0) - (a < 0), sb = (b > 0) - (b < 0);
      pairs += 1;
      agree += sa == sb;
      if (sa == 0 && sb == 0) continue;
      if (sa == 0) {
        ties_estimate += 1;
      } else if (sb == 0) {
        ties_truth += 1;
      } else if (sa == sb) {
        concordant += 1;
      } else {
        discordant += 1;
      }
    }
  }
  const double denominator =
      std::sqrt((concordant + discordant + ties_estimate) * (concordant + discordant + ties_truth));
  agreement.kendall = denominator > 0 ? (concordant - discordant) / denominator : 0.0;
  agreement.pair_agreement = agree / pairs;
  return agreement;
}

}  // namespace nasaic
