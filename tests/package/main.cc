// Uses only installed public headers: starts an embedded broker and checks a Status round trip.
#include <cstdio>

#include <kclient/embedded_cluster.h>
#include <kclient/status.h>

int main() {
  kclient::Status s(kclient::ErrorCode::kNotLeaderOrFollower, "moved");
  if (!s.retriable()) return 1;
  auto cluster = kclient::EmbeddedCluster::Start();
  if (!cluster.ok()) {
    std::fprintf(stderr, "%s\n", cluster.status().ToString().c_str());
    return 1;
  }
  std::printf("installed kclient works; broker at %s\n", (*cluster)->bootstrap_servers().c_str());
  return 0;
}
