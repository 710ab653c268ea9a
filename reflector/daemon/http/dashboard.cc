#include "reflector/daemon/http/dashboard.h"

namespace reflector::daemon::http {

extern const char kDashboardHtml[];  // dashboard_html.cc, generated from dashboard.html

std::map<std::string, Asset> DashboardAssets() {
  return {{"/", {"text/html; charset=utf-8", kDashboardHtml}}};
}

}  // namespace reflector::daemon::http
