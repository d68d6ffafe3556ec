#include "net/socket_io.h"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace kclient::net {

IoResult SendQueue::Flush(int fd) {
  while (!frames_.empty()) {
    util::ByteBuffer& front = frames_.front();
    const ssize_t n = ::send(fd, front.data() + offset_, front.size() - offset_, MSG_NOSIGNAL);
    if (n > 0) {
      offset_ += static_cast<size_t>(n);
      if (offset_ == front.size()) {
        frames_.pop_front();
        offset_ = 0;
      }
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
    return {IoResult::kError, std::string("send: ") + std::strerror(errno)};
  }
  return {};
}

IoResult ReadAvailable(int fd, util::ByteBuffer* in, size_t consumed, size_t limit) {
  while (in->size() - consumed < limit) {
    if (in->capacity() - in->size() < 16384) in->reserve(in->size() + 65536);
    const size_t room = in->capacity() - in->size();
    const ssize_t n = ::recv(fd, in->data() + in->size(), room, 0);
    if (n > 0) {
      in->resize(in->size() + static_cast<size_t>(n));
      if (static_cast<size_t>(n) < room) break;  // the socket is drained
      continue;
    }
    if (n == 0) return {IoResult::kClosed, "peer closed the connection"};
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) break;
    return {IoResult::kError, std::string("recv: ") + std::strerror(errno)};
  }
  return {};
}

}  // namespace kclient::net
