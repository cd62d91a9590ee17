#pragma once
// One factory per family file; family_registry.cpp lists them by name.
#include <memory>

#include "search/network_family.hpp"

namespace nasaic {

std::unique_ptr<NetworkFamily> make_resnet_family(const ConfigNode& node);
std::unique_ptr<NetworkFamily> make_unet_family(const ConfigNode& node);

}  // namespace nasaic
