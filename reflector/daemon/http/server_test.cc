#include "reflector/daemon/http/server.h"

#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "httplib.h"

namespace reflector::daemon::http {
namespace {

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, WakeSignal());
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    counters_.rx_frames = 42;
    Running running;
    running.options.text["port"] = "3842";
    StartInfo start;
    start.version = "0.1.0";
    start.interface = "eth9";
    board_ = std::make_unique<ControlBoard>(start, [this] { return counters_; }, running);
  }

  std::unique_ptr<HttpServer> Start(HttpSettings settings) {
    settings.port = 0;
    absl::StatusOr<std::unique_ptr<HttpServer>> server =
        HttpServer::Bind(settings, {{"/", {"text/html", "<p>dash</p>"}}});
    EXPECT_TRUE(server.ok()) << server.status();
    if (!server.ok()) return nullptr;
    (*server)->Serve(board_.get());
    return *std::move(server);
  }

  // Runs `client` on another thread while this one serves the board like the main loop.
  void WithMainLoop(const std::function<void()>& client) {
    bool done = false;
    std::thread thread([&] {
      client();
      done = true;
    });
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, WakeSignal());
    while (!done) {
      const timespec ts{0, 20 * 1000 * 1000};
      sigtimedwait(&set, nullptr, &ts);
      board_->ServeRequests([&](const ControlRequest& request) {
        served_.push_back(request);
        return ControlReply{200, "applied", {}};
      });
    }
    thread.join();
  }

  static std::string WriteToken(const std::string& token) {
    const char* dir = std::getenv("TEST_TMPDIR");
    const std::string path = absl::StrCat(dir ? dir : "/tmp", "/token-", getpid());
    std::ofstream(path) << token << "\n";
    return path;
  }

  engine::Counters counters_;
  std::unique_ptr<ControlBoard> board_;
  std::vector<ControlRequest> served_;
};

TEST_F(HttpServerTest, ServesTheBoardsNumbers) {
  auto server = Start({});
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  httplib::Result stats = client.Get("/api/v1/stats");
  ASSERT_TRUE(stats);
  EXPECT_EQ(stats->status, 200);
  EXPECT_TRUE(absl::StrContains(stats->body, "\"rx_frames\":42")) << stats->body;
  httplib::Result metrics = client.Get("/metrics");
  ASSERT_TRUE(metrics);
  EXPECT_TRUE(absl::StrContains(metrics->body, "\nreflector_rx_frames_total 42\n"));
  EXPECT_EQ(metrics->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
  httplib::Result page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_EQ(page->body, "<p>dash</p>");
}

TEST_F(HttpServerTest, UnknownPathsAndForeignHostsGetJsonErrors) {
  auto server = Start({});
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  for (const char* path : {"/etc/passwd", "/api/v1/../../etc/passwd", "/api/v2/stats", "/%2e%2e/"}) {
    httplib::Result result = client.Get(path);
    ASSERT_TRUE(result) << path;
    EXPECT_EQ(result->status, 404) << path;
    EXPECT_TRUE(absl::StartsWith(result->body, "{\"error\":\"no such resource")) << result->body;
  }
  httplib::Result rebinding = client.Get("/api/v1/stats", {{"Host", "attacker.example:9842"}});
  ASSERT_TRUE(rebinding);
  EXPECT_EQ(rebinding->status, 403);
  httplib::Result sessions = client.Get("/api/v1/sessions");
  ASSERT_TRUE(sessions);
  EXPECT_EQ(sessions->status, 200);
  httplib::Result method = client.Delete("/api/v1/config");
  ASSERT_TRUE(method);
  EXPECT_EQ(method->status, 405);
}

TEST_F(HttpServerTest, WritesNeedTheTokenAndJson) {
  HttpSettings settings;
  settings.token_file = WriteToken("0123456789abcdef-token");
  auto server = Start(settings);
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  const std::string body = R"({"port": 5001})";
  httplib::Result none = client.Put("/api/v1/config", body, "application/json");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->status, 401);
  EXPECT_EQ(none->get_header_value("WWW-Authenticate"), "Bearer");
  httplib::Result wrong = client.Put("/api/v1/config", {{"Authorization", "Bearer nope"}}, body,
                                     "application/json");
  ASSERT_TRUE(wrong);
  EXPECT_EQ(wrong->status, 403);
  const httplib::Headers good = {{"Authorization", "Bearer 0123456789abcdef-token"}};
  httplib::Result form = client.Put("/api/v1/config", good, "port=5001",
                                    "application/x-www-form-urlencoded");
  ASSERT_TRUE(form);
  EXPECT_EQ(form->status, 415);
  httplib::Result bad_json = client.Put("/api/v1/config", good, "{port", "application/json");
  ASSERT_TRUE(bad_json);
  EXPECT_EQ(bad_json->status, 400);
  EXPECT_TRUE(served_.empty());

  WithMainLoop([&] {
    httplib::Result ok = client.Put("/api/v1/config", good, body, "application/json");
    ASSERT_TRUE(ok);
    EXPECT_EQ(ok->status, 200) << ok->body;
    httplib::Result reload = client.Post("/api/v1/reload", good, "", "application/json");
    ASSERT_TRUE(reload);
    EXPECT_EQ(reload->status, 200) << reload->body;
  });
  ASSERT_EQ(served_.size(), 2u);
  EXPECT_EQ(served_[0].settings, (Settings{{"port", "5001"}}));
  EXPECT_EQ(served_[1].kind, ControlRequest::kReload);
}

