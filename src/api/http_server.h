// PlainHttpServer: httplib::Server (plain HTTP) with its own keep-alive
// connection loop. Debian's cpp-httplib 0.11 waits for a connection's next
// request by polling with a 10 ms timeout and a 1 ms sleep, polls the socket
// again before every read and twice before every write, and sends a
// response's headers and body as two TCP segments: about nine system calls
// and two packets a request. This loop waits for the next request in one
// blocking poll (in slices, so that stop() is noticed), reads with recv
// when data is there, and buffers a response so it leaves in one send. It
// calls httplib's own process_request, so parsing, routing, limits and
// error handling are httplib's. HTTPS keeps httplib's SSLServer.
//
// Invariants of a connection (SocketStream):
//  1. pending output is sent before the connection blocks to read (so an
//     interim "100 Continue" or a streamed response never waits for input);
//  2. output is sent before the next request is awaited and before close;
//  3. every wait is bounded: the read and write timeouts for I/O within a
//     request, the keep-alive timeout between requests.
// Thread-safety: as httplib::Server; each connection is served by one
// thread of the task queue.
#pragma once

#include <httplib.h>

#include <algorithm>
#include <string>

namespace ichigen::api {

class PlainHttpServer : public httplib::Server {
 private:
  // httplib's listener calls this for every accepted socket.
  bool process_and_close_socket(socket_t sock) override;
};

// A connected socket as an httplib::Stream: reads through a buffer, writes
// into one that is flushed when it grows past kFlushBytes, before a read
// would block, and by Flush(). Not thread-safe (one connection, one thread).
class SocketStream : public httplib::Stream {
 public:
  static constexpr size_t kFlushBytes = 64 * 1024;

  SocketStream(socket_t sock, int read_timeout_ms, int write_timeout_ms);

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return sock_; }

  // Sends the buffered output; false when the peer is gone or too slow.
  bool Flush();
  // Waits up to timeout_ms for the next request's first bytes, polling in
  // slices of slice_ms and giving up early once keep_waiting() is false.
  // True when there is something to read (or the peer closed: the read
  // that follows then sees the end).
  template <typename KeepWaiting>
  bool AwaitInput(int timeout_ms, int slice_ms, KeepWaiting keep_waiting) {
    if (in_off_ < in_size_) return true;
    for (int waited = 0; waited < timeout_ms && keep_waiting(); waited += slice_ms) {
      if (Poll(/*for_read=*/true, std::min(slice_ms, timeout_ms - waited))) return true;
    }
    return false;
  }

 private:
  // Waits until the socket is readable (or writable); false on timeout or error.
  bool Poll(bool for_read, int timeout_ms) const;

  socket_t sock_;
  int read_timeout_ms_;
  int write_timeout_ms_;
  std::string in_;   // received, not yet consumed: in_[in_off_, in_size_)
  size_t in_off_ = 0;
  size_t in_size_ = 0;
  std::string out_;  // written, not yet sent
};

}  // namespace ichigen::api
