// reflectorctl: asks a running reflectord over its HTTP API (--http) what it is doing, and
// changes its settings the way SIGHUP would.
//   reflectorctl [--server=ADDR:PORT] [-j] status | stats [--watch] | sessions | config get |
//                config set KEY=VALUE... | reload | top
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "nlohmann/json.hpp"
#include "reflector/base/cli.h"
#include "reflector/ctl/client.h"
#include "reflector/ctl/format.h"

ABSL_FLAG(std::string, server, "127.0.0.1:9842", "reflectord's --http address, ADDR:PORT");
ABSL_FLAG(bool, j, false, "print the daemon's JSON documents (one per line) instead of text");
ABSL_FLAG(bool, watch, false, "stats: print one line per interval until interrupted");
ABSL_FLAG(double, interval, 0, "stats --watch and top: seconds between updates (0: the daemon's stats interval)");
ABSL_FLAG(std::string, token_file, "",
          "file holding the daemon's bearer token (its --http_token_file), for config set and reload");

namespace {

using nlohmann::json;
using reflector::ctl::ControlClient;

constexpr int kExitFailed = 1;  // the daemon could not be reached or refused the request

std::string Dump(const json& value) {
  return value.dump(-1, ' ', false, json::error_handler_t::replace);
}

int Fail(const absl::Status& status) {
  absl::FPrintF(stderr, "reflectorctl: %s\n", status.message());
  return kExitFailed;
}

int Usage(const std::string& message) {
  absl::FPrintF(stderr, "reflectorctl: %s (see --help)\n", message);
  return reflector::base::kExitUsage;
}

int Print(const absl::StatusOr<json>& document, std::string (*format)(const json&)) {
  if (!document.ok()) return Fail(document.status());
  const std::string text = absl::GetFlag(FLAGS_j) ? Dump(*document) + "\n" : format(*document);
  std::fputs(text.c_str(), stdout);
  if (!text.empty() && text.back() != '\n') std::fputs("\n", stdout);
  return 0;
}

std::string Message(const json& reply) {
  return reply.contains("message") && reply["message"].is_string()
             ? reply["message"].get<std::string>()
             : Dump(reply);
}

// The event stream at --interval, or at the daemon's stats interval.
std::string EventsPath() {
  const double interval = absl::GetFlag(FLAGS_interval);
  return interval > 0 ? absl::StrCat("/api/v1/events?interval=", interval) : "/api/v1/events";
}

// `side`: a second connection to the same daemon, for requests while `client` streams.
int Run(ControlClient& client, ControlClient& side, const std::vector<std::string>& args) {
  const std::string& command = args[0];
  const auto only = [&](size_t n) { return args.size() == n; };
  if (command == "status" && only(1)) return Print(client.Get("/api/v1/status"), reflector::ctl::FormatStatus);
  if (command == "stats" && only(1) && !absl::GetFlag(FLAGS_watch)) {
    return Print(client.Get("/api/v1/stats"), reflector::ctl::FormatStats);
  }
  if (command == "stats" && only(1)) {
    absl::Status status = client.Events(EventsPath(), [](const json& event) {
      const std::string line = absl::GetFlag(FLAGS_j) ? Dump(event) : reflector::ctl::FormatStats(event);
      std::fputs((line + "\n").c_str(), stdout);
      return std::fflush(stdout) == 0;  // stop once the reader went away
    });
    return status.ok() ? 0 : Fail(status);
  }
  if (command == "sessions" && only(1)) {
    return Print(client.Get("/api/v1/sessions"),
                 [](const json& doc) { return reflector::ctl::FormatSessions(doc); });
  }
  if (command == "config" && args.size() == 2 && args[1] == "get") {
    return Print(client.Get("/api/v1/config"), reflector::ctl::FormatConfig);
  }
  if (command == "config" && args.size() >= 3 && args[1] == "set") {
    json changes = json::object();
    for (size_t i = 2; i < args.size(); ++i) {
      const size_t equals = args[i].find('=');
      if (equals == std::string::npos || equals == 0) {
        return Usage(absl::StrCat("config set: expected KEY=VALUE, got \"", args[i], "\""));
      }
      changes[args[i].substr(0, equals)] = args[i].substr(equals + 1);
    }
    return Print(client.Put("/api/v1/config", changes), Message);
  }
  if (command == "reload" && only(1)) return Print(client.Post("/api/v1/reload"), Message);
  if (command == "top" && only(1)) {
    absl::StatusOr<json> status = client.Get("/api/v1/status");
    if (!status.ok()) return Fail(status.status());
    const double uptime = (*status)["uptime_s"].is_number() ? (*status)["uptime_s"].get<double>() : 0;
    const absl::Time fetched = absl::Now();
    absl::Status streamed = client.Events(EventsPath(), [&](const json& event) {
      (*status)["uptime_s"] = uptime + absl::ToDoubleSeconds(absl::Now() - fetched);
      // On the side connection: the main one carries the event stream.
      absl::StatusOr<json> sessions = side.Get("/api/v1/sessions");
      // Home and clear, then the screen: it redraws in place.
      const std::string screen = "\x1b[H\x1b[2J" + reflector::ctl::FormatTop(*status, event, sessions.ok() ? *sessions : json(nullptr));
      std::fputs(screen.c_str(), stdout);
      return std::fflush(stdout) == 0;
    });
    return streamed.ok() ? 0 : Fail(streamed);
  }
  return Usage(absl::StrCat("unknown command \"", absl::StrJoin(args, " "),
                            "\": expected status, stats [--watch], sessions, config get, "
                            "config set KEY=VALUE..., reload, top"));
}

}  // namespace

int main(int argc, char** argv) {
  constexpr reflector::base::ProgramInfo kProgram = {
      "reflectorctl",
      "asks a running reflectord (its HTTP API, --http) what it does, and changes its settings.\n"
      "  reflectorctl [--server=ADDR:PORT] [-j] status | stats [--watch] | sessions | config get |\n"
      "               config set KEY=VALUE... | reload | top",
      __FILE__,
      "Exit codes: 0 done; 1 the daemon could not be reached or refused the request (the line "
      "says why); 2 bad command line."};
  std::vector<std::string> args;
  if (const std::optional<int> done = reflector::base::ParseCommandLine(kProgram, argc, argv, &args)) {
    return *done;
  }
  if (args.empty()) return Usage("no command given");
  std::string token;
  if (const std::string file = absl::GetFlag(FLAGS_token_file); !file.empty()) {
    std::ifstream in(file);
    if (!in) return Usage(absl::StrCat("--token_file: cannot read ", file));
    std::stringstream text;
    text << in.rdbuf();
    token = std::string(absl::StripAsciiWhitespace(text.str()));
  }
  absl::StatusOr<ControlClient> client = ControlClient::Create(absl::GetFlag(FLAGS_server), token);
  if (!client.ok()) return Usage(std::string(client.status().message()));
  absl::StatusOr<ControlClient> side = ControlClient::Create(absl::GetFlag(FLAGS_server), token);
  if (!side.ok()) return Usage(std::string(side.status().message()));
  return Run(*client, *side, args);
}
