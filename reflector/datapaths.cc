#include "reflector/datapaths.h"

namespace reflector {

std::vector<engine::DataPathCandidate> DataPaths() {
  std::vector<engine::DataPathCandidate> candidates;
  return candidates;
}

}  // namespace reflector
