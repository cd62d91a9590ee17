#pragma once
// The accuracy side of a co-search, behind one interface with one
// implementation per method, created by name (the space's `accuracy:` or
// `--accuracy`):
//  - train: every candidate trained from scratch with the recipe (NASAIC);
//  - supernet: one weight-sharing supernet per space, trained once and saved,
//    scores a candidate with inherited weights in about a second
//    (once-for-all, Cai et al., ICLR 2020; NAAS, Lin et al., DAC 2021).
// Both cache their results by key, so a repeated candidate costs nothing.
// This header keeps LibTorch out of its includers.
#include <memory>

#include "search/search_space.hpp"
#include "search/training.hpp"

namespace nasaic {

class AccuracyEvaluator {
 public:
  virtual ~AccuracyEvaluator() = default;
  virtual AccuracyMethod method() const = 0;
  // The candidate's metric; throws InputError for a candidate outside the space.
  virtual TrainingResult evaluate(const Architecture& architecture) = 0;
};

// `recipe` trains each candidate (train) or the supernet (supernet). The
// supernet is loaded from options.cache_dir/supernets, or trained and saved
// there, when the evaluator is made.
std::unique_ptr<AccuracyEvaluator> make_accuracy_evaluator(AccuracyMethod method, const SearchSpace& space,
                                                           const Recipe& recipe, const TrainingOptions& options);

// The recipe a method trains with unless one is named: the space's `recipe`,
// or for the supernet its `supernet.recipe`.
const Recipe& default_recipe_for(AccuracyMethod method, const SearchSpace& space);

}  // namespace nasaic
