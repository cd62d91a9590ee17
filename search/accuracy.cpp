#include "search/accuracy.hpp"

#include "search/torch/evaluators.hpp"

namespace nasaic {

std::unique_ptr<AccuracyEvaluator> make_accuracy_evaluator(AccuracyMethod method, const SearchSpace& space,
                                                           const Recipe& recipe, const TrainingOptions& options) {
  switch (method) {
    case AccuracyMethod::train: return make_training_evaluator(space, recipe, options);
    case AccuracyMethod::supernet: return make_supernet_evaluator(space, recipe, options);
  }
  return nullptr;
}

const Recipe& default_recipe_for(AccuracyMethod method, const SearchSpace& space) {
  return space.recipe(method == AccuracyMethod::supernet ? space.supernet.recipe : space.default_recipe);
}

}  // namespace nasaic