TEST_F(HttpServerTest, ReadOnlyRefusesEveryWrite) {
  HttpSettings settings;
  settings.read_only = true;
  auto server = Start(settings);
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  httplib::Result put = client.Put("/api/v1/config", R"({"port": 1})", "application/json");
  ASSERT_TRUE(put);
  EXPECT_EQ(put->status, 403);
  EXPECT_TRUE(absl::StrContains(put->body, "--http_read_only")) << put->body;
}

TEST_F(HttpServerTest, BodiesOverTheLimitAreRefused) {
  auto server = Start({});
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  httplib::Result big =
      client.Put("/api/v1/config", std::string(kMaxBodyBytes + 1, ' '), "application/json");
  ASSERT_TRUE(big);
  EXPECT_EQ(big->status, 413);
}

TEST_F(HttpServerTest, EventsStreamOneStatsObjectPerInterval) {
  auto server = Start({});
  ASSERT_NE(server, nullptr);
  httplib::Client client("127.0.0.1", server->port());
  std::string received;
  httplib::Result result = client.Get(
      "/api/v1/events?interval=0.1", [&](const char* data, size_t length) {
        received.append(data, length);
        return received.find("event: stats", received.find("event: stats") + 1) ==
               std::string::npos;  // stop after the second event
      });
  EXPECT_TRUE(absl::StartsWith(received, "event: stats\ndata: {")) << received;
  EXPECT_TRUE(absl::StrContains(received, "\"rx_frames\":42")) << received;
  httplib::Result bad = client.Get("/api/v1/events?interval=0");
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
}

TEST(HttpServerBindTest, ErrorsNameTheSetting) {
  HttpSettings settings;
  settings.port = 0;
  settings.token_file = "/nonexistent/token";
  absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Bind(settings, {});
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(absl::StartsWith(server.status().message(), "--http_token_file: cannot read"))
      << server.status();

  settings.token_file.clear();
  absl::StatusOr<std::unique_ptr<HttpServer>> first = HttpServer::Bind(settings, {});
  ASSERT_TRUE(first.ok());
  settings.port = (*first)->port();
  server = HttpServer::Bind(settings, {});
  ASSERT_FALSE(server.ok());
  EXPECT_EQ(server.status().message(),
            absl::StrCat("--http=127.0.0.1:", settings.port,
                         ": cannot listen: Address already in use (another reflectord? give "
                         "another port, or --http=off)"));
}

TEST(BearerTest, MatchesOnlyTheWholeToken) {
  EXPECT_TRUE(BearerMatches("Bearer abc", "abc"));
  EXPECT_FALSE(BearerMatches("Bearer ab", "abc"));
  EXPECT_FALSE(BearerMatches("Bearer abcd", "abc"));
  EXPECT_FALSE(BearerMatches("Basic abc", "abc"));
  EXPECT_FALSE(BearerMatches("abc", "abc"));
}

