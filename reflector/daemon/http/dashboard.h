// The dashboard page (dashboard.html), compiled into the binary by a genrule: one page, no
// CDN and nothing fetched from anywhere but this daemon's own API.
#ifndef REFLECTOR_DAEMON_HTTP_DASHBOARD_H_
#define REFLECTOR_DAEMON_HTTP_DASHBOARD_H_

#include <map>
#include <string>

#include "reflector/daemon/http/server.h"

namespace reflector::daemon::http {

// {"/": the page}, for HttpServer::Bind.
std::map<std::string, Asset> DashboardAssets();

}  // namespace reflector::daemon::http

#endif  // REFLECTOR_DAEMON_HTTP_DASHBOARD_H_
