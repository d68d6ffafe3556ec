// Non-blocking socket I/O shared by every connection, client or broker side: a queue of frames
// waiting to be sent, and reading whatever has arrived into a buffer.
//
// Thread-safety: none; each belongs to one connection on its loop thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include "util/byte_buffer.h"

namespace kclient::net {

// Outcome of a socket operation that may stop before it is done.
struct IoResult {
  enum Kind {
    kOk,      // did everything asked (sent all, or read what was there)
    kClosed,  // the peer closed the connection (reads only)
    kError,   // the socket failed; `error` says how
  };
  Kind kind = kOk;
  std::string error;
  bool ok() const { return kind == kOk; }
};

class SendQueue {
 public:
  // Queues `frame`; returns its number (1, 2, ...), which written() reaches once every byte of
  // it is in the socket.
  uint64_t Push(util::ByteBuffer frame) {
    frames_.push_back(std::move(frame));
    return ++pushed_;
  }
  bool empty() const { return frames_.empty(); }
  // Frames pushed so far whose every byte the socket has taken (numbers up to this one).
  uint64_t written() const { return pushed_ - frames_.size(); }
  // Drops the frames not yet written. Their numbers are handed out again, so whoever waits on
  // them must give up now.
  void clear() {
    pushed_ -= frames_.size();
    frames_.clear();
    offset_ = 0;
  }
  // Writes as much as the socket takes now. kOk also when the socket is full and frames remain
  // (empty() tells); kError when the socket failed.
  IoResult Flush(int fd);

 private:
  std::deque<util::ByteBuffer> frames_;
  size_t offset_ = 0;  // bytes of frames_.front() already written
  uint64_t pushed_ = 0;
};

// Appends what `fd` has to `in`, growing it 64 KiB at a time, until the socket has nothing more
// or `in` holds `limit` bytes (counting from `consumed`, which callers may not have compacted).
IoResult ReadAvailable(int fd, util::ByteBuffer* in, size_t consumed = 0, size_t limit = SIZE_MAX);

}  // namespace kclient::net
