#include "reflector/daemon/http/server.h"

#include <sys/socket.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "httplib.h"
#include "reflector/daemon/http/api.h"
#include "reflector/daemon/http/metrics.h"
#include "reflector/daemon/sessions.h"

namespace reflector::daemon::http {
namespace {

constexpr char kJson[] = "application/json";
// How long a write waits for the main loop, which wakes for it at once (WakeSignal()).
constexpr absl::Duration kCallTimeout = absl::Seconds(5);

// HTTPS when a certificate is given (OpenSSL through cpp-httplib), else HTTP. An SSLServer
// whose files do not load is not is_valid(); Bind reports it.
std::unique_ptr<httplib::Server> MakeServer(const HttpSettings& settings) {
  if (settings.cert_file.empty()) return std::make_unique<httplib::Server>();
  return std::make_unique<httplib::SSLServer>(settings.cert_file.c_str(),
                                              settings.key_file.c_str());
}

std::string HostForUrl(const std::string& host) {
  return host.find(':') == std::string::npos ? host : absl::StrCat("[", host, "]");
}

void Reply(httplib::Response& res, int status, const std::string& body,
           const char* type = kJson) {
  res.status = status;
  res.set_content(body, type);
}

void ReplyError(httplib::Response& res, const ControlReply& reply) {
  Reply(res, reply.status, ErrorDocument(reply.message, reply.fields));
}

// Seconds (0.1 to 60) from ?interval=, else the daemon's stats interval (1 s when it is off).
absl::StatusOr<absl::Duration> EventInterval(const httplib::Request& req,
                                             absl::Duration stats_interval) {
  if (!req.has_param("interval")) {
    return stats_interval > absl::ZeroDuration() ? stats_interval : absl::Seconds(1);
  }
  double seconds = 0;
  if (!absl::SimpleAtod(req.get_param_value("interval"), &seconds) || !(seconds >= 0.1) ||
      seconds > 60) {
    return absl::InvalidArgumentError("interval must be seconds from 0.1 to 60");
  }
  return absl::Seconds(seconds);
}

}  // namespace

bool BearerMatches(const std::string& header, const std::string& token) {
  constexpr absl::string_view kBearer = "Bearer ";
  if (!absl::StartsWith(header, kBearer)) return false;
  const absl::string_view given = absl::string_view(header).substr(kBearer.size());
  unsigned char diff = given.size() == token.size() ? 0 : 1;
  for (size_t i = 0; i < token.size(); ++i) {
    diff |= static_cast<unsigned char>(token[i] ^ (i < given.size() ? given[i] : 0));
  }
  return diff == 0;
}

bool IsLoopbackHost(const std::string& host_header) {
  std::string host = host_header;
  if (absl::StartsWith(host, "[")) {
    const size_t close = host.find(']');
    if (close == std::string::npos) return false;
    host = host.substr(1, close - 1);
  } else if (const size_t colon = host.rfind(':'); colon != std::string::npos) {
    host = host.substr(0, colon);
  }
  return absl::AsciiStrToLower(host) == "localhost" || IsLoopbackAddress(host);
}

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Bind(const HttpSettings& settings,
                                                             std::map<std::string, Asset> assets) {
  const std::string where = absl::StrCat("--http=", HostForUrl(settings.host), ":", settings.port);
  std::string token;
  if (!settings.token_file.empty()) {
    std::ifstream in(settings.token_file);
    if (!in) {
      return absl::InvalidArgumentError(absl::StrCat("--http_token_file: cannot read ",
                                                     settings.token_file, ": ",
                                                     std::strerror(errno)));
    }
    std::stringstream text;
    text << in.rdbuf();
    token = std::string(absl::StripAsciiWhitespace(text.str()));
    if (token.size() < 16 || token.find_first_of(" \t\r\n") != std::string::npos) {
      return absl::InvalidArgumentError(absl::StrCat(
          "--http_token_file: ", settings.token_file,
          " must hold one token of at least 16 characters without spaces"));
    }
  }
  if (!settings.cert_file.empty()) {
    for (const auto& [flag, path] : {std::pair<const char*, const std::string&>{"--http_cert", settings.cert_file},
                                      {"--http_key", settings.key_file}}) {
      if (!std::ifstream(path)) {
        return absl::InvalidArgumentError(
            absl::StrCat(flag, ": cannot read ", path, ": ", std::strerror(errno)));
      }
    }
  }
  std::unique_ptr<HttpServer> server(new HttpServer(settings, std::move(token), std::move(assets)));
  if (!server->server_->is_valid()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "--http_cert=", settings.cert_file, " --http_key=", settings.key_file,
        ": not a PEM certificate and its private key (openssl x509 -in FILE -noout and openssl "
        "pkey -in FILE -noout say more)"));
  }
  errno = 0;
  const bool bound =
      settings.port == 0  // tests: any free port
          ? (server->port_ = server->server_->bind_to_any_port(settings.host)) > 0
          : server->server_->bind_to_port(settings.host, settings.port);
  if (!bound) {
    return absl::UnavailableError(
        absl::StrCat(where, ": cannot listen: ",
                     errno != 0 ? std::strerror(errno) : "bind failed",
                     " (another reflectord? give another port, or --http=off)"));
  }
  return server;
}

