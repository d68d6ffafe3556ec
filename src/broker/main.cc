// kclient-broker: the bundled Kafka-compatible broker as a standalone server.
//
//   kclient-broker [--port P] [--brokers N] [--data-dir DIR] [--no-auto-create]
//                  [--partitions N] [--host H] [--segment-bytes B] [--retention-ms MS]
//                  [--retention-bytes B] [--log-requests]
//
// Prints "bootstrap.servers=HOST:PORT[,...]" on stdout once every broker accepts connections,
// and shuts down cleanly on SIGINT or SIGTERM.
#include <csignal>
#include <cstdio>
#include <string>

#include <sys/signalfd.h>
#include <unistd.h>

#include <CLI/CLI.hpp>

#include "broker/cluster.h"
#include "broker/event_loop.h"

namespace {

// Turns SIGINT/SIGTERM into a readable fd watched by the loop, so shutdown runs on the loop
// thread like everything else.
class SignalWatcher final : public kclient::broker::IoHandler {
 public:
  explicit SignalWatcher(kclient::broker::EventLoop* loop) : loop_(loop) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    fd_ = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    loop_->Watch(fd_, 0x001 /* EPOLLIN */, this);
  }
  ~SignalWatcher() override {
    loop_->Unwatch(fd_);
    close(fd_);
  }
  void OnIo(uint32_t) override {
    signalfd_siginfo info;
    while (read(fd_, &info, sizeof info) == sizeof info) {
      std::fprintf(stderr, "kclient-broker: signal %u, shutting down\n", info.ssi_signo);
    }
    loop_->Stop();
  }

 private:
  kclient::broker::EventLoop* loop_;
  int fd_ = -1;
};

}  // namespace

int main(int argc, char** argv) {
  kclient::broker::ClusterConfig config;
  // A standalone broker behaves like Kafka by default.
  config.group_initial_rebalance_delay_ms = 3000;
  config.log_segment_bytes = 1 << 30;
  uint16_t port = 9092;
  bool no_auto_create = false;

  CLI::App app{"kclient-broker: a Kafka-compatible broker"};
  app.add_option("--port", port, "port of the first broker; the others take the next ones (0: ephemeral)");
  app.add_option("--brokers", config.brokers, "number of brokers")->check(CLI::Range(1, 64));
  app.add_option("--host", config.host, "address to listen on and advertise");
  app.add_option("--data-dir", config.data_dir, "keep logs and offsets here (default: in memory)");
  app.add_flag("--no-auto-create", no_auto_create, "refuse to create topics on first use");
  app.add_option("--partitions", config.default_partitions, "partitions of auto-created topics")->check(CLI::PositiveNumber);
  app.add_option("--replication-factor", config.default_replication_factor, "replicas of auto-created topics");
  app.add_option("--group-initial-rebalance-delay-ms", config.group_initial_rebalance_delay_ms,
                 "how long a new group waits for more members before its first rebalance");
  app.add_option("--segment-bytes", config.log_segment_bytes, "roll log segments at this size (log.segment.bytes)")
      ->check(CLI::PositiveNumber);
  app.add_option("--retention-ms", config.log_retention_ms, "delete segments older than this (log.retention.ms; -1: never)");
  app.add_option("--retention-bytes", config.log_retention_bytes,
                 "keep at most this many bytes per partition (log.retention.bytes; -1: unlimited)");
  app.add_flag("--log-requests", config.log_requests, "log every connection and request");
  CLI11_PARSE(app, argc, argv);

  config.auto_create_topics = !no_auto_create;
  for (int i = 0; i < config.brokers; ++i) {
    config.ports.push_back(port == 0 ? 0 : static_cast<uint16_t>(port + i));
  }
  if (kclient::Status s = config.Validate(); !s.ok()) {
    std::fprintf(stderr, "kclient-broker: %s\n", s.ToString().c_str());
    return 2;
  }

  kclient::broker::EventLoop loop;
  SignalWatcher signals(&loop);
  kclient::broker::Cluster cluster(&loop, config);
  if (kclient::Status s = cluster.Start(); !s.ok()) {
    std::fprintf(stderr, "kclient-broker: %s\n", s.ToString().c_str());
    return 1;
  }
  std::printf("bootstrap.servers=%s\n", cluster.bootstrap_servers().c_str());
  std::fflush(stdout);
  loop.Run();
  cluster.Shutdown();
  return 0;
}
