// ExampleCluster: where an example finds its Kafka cluster. `--bootstrap host:port` names one;
// without it, a cluster of the bundled broker starts inside the process (EmbeddedCluster) with
// the topics the example needs, so every example runs with no setup at all.
//
// Thread-safety: created once in main; keep it alive while clients use the cluster.
#pragma once

#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "kclient/embedded_cluster.h"

namespace examples {

class ExampleCluster {
 public:
  // Parses argv (only `--bootstrap host:port` is accepted). Without it, starts a cluster with
  // `options` and creates `topics` (name -> partitions, replicated on every broker). Prints the
  // reason and returns nullptr on bad usage or failure; *exit_code says how to exit then.
  static std::unique_ptr<ExampleCluster> Start(int argc, char** argv, const std::map<std::string, int>& topics,
                                               int* exit_code, kclient::EmbeddedClusterOptions options = {}) {
    auto self = std::unique_ptr<ExampleCluster>(new ExampleCluster);
    for (int i = 1; i < argc; ++i) {
      if (std::string_view(argv[i]) == "--bootstrap" && i + 1 < argc) {
        self->bootstrap_ = argv[++i];
      } else {
        std::fprintf(stderr, "usage: %s [--bootstrap host:port]\n", argv[0]);
        *exit_code = 2;
        return nullptr;
      }
    }
    if (!self->bootstrap_.empty()) return self;
    auto started = kclient::EmbeddedCluster::Start(options);
    if (!started.ok()) {
      std::fprintf(stderr, "cannot start the embedded cluster: %s\n", started.status().ToString().c_str());
      *exit_code = 1;
      return nullptr;
    }
    self->cluster_ = std::move(*started);
    for (const auto& [topic, partitions] : topics) {
      const auto replicas = static_cast<int16_t>(options.brokers);
      if (kclient::Status s = self->cluster_->CreateTopic(topic, partitions, replicas); !s.ok()) {
        std::fprintf(stderr, "cannot create %s: %s\n", topic.c_str(), s.ToString().c_str());
        *exit_code = 1;
        return nullptr;
      }
    }
    self->bootstrap_ = self->cluster_->bootstrap_servers();
    return self;
  }

  const std::string& bootstrap() const { return bootstrap_; }
  // Whether the cluster runs in this process (no --bootstrap).
  bool embedded() const { return cluster_ != nullptr; }
  // The in-process cluster (to stop and start brokers), or nullptr with --bootstrap.
  kclient::EmbeddedCluster* cluster() const { return cluster_.get(); }

 private:
  ExampleCluster() = default;
  std::unique_ptr<kclient::EmbeddedCluster> cluster_;
  std::string bootstrap_;
};

}  // namespace examples
