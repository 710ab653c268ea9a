// reflectorctl's side of the HTTP API: one request to a running reflectord, its JSON reply,
// and errors a user can act on ("cannot reach reflectord at 127.0.0.1:9842: Connection
// refused (is it running? --server=ADDR:PORT)"; the daemon's own {"error": ...} otherwise).
#ifndef REFLECTOR_CTL_CLIENT_H_
#define REFLECTOR_CTL_CLIENT_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "nlohmann/json.hpp"

namespace httplib {
class Client;
}

namespace reflector::ctl {

class ControlClient {
 public:
  // `server`: ADDR:PORT as reflectord's --http takes it; `token`: empty for none.
  static absl::StatusOr<ControlClient> Create(const std::string& server, std::string token);
  ControlClient(ControlClient&&) noexcept;
  ~ControlClient();

  absl::StatusOr<nlohmann::json> Get(const std::string& path);
  absl::StatusOr<std::string> GetText(const std::string& path);
  absl::StatusOr<nlohmann::json> Put(const std::string& path, const nlohmann::json& body);
  absl::StatusOr<nlohmann::json> Post(const std::string& path);
  // Server-sent events: `on_event` gets each event's data (one JSON object) until it returns
  // false or the stream ends.
  absl::Status Events(const std::string& path,
                      const std::function<bool(const nlohmann::json&)>& on_event);

 private:
  ControlClient(std::string server, std::string token, std::unique_ptr<httplib::Client> client);
  absl::StatusOr<nlohmann::json> Decode(int status, const std::string& body) const;

  std::string server_;
  std::string token_;
  std::unique_ptr<httplib::Client> client_;
};

}  // namespace reflector::ctl

#endif  // REFLECTOR_CTL_CLIENT_H_