HttpServer::HttpServer(HttpSettings settings, std::string token,
                       std::map<std::string, Asset> assets)
    : settings_(std::move(settings)),
      token_(std::move(token)),
      assets_(std::move(assets)),
      server_(MakeServer(settings_)),
      port_(settings_.port) {
  // SO_REUSEADDR for a quick restart, but not the library's SO_REUSEPORT: a second daemon on
  // the same port must fail, not take half the requests.
  server_->set_socket_options([](int sock) {
    int yes = 1;
    setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(yes));
  });
  server_->new_task_queue = [] { return new httplib::ThreadPool(kServerThreads); };
  server_->set_payload_max_length(kMaxBodyBytes);
  server_->set_read_timeout(5);
  server_->set_write_timeout(5);
  server_->set_keep_alive_max_count(100);
}

HttpServer::~HttpServer() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (thread_.joinable()) {
    // httplib 0.11's stop() does nothing until the listen loop has started, and that loop
    // would then run for ever: a SIGTERM right after the start hung the daemon's exit.
    while (!server_->is_running() && !listen_returned_.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    server_->stop();
    thread_.join();
  }
}

std::string HttpServer::Url() const {
  return absl::StrCat(settings_.cert_file.empty() ? "http" : "https", "://",
                      HostForUrl(settings_.host), ":", port_, "/");
}

bool HttpServer::StoppingAfter(absl::Duration wait) {
  absl::MutexLock lock(&mu_);
  return mu_.AwaitWithTimeout(absl::Condition(&stopping_), wait);
}

void HttpServer::Serve(ControlBoard* board) {
  board_ = board;
  Route();
  thread_ = std::thread([this] {
    server_->listen_after_bind();
    listen_returned_ = true;
  });
}

