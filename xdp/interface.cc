#include "xdp/interface.h"

#include <net/if.h>

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace reflector::xdp {

absl::StatusOr<int> InterfaceIndex(absl::string_view name) {
  const std::string owned(name);
  if (!owned.empty() && owned.size() < IF_NAMESIZE) {
    if (const unsigned index = if_nametoindex(owned.c_str()); index != 0) {
      return static_cast<int>(index);
    }
  }
  std::vector<std::string> names;
  if (struct if_nameindex* list = if_nameindex(); list != nullptr) {
    for (const struct if_nameindex* entry = list; entry->if_index != 0; ++entry) {
      names.emplace_back(entry->if_name);
    }
    if_freenameindex(list);
  }
  return absl::NotFoundError(absl::StrCat(name, ": no such interface; interfaces: ",
                                     names.empty() ? "(none)" : absl::StrJoin(names, ", ")));
}

}  // namespace reflector::xdp
