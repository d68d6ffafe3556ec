// The `kclient` command-line tool's subcommands. Each Add*Command registers a CLI11 subcommand
// whose callback runs it and stores the process exit code in *exit_code (0 success, 1 a Kafka or
// local error, already explained on stderr).
// Thread-safety: single-threaded, as a CLI is.
#pragma once

#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "kclient/properties.h"

namespace kclient::tool {

// Options every subcommand shares: where the cluster is, and extra Kafka properties.
struct CommonOptions {
  std::string bootstrap;
  std::vector<std::string> properties;  // "-X key=value"

  // bootstrap.servers plus every -X; an error message for a malformed -X.
  bool ToProperties(Properties* out, std::string* error) const;
};

void AddCommonOptions(CLI::App* command, CommonOptions* options);

void AddProduceCommand(CLI::App& app, int* exit_code);
void AddConsumeCommand(CLI::App& app, int* exit_code);
void AddDltCommand(CLI::App& app, int* exit_code);
void AddGroupsCommand(CLI::App& app, int* exit_code);
void AddTopicsCommand(CLI::App& app, int* exit_code);

}  // namespace kclient::tool
