// kclient-bench-broker-startup: how long the bundled broker takes to become usable.
//
//   embedded   EmbeddedCluster::Start() until a TCP connect to its bootstrap port succeeds
//   process    spawning kclient-broker --port 0 until it prints its bootstrap.servers line
//              (printed once every listener accepts connections)
//
// The two are measured in turn within each run (their order alternating between runs), so that
// machine noise falls on both alike. One warm-up run of each is not counted. Prints the median
// and p90 (nearest rank) in milliseconds.
//
//   kclient-bench-broker-startup [--runs N] [--brokers N] [--broker PATH]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "broker_process.h"
#include "kclient/embedded_cluster.h"

namespace {

using Clock = std::chrono::steady_clock;

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

// Connects to the first "host:port" of a bootstrap list (IPv4 loopback as the cluster uses).
bool ConnectTo(const std::string& bootstrap) {
  const std::string first = bootstrap.substr(0, bootstrap.find(','));
  const auto colon = first.rfind(':');
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(first.substr(colon + 1))));
  if (::inet_pton(AF_INET, first.substr(0, colon).c_str(), &addr.sin_addr) != 1) return false;
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

// EmbeddedCluster::Start until a client can connect; nullopt on failure.
std::optional<double> TimeEmbedded(int brokers) {
  kclient::EmbeddedClusterOptions options;
  options.brokers = brokers;
  const auto start = Clock::now();
  auto cluster = kclient::EmbeddedCluster::Start(options);
  if (!cluster.ok()) {
    std::fprintf(stderr, "EmbeddedCluster::Start: %s\n", cluster.status().ToString().c_str());
    return std::nullopt;
  }
  if (!ConnectTo((*cluster)->bootstrap_servers())) {
    std::fprintf(stderr, "cannot connect to %s\n", (*cluster)->bootstrap_servers().c_str());
    return std::nullopt;
  }
  return Ms(Clock::now() - start);  // the cluster is stopped after the clock stops
}

// Spawns the broker until it prints its bootstrap line; nullopt on failure.
std::optional<double> TimeProcess(const std::string& binary, int brokers) {
  const auto start = Clock::now();
  auto process = kclient::bench::BrokerProcess::Start(binary, {"--brokers", std::to_string(brokers)});
  if (!process) return std::nullopt;
  return Ms(Clock::now() - start);  // the process is stopped after the clock stops
}

struct Summary {
  double median;
  double p90;
};

Summary Summarize(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  auto rank = [&](double q) { return v[static_cast<size_t>(std::ceil(q * static_cast<double>(v.size()))) - 1]; };
  return {rank(0.5), rank(0.9)};
}

}  // namespace

int main(int argc, char** argv) {
  int runs = 20;
  int brokers = 1;
  std::string binary = KCLIENT_BROKER_BINARY;
  CLI::App app{"kclient-bench-broker-startup: time from start to a usable broker"};
  app.add_option("--runs", runs, "measured runs of each (after one warm-up)")->check(CLI::Range(1, 10000));
  app.add_option("--brokers", brokers, "brokers per cluster")->check(CLI::Range(1, 64));
  app.add_option("--broker", binary, "the kclient-broker executable");
  CLI11_PARSE(app, argc, argv);
  ::signal(SIGPIPE, SIG_IGN);

  if (!TimeEmbedded(brokers) || !TimeProcess(binary, brokers)) return 1;  // warm-up
  std::vector<double> embedded;
  std::vector<double> process;
  for (int i = 0; i < runs; ++i) {
    const bool embedded_first = i % 2 == 0;
    for (int k = 0; k < 2; ++k) {
      const bool do_embedded = (k == 0) == embedded_first;
      std::optional<double> ms = do_embedded ? TimeEmbedded(brokers) : TimeProcess(binary, brokers);
      if (!ms) return 1;
      (do_embedded ? embedded : process).push_back(*ms);
    }
  }
  const Summary e = Summarize(embedded);
  const Summary p = Summarize(process);
  std::printf("broker startup, %d broker(s), %d runs each, interleaved\n", brokers, runs);
  std::printf("  %-58s median %8.3f ms   p90 %8.3f ms\n", "EmbeddedCluster::Start -> connect to bootstrap port", e.median,
              e.p90);
  std::printf("  %-58s median %8.3f ms   p90 %8.3f ms\n", "kclient-broker spawn -> bootstrap.servers line", p.median,
              p.p90);
  return 0;
}
