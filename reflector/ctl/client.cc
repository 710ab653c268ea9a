#include "reflector/ctl/client.h"

#include <utility>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"

namespace reflector::ctl {

using nlohmann::json;

absl::StatusOr<ControlClient> ControlClient::Create(const std::string& server, std::string token) {
  const size_t colon = server.rfind(':');
  int port = 0;
  std::string host = colon == std::string::npos ? "" : server.substr(0, colon);
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  if (host.empty() || !absl::SimpleAtoi(server.substr(colon + 1), &port) || port < 1 ||
      port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--server: invalid value \"", server, "\": expected ADDR:PORT such as 127.0.0.1:9842"));
  }
  auto client = std::make_unique<httplib::Client>(host, port);
  client->set_connection_timeout(2);
  client->set_read_timeout(10);
  return ControlClient(server, std::move(token), std::move(client));
}

ControlClient::ControlClient(std::string server, std::string token,
                             std::unique_ptr<httplib::Client> client)
    : server_(std::move(server)), token_(std::move(token)), client_(std::move(client)) {}
ControlClient::ControlClient(ControlClient&&) noexcept = default;
ControlClient::~ControlClient() = default;

namespace {

absl::Status Unreachable(const std::string& server, httplib::Error error) {
  // The library names its errors in one word ("Connection"); say what it means.
  const std::string why = error == httplib::Error::Connection
                              ? "connection refused or timed out"
                              : httplib::to_string(error);
  return absl::UnavailableError(absl::StrCat("cannot reach reflectord at ", server, ": ", why,
                                             " (is it running? --server=ADDR:PORT)"));
}

httplib::Headers Headers(const std::string& token) {
  httplib::Headers headers;
  if (!token.empty()) headers.emplace("Authorization", absl::StrCat("Bearer ", token));
  return headers;
}

}  // namespace

absl::StatusOr<json> ControlClient::Decode(int status, const std::string& body) const {
  const json parsed = json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (status / 100 != 2) {
    const std::string message = parsed.is_object() && parsed.contains("error") &&
                                        parsed["error"].is_string()
                                    ? parsed["error"].get<std::string>()
                                    : body;
    return absl::FailedPreconditionError(absl::StrCat("reflectord at ", server_, ": ", message,
                                                      " (HTTP ", status, ")"));
  }
  if (parsed.is_discarded()) {
    return absl::DataLossError(absl::StrCat("reflectord at ", server_, " sent no JSON"));
  }
  return parsed;
}

absl::StatusOr<json> ControlClient::Get(const std::string& path) {
  httplib::Result result = client_->Get(path.c_str(), Headers(token_));
  if (!result) return Unreachable(server_, result.error());
  return Decode(result->status, result->body);
}

absl::StatusOr<std::string> ControlClient::GetText(const std::string& path) {
  httplib::Result result = client_->Get(path.c_str(), Headers(token_));
  if (!result) return Unreachable(server_, result.error());
  if (result->status != 200) {
    absl::StatusOr<json> error = Decode(result->status, result->body);
    return error.status();
  }
  return result->body;
}

absl::StatusOr<json> ControlClient::Put(const std::string& path, const json& body) {
  httplib::Result result =
      client_->Put(path.c_str(), Headers(token_),
                   body.dump(-1, ' ', false, json::error_handler_t::replace), "application/json");
  if (!result) return Unreachable(server_, result.error());
  return Decode(result->status, result->body);
}

absl::StatusOr<json> ControlClient::Post(const std::string& path) {
  httplib::Result result = client_->Post(path.c_str(), Headers(token_), "", "application/json");
  if (!result) return Unreachable(server_, result.error());
  return Decode(result->status, result->body);
}

absl::Status ControlClient::Events(const std::string& path,
                                   const std::function<bool(const json&)>& on_event) {
  std::string pending;
  bool stopped = false;
  client_->set_read_timeout(120);
  int status = 0;
  std::string error_body;
  httplib::Result result = client_->Get(
      path.c_str(), Headers(token_),
      [&](const httplib::Response& response) {
        status = response.status;
        return true;
      },
      [&](const char* data, size_t length) {
        if (status != 200) {
          error_body.append(data, length);
          return true;
        }
        pending.append(data, length);
        for (size_t end; (end = pending.find("\n\n")) != std::string::npos;) {
          const std::string event = pending.substr(0, end);
          pending.erase(0, end + 2);
          const size_t data_at = event.find("data: ");
          if (data_at == std::string::npos) continue;
          const json parsed = json::parse(event.substr(data_at + 6), nullptr, false);
          if (parsed.is_discarded()) continue;
          if (!on_event(parsed)) {
            stopped = true;
            return false;
          }
        }
        return true;
      });
  if (stopped) return absl::OkStatus();
  if (!result) return Unreachable(server_, result.error());
  if (status != 200) return Decode(status, error_body).status();
  return absl::OkStatus();
}

}  // namespace reflector::ctl
