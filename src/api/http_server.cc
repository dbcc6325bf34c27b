#include "api/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace ichigen::api {

namespace {

// How often a connection waiting for its next request checks for stop().
constexpr int kStopCheckMs = 200;
constexpr size_t kReadChunk = 16 * 1024;

int Millis(time_t sec, time_t usec) {
  return static_cast<int>(std::min<time_t>(sec * 1000 + usec / 1000, 24 * 3600 * 1000));
}

void AddressOf(const sockaddr_storage& addr, std::string& ip, int& port) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr.ss_family == AF_INET) {
    const auto& v4 = reinterpret_cast<const sockaddr_in&>(addr);
    ::inet_ntop(AF_INET, &v4.sin_addr, text, sizeof(text));
    port = ntohs(v4.sin_port);
  } else if (addr.ss_family == AF_INET6) {
    const auto& v6 = reinterpret_cast<const sockaddr_in6&>(addr);
    ::inet_ntop(AF_INET6, &v6.sin6_addr, text, sizeof(text));
    port = ntohs(v6.sin6_port);
  }
  ip = text;
}

}  // namespace

SocketStream::SocketStream(socket_t sock, int read_timeout_ms, int write_timeout_ms)
    : sock_(sock), read_timeout_ms_(read_timeout_ms), write_timeout_ms_(write_timeout_ms) {}

bool SocketStream::Poll(bool for_read, int timeout_ms) const {
  pollfd fd{.fd = sock_, .events = static_cast<short>(for_read ? POLLIN : POLLOUT), .revents = 0};
  while (true) {
    const int n = ::poll(&fd, 1, timeout_ms);
    if (n < 0 && errno == EINTR) continue;
    // POLLHUP/POLLERR count as ready: the recv or send that follows reports it.
    return n > 0;
  }
}

bool SocketStream::is_readable() const {
  return in_off_ < in_size_ || Poll(/*for_read=*/true, read_timeout_ms_);
}

bool SocketStream::is_writable() const { return Poll(/*for_read=*/false, write_timeout_ms_); }

ssize_t SocketStream::read(char* ptr, size_t size) {
  if (in_off_ == in_size_) {
    // Whatever was written must reach the peer before this thread waits for it.
    if (!out_.empty() && !Flush()) return -1;
    if (in_.size() < kReadChunk) in_.resize(kReadChunk);
    in_off_ = in_size_ = 0;
    while (true) {
      const ssize_t n = ::recv(sock_, in_.data(), in_.size(), MSG_DONTWAIT);
      if (n >= 0) {
        if (n == 0) return 0;
        in_size_ = static_cast<size_t>(n);
        break;
      }
      if (errno == EINTR) continue;
      if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
      if (!Poll(/*for_read=*/true, read_timeout_ms_)) return -1;
    }
  }
  const size_t n = std::min(size, in_size_ - in_off_);
  std::memcpy(ptr, in_.data() + in_off_, n);
  in_off_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t SocketStream::write(const char* ptr, size_t size) {
  out_.append(ptr, size);
  if (out_.size() >= kFlushBytes && !Flush()) return -1;
  return static_cast<ssize_t>(size);
}

bool SocketStream::Flush() {
  size_t sent = 0;
  while (sent < out_.size()) {
    const ssize_t n =
        ::send(sock_, out_.data() + sent, out_.size() - sent, MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
        Poll(/*for_read=*/false, write_timeout_ms_)) {
      continue;
    }
    out_.clear();
    return false;
  }
  out_.clear();
  return true;
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getpeername(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  sockaddr_storage addr{};
  socklen_t len = sizeof(addr);
  if (::getsockname(sock_, reinterpret_cast<sockaddr*>(&addr), &len) == 0) AddressOf(addr, ip, port);
}

bool PlainHttpServer::process_and_close_socket(socket_t sock) {
  const int one = 1;
  ::setsockopt(sock, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  SocketStream stream(sock, Millis(read_timeout_sec_, read_timeout_usec_),
                      Millis(write_timeout_sec_, write_timeout_usec_));
  const auto running = [this] { return svr_sock_ != INVALID_SOCKET; };
  bool ok = false;
  for (size_t left = keep_alive_max_count_; left > 0; --left) {
    if (!stream.AwaitInput(Millis(keep_alive_timeout_sec_, 0), kStopCheckMs, running)) break;
    bool closed = false;
    // The last request a connection may carry, or one that arrives while
    // stopping, is answered with "Connection: close".
    ok = process_request(stream, /*close_connection=*/left == 1 || !running(), closed, nullptr);
    if (!stream.Flush()) ok = false;
    if (!ok || closed) break;
  }
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

}  // namespace ichigen::api
