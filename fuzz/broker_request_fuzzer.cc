// Fuzzes the broker end to end: each input is one request frame body (header and message)
// written into a real Connection over a socketpair, dispatched to whichever handler its API key
// names, with the loop driven until idle. Whatever the bytes, the broker must neither crash nor
// trip a sanitizer; answering, closing the connection or parking the request are all fine.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <cstdint>
#include <memory>
#include <vector>

#include "broker/cluster.h"
#include "broker/event_loop.h"
#include "util/endian.h"

namespace {

struct Broker {
  kclient::broker::EventLoop loop;
  std::unique_ptr<kclient::broker::Cluster> cluster;

  Broker() {
    kclient::broker::ClusterConfig config;
    config.brokers = 1;
    config.max_request_size = 1 << 20;
    cluster = std::make_unique<kclient::broker::Cluster>(&loop, config);
    (void)cluster->Start();
    // A topic for inputs that address an existing one.
    (void)cluster->CreateTopic("fuzz", 2, 1);
  }
};

Broker& TheBroker() {
  static Broker* broker = new Broker();  // lives for the whole fuzzing run
  return *broker;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Broker& b = TheBroker();
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0) return 0;
  b.cluster->OnAccepted(1, fds[0], "fuzzer");
  std::vector<uint8_t> frame(4 + size);
  kclient::util::StoreBE32(frame.data(), static_cast<uint32_t>(size));
  if (size > 0) std::memcpy(frame.data() + 4, data, size);
  (void)!write(fds[1], frame.data(), frame.size());
  b.loop.RunUntilIdle();
  // Drain what the broker answered, then hang up like a client would.
  uint8_t sink[4096];
  while (read(fds[1], sink, sizeof sink) > 0) {
  }
  close(fds[1]);
  b.loop.RunUntilIdle();
  return 0;
}
