#include "testing/daemon/datapath_availability.h"

#include <signal.h>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "testing/lab/datapath_variant.h"

namespace reflector::testing {

absl::StatusOr<bool> DataPathBuilt(lab::ReflectorLab& lab, absl::string_view datapath) {
  absl::StatusOr<lab::LabProcess> daemon =
      lab.StartReflectord(lab::DataPathFlags(datapath, lab.reflector_if()));
  if (daemon.ok()) {
    if (absl::Status stopped = daemon->Signal(SIGTERM); !stopped.ok()) return stopped;
    absl::StatusOr<int> code = daemon->Wait(absl::Seconds(10));
    if (!code.ok()) return code.status();
    if (*code != 0) {
      return absl::InternalError(absl::StrCat("SIGTERM did not exit 0: ", daemon->Describe()));
    }
    return true;
  }
  // StartReflectord reports the exit code and stderr of a daemon that would not start.
  const std::string why(daemon.status().message());
  if (absl::StrContains(why, " exited 2;") && absl::StrContains(why, "not built")) return false;
  return daemon.status();
}

std::string NotBuiltMessage(absl::string_view datapath) {
  return absl::StrCat("reflectord --datapath=", datapath,
                      " exits 2 with \"not built\": this data path is not registered in "
                      "reflector/datapaths.cc yet; its lab tests run once it is");
}

}  // namespace reflector::testing