void HttpServer::Route() {
  httplib::Server& s = *server_;
  const bool loopback = IsLoopbackAddress(settings_.host);
  s.set_pre_routing_handler([this, loopback](const httplib::Request& req,
                                             httplib::Response& res) {
    res.set_header("Cache-Control", "no-store");
    res.set_header("X-Content-Type-Options", "nosniff");
    if (loopback && !IsLoopbackHost(req.get_header_value("Host"))) {
      ReplyError(res, {403, "this server is on a loopback address and answers only requests "
                            "for localhost, 127.0.0.1 or [::1]", {}});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (req.method == "GET" || req.method == "HEAD") {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    if (req.method != "PUT" && req.method != "POST") {
      ReplyError(res, {405, absl::StrCat("method ", req.method, " is not served"), {}});
      return httplib::Server::HandlerResponse::Handled;
    }
    // A write: read-only, then the token, then the content type.
    if (settings_.read_only) {
      ReplyError(res, {403, "the daemon serves read-only (--http_read_only)", {}});
      return httplib::Server::HandlerResponse::Handled;
    }
    if (!token_.empty()) {
      if (!req.has_header("Authorization")) {
        res.set_header("WWW-Authenticate", "Bearer");
        ReplyError(res, {401, "this needs Authorization: Bearer TOKEN (--http_token_file)", {}});
        return httplib::Server::HandlerResponse::Handled;
      }
      if (!BearerMatches(req.get_header_value("Authorization"), token_)) {
        ReplyError(res, {403, "the bearer token is not the daemon's", {}});
        return httplib::Server::HandlerResponse::Handled;
      }
    }
    if (!absl::StartsWith(req.get_header_value("Content-Type"), kJson)) {
      ReplyError(res, {415, "PUT and POST need Content-Type: application/json", {}});
      return httplib::Server::HandlerResponse::Handled;
    }
    return httplib::Server::HandlerResponse::Unhandled;
  });
  s.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
    // Only replace the library's empty bodies (404 for an unknown path, 413, 400 ...).
    if (!res.body.empty()) return;
    const std::string message =
        res.status == 404 ? absl::StrCat("no such resource: ", req.path,
                                         " (see /api/v1/status, /api/v1/stats, /metrics)")
        : res.status == 413 ? absl::StrCat("request body over ", kMaxBodyBytes, " bytes")
                            : absl::StrCat("bad request (HTTP ", res.status, ")");
    res.set_content(ErrorDocument(message), kJson);
  });

  s.Get("/metrics", [this](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, FormatMetrics(board_->start(), board_->Read()), kMetricsContentType);
  });
  s.Get("/api/v1/status", [this](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, Dump(StatusDocument(board_->start(), board_->running(), absl::Now())));
  });
  s.Get("/api/v1/stats", [this](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, StatsDocument(board_->Read(), board_->start().monitor));
  });
  s.Get("/api/v1/config", [this](const httplib::Request&, httplib::Response& res) {
    Reply(res, 200, Dump(ConfigDocument(board_->running())));
  });
  s.Get("/api/v1/sessions", [this](const httplib::Request&, httplib::Response& res) {
    const Running running = board_->running();
    Reply(res, 200,
          Dump(SessionsDocument(board_->sessions(), running.rules, running.options.session_idle,
                                running.options.datapath.count_sessions)));
  });
  s.Put("/api/v1/config", [this](const httplib::Request& req, httplib::Response& res) {
    ControlReply error;
    absl::StatusOr<Settings> settings = ParseSettingsBody(req.body, &error);
    if (!settings.ok()) return ReplyError(res, error);
    const ControlReply reply =
        board_->Call({ControlRequest::kSetSettings, *std::move(settings)}, kCallTimeout);
    if (reply.status != 200) return ReplyError(res, reply);
    Reply(res, 200, Dump({{"applied", reply.fields}, {"message", reply.message}}));
  });
  s.Post("/api/v1/reload", [this](const httplib::Request&, httplib::Response& res) {
    const ControlReply reply = board_->Call({ControlRequest::kReload, {}}, kCallTimeout);
    if (reply.status != 200) return ReplyError(res, reply);
    Reply(res, 200, Dump({{"message", reply.message}}));
  });
  s.Get("/api/v1/events", [this](const httplib::Request& req, httplib::Response& res) {
    absl::StatusOr<absl::Duration> interval =
        EventInterval(req, board_->running().options.stats_interval);
    if (!interval.ok()) return ReplyError(res, {400, std::string(interval.status().message()), {"interval"}});
    {
      absl::MutexLock lock(&mu_);
      if (streams_ >= kMaxEventStreams) {
        return ReplyError(res, {503, absl::StrCat("at most ", kMaxEventStreams,
                                                  " event streams at once"), {}});
      }
      ++streams_;
    }
    // Each event: the counters now and the rates since the previous event of this stream.
    auto previous = std::make_shared<Snapshot>(board_->Read());
    const bool monitor = board_->start().monitor;
    res.set_chunked_content_provider(
        "text/event-stream",
        [this, previous, monitor, interval = *interval](size_t, httplib::DataSink& sink) {
          if (StoppingAfter(interval)) return false;
          Snapshot now = board_->Read();
          now.previous = previous->counters;
          now.previous_time = previous->time;
          const std::string event =
              absl::StrCat("event: stats\ndata: ", StatsDocument(now, monitor), "\n\n");
          if (!sink.write(event.data(), event.size())) return false;
          *previous = std::move(now);
          return true;
        },
        [this](bool) {
          absl::MutexLock lock(&mu_);
          --streams_;
        });
  });
  for (const auto& [path, asset] : assets_) {
    s.Get(path, [&asset = asset](const httplib::Request&, httplib::Response& res) {
      res.set_header("Content-Security-Policy",
                     "default-src 'self'; style-src 'self' 'unsafe-inline'; "
                     "script-src 'self' 'unsafe-inline'");
      Reply(res, 200, asset.body, asset.content_type.c_str());
    });
  }
}

}  // namespace reflector::daemon::http
