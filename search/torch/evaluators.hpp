#pragma once
// The implementations behind search/accuracy.hpp, one per method.
#include <memory>

#include "search/accuracy.hpp"

namespace nasaic {

std::unique_ptr<AccuracyEvaluator> make_training_evaluator(const SearchSpace& space, const Recipe& recipe,
                                                           const TrainingOptions& options);
std::unique_ptr<AccuracyEvaluator> make_supernet_evaluator(const SearchSpace& space, const Recipe& recipe,
                                                           const TrainingOptions& options);

}  // namespace nasaic