TEST(LoopbackHostTest, OnlyLoopbackNames) {
  for (const char* host : {"localhost", "LOCALHOST:9842", "127.0.0.1:9842", "127.1.2.3", "[::1]:9842"}) {
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  }
  for (const char* host : {"", "example.com", "10.0.0.1:9842", "[::2]:1", "localhost.evil.com"}) {
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
  }
}

// A self-signed certificate for localhost and 127.0.0.1, made now by the openssl CLI: its
// certificate and key paths.
std::pair<std::string, std::string> SelfSignedCertificate() {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string base = absl::StrCat(dir ? dir : "/tmp", "/tls-", getpid());
  const std::string cert = base + "-cert.pem";
  const std::string key = base + "-key.pem";
  const std::string command = absl::StrCat(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost -addext "
      "subjectAltName=DNS:localhost,IP:127.0.0.1 -keyout ", key, " -out ", cert, " 2>/dev/null");
  EXPECT_EQ(std::system(command.c_str()), 0) << command;
  return {cert, key};
}

// The output of `command` (stdout), and its exit status.
std::pair<std::string, int> RunShell(const std::string& command) {
  std::string out;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {"", -1};
  char buffer[4096];
  for (size_t n; (n = fread(buffer, 1, sizeof(buffer), pipe)) > 0;) out.append(buffer, n);
  return {out, pclose(pipe)};
}

TEST_F(HttpServerTest, ServesHttpsWithTheGivenCertificate) {
  const auto [cert, key] = SelfSignedCertificate();
  HttpSettings settings;
  settings.cert_file = cert;
  settings.key_file = key;
  auto server = Start(settings);
  ASSERT_NE(server, nullptr);
  EXPECT_EQ(server->Url(), absl::StrCat("https://127.0.0.1:", server->port(), "/"));
  const std::string url = absl::StrCat("https://localhost:", server->port(), "/api/v1/status");
  // curl trusts the certificate it is given, and only that one.
  const auto [body, code] = RunShell(absl::StrCat("curl -sS --cacert ", cert, " ", url));
  EXPECT_EQ(code, 0) << body;
  EXPECT_TRUE(absl::StrContains(body, "\"interface\":\"eth9\"")) << body;
  EXPECT_NE(RunShell(absl::StrCat("curl -sS ", url, " 2>/dev/null")).second, 0);  // not trusted
  // Plain HTTP to the HTTPS port gets no answer.
  httplib::Client plain("127.0.0.1", server->port());
  plain.set_read_timeout(2);
  httplib::Result result = plain.Get("/api/v1/status");
  EXPECT_TRUE(!result || result->status != 200);
}

TEST_F(HttpServerTest, UnusableCertificateFilesAreRefused) {
  const char* dir = std::getenv("TEST_TMPDIR");
  const std::string garbage = absl::StrCat(dir ? dir : "/tmp", "/garbage-", getpid(), ".pem");
  std::ofstream(garbage) << "not a certificate\n";
  HttpSettings settings;
  settings.port = 0;
  settings.cert_file = "/nonexistent/cert.pem";
  settings.key_file = garbage;
  absl::StatusOr<std::unique_ptr<HttpServer>> missing = HttpServer::Bind(settings, {});
  EXPECT_EQ(missing.status().message(),
            "--http_cert: cannot read /nonexistent/cert.pem: No such file or directory");
  settings.cert_file = garbage;
  absl::StatusOr<std::unique_ptr<HttpServer>> bad = HttpServer::Bind(settings, {});
  EXPECT_TRUE(absl::IsInvalidArgument(bad.status())) << bad.status();
  EXPECT_TRUE(absl::StrContains(bad.status().message(), "not a PEM certificate and its private key"))
      << bad.status();
  // A certificate with another certificate's key.
  const auto [cert, key] = SelfSignedCertificate();
  const std::string other_key = garbage + ".key";
  EXPECT_EQ(std::system(absl::StrCat("openssl genpkey -algorithm RSA -out ", other_key,
                                     " 2>/dev/null").c_str()), 0);
  settings.cert_file = cert;
  settings.key_file = other_key;
  EXPECT_TRUE(absl::IsInvalidArgument(HttpServer::Bind(settings, {}).status()));
}

}  // namespace
}  // namespace reflector::daemon::http
