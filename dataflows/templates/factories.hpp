#pragma once
// Constructors of the built-in templates, used only by the registry.
#include <memory>

#include "dataflows/dataflow_template.hpp"

namespace nasaic {

enum class SystolicDataflow { output_stationary, weight_stationary, input_stationary };

std::unique_ptr<DataflowTemplate> make_systolic_template(SystolicDataflow dataflow);
std::unique_ptr<DataflowTemplate> make_nvdla_template();
std::unique_ptr<DataflowTemplate> make_shidiannao_template();
std::unique_ptr<DataflowTemplate> make_eyeriss_template();

}  // namespace nasaic
