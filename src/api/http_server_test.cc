#include "api/http_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>

namespace ichigen::api {
namespace {

// A PlainHttpServer on a free loopback port, talked to over a raw socket so
// that the bytes on the wire (keep-alive, pipelining, one response per
// request) are what is checked.
class PlainHttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    server_.Get("/hello", [](const httplib::Request& req, httplib::Response& res) {
      res.set_content("hello " + req.remote_addr, "text/plain");
    });
    server_.Get("/big", [](const httplib::Request&, httplib::Response& res) {
      res.set_content(std::string(200 * 1024, 'x'), "text/plain");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    ASSERT_GT(port_, 0);
    listener_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  void TearDown() override {
    server_.stop();
    if (listener_.joinable()) listener_.join();
  }

  int Connect() {
    const int sock = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port_));
    ::inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    EXPECT_EQ(::connect(sock, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    timeval timeout{.tv_sec = 5, .tv_usec = 0};
    ::setsockopt(sock, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    return sock;
  }
  static void Send(int sock, const std::string& bytes) {
    ASSERT_EQ(::send(sock, bytes.data(), bytes.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(bytes.size()));
  }
  // Reads until `count` occurrences of `marker` have arrived, or the peer
  // closes, or 5 s pass.
  static std::string ReadUntil(int sock, const std::string& marker, int count) {
    std::string got;
    char buffer[65536];
    auto seen = [&] {
      int n = 0;
      for (size_t pos = got.find(marker); pos != std::string::npos;
           pos = got.find(marker, pos + marker.size())) {
        ++n;
      }
      return n;
    };
    while (seen() < count) {
      const ssize_t n = ::recv(sock, buffer, sizeof(buffer), 0);
      if (n <= 0) break;
      got.append(buffer, static_cast<size_t>(n));
    }
    return got;
  }

  PlainHttpServer server_;
  int port_ = 0;
  std::thread listener_;
};

TEST_F(PlainHttpServerTest, OneConnectionCarriesSeveralAndPipelinedRequests) {
  const int sock = Connect();
  Send(sock, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string first = ReadUntil(sock, "hello 127.0.0.1", 1);
  EXPECT_EQ(first.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << first;
  // Two requests in one segment get two answers, in order, on the same connection.
  Send(sock, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /nowhere HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string both = ReadUntil(sock, "HTTP/1.1 ", 2);
  const size_t ok = both.find("HTTP/1.1 200 OK");
  const size_t missing = both.find("HTTP/1.1 404");
  ASSERT_NE(ok, std::string::npos) << both;
  ASSERT_NE(missing, std::string::npos) << both;
  EXPECT_LT(ok, missing);
  ::close(sock);
}

TEST_F(PlainHttpServerTest, ALargeAnswerArrivesWholeAndCloseIsHonoured) {
  const int sock = Connect();
  Send(sock, "GET /big HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const std::string answer = ReadUntil(sock, "never", 1);  // until the server closes
  const size_t body = answer.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos);
  EXPECT_NE(answer.find("Content-Length: 204800"), std::string::npos);
  EXPECT_EQ(answer.size() - body - 4, 200u * 1024);
  ::close(sock);
}

TEST_F(PlainHttpServerTest, StopDoesNotWaitForAnIdleKeepAliveConnection) {
  const int sock = Connect();
  Send(sock, "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n");
  ReadUntil(sock, "hello 127.0.0.1", 1);
  // The connection stays open and idle (keep-alive timeout 5 s).
  const auto started = std::chrono::steady_clock::now();
  server_.stop();
  listener_.join();
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(2));
  ::close(sock);
}

}  // namespace
}  // namespace ichigen::api
