// The data paths built into reflectord, in the order --datapath=auto tries them.
#ifndef REFLECTOR_DATAPATHS_H_
#define REFLECTOR_DATAPATHS_H_

#include <vector>

#include "reflector/engine/datapath.h"

namespace reflector {

std::vector<engine::DataPathCandidate> DataPaths();

}  // namespace reflector

#endif  // REFLECTOR_DATAPATHS_H_
