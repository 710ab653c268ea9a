// The daemon's HTTP API (--http): /metrics, /api/v1/{status,stats,events,config,reload} and
// the embedded dashboard, served by cpp-httplib from a small pool of threads of its own. The
// handlers only read the board (board.h) and post requests to the main loop; none of them
// touches a worker or a data path's state.
//
// Safety on a production host:
//  * loopback by default; options.cc refuses a non-loopback address without a token file or
//    --http_read_only;
//  * PUT and POST need `Authorization: Bearer TOKEN` when a token file is given (401 without
//    the header, 403 with another token), are refused with --http_read_only (403), and need
//    `Content-Type: application/json` (415), which a browser cannot send cross-origin without
//    a preflight this server never grants;
//  * on a loopback address the Host header must name a loopback host (DNS rebinding);
//  * request bodies up to 64 KiB; request line and each header up to 8 KiB (the library's
//    limits); at most kMaxEventStreams event streams at once;
//  * only the fixed routes and the assets compiled in are served: no path reaches a file;
//  * HTTPS with --http_cert and --http_key (OpenSSL through cpp-httplib).
#ifndef REFLECTOR_DAEMON_HTTP_SERVER_H_
#define REFLECTOR_DAEMON_HTTP_SERVER_H_

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/synchronization/mutex.h"
#include "reflector/daemon/http/board.h"
#include "reflector/daemon/options.h"

namespace httplib {
class Server;
}

namespace reflector::daemon::http {

inline constexpr size_t kMaxBodyBytes = 64 * 1024;
inline constexpr int kMaxEventStreams = 4;
inline constexpr int kServerThreads = kMaxEventStreams + 2;

// A file compiled into the binary, served at its path.
struct Asset {
  std::string content_type;
  std::string body;
};

class HttpServer {
 public:
  // Reads the token file, loads the certificate and key (HTTPS) and binds the address;
  // nothing is served until Serve. Errors name the setting: Unavailable for an address that
  // cannot be bound ("--http=127.0.0.1:9842: cannot listen: Address already in use"),
  // InvalidArgument for a token, certificate or key file that cannot be used.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Bind(const HttpSettings& settings,
                                                          std::map<std::string, Asset> assets);
  ~HttpServer();  // stops serving and joins the threads

  // Serves from a thread of its own until destroyed. `board` must outlive the server.
  void Serve(ControlBoard* board);
  // "http://127.0.0.1:9842/"
  std::string Url() const;
  int port() const { return port_; }  // the one bound (settings.port 0: any free one)

 private:
  HttpServer(HttpSettings settings, std::string token, std::map<std::string, Asset> assets);
  void Route();
  // True once the server is stopping, else after `wait`.
  bool StoppingAfter(absl::Duration wait);

  const HttpSettings settings_;
  const std::string token_;  // empty: none
  const std::map<std::string, Asset> assets_;
  std::unique_ptr<httplib::Server> server_;
  int port_;
  ControlBoard* board_ = nullptr;
  std::atomic<bool> listen_returned_{false};  // the listen loop ended (or never ran)
  std::thread thread_;
  absl::Mutex mu_;
  bool stopping_ ABSL_GUARDED_BY(mu_) = false;
  int streams_ ABSL_GUARDED_BY(mu_) = 0;
};

// "Bearer TOKEN" against the token, in time independent of where they differ.
bool BearerMatches(const std::string& header, const std::string& token);
// A Host header that names a loopback host: localhost, 127.x.y.z or [::1], any port.
bool IsLoopbackHost(const std::string& host_header);

}  // namespace reflector::daemon::http

#endif  // REFLECTOR_DAEMON_HTTP_SERVER_H_
