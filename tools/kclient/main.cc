// kclient: a command-line tool for Kafka clusters, in the spirit of Kafka's console tools and
// kcat, built on the kclient library.
//
//   kclient produce -b HOST:PORT -t TOPIC [-K SEP] [-H k=v] [-p N] [--acks all] [-z lz4]  < records
//   kclient consume -b HOST:PORT -t TOPIC [-g GROUP | -p N...] [-o beginning|end|N] [-c N] [-e] [-f FMT]
//   kclient topics create|delete|list|describe -b HOST:PORT ...
//   kclient groups list|describe -b HOST:PORT [GROUP...]
//   kclient dlt replay -b HOST:PORT -t TOPIC-dlt [-g GROUP] [--original-topic T] [--dry-run]
//
// Exit status: 0 on success, 1 when Kafka or the client reported an error (explained on stderr),
// 2 for bad usage.
#include <cstdio>

#include <CLI/CLI.hpp>

#include "commands.h"

namespace kclient::tool {

bool CommonOptions::ToProperties(Properties* out, std::string* error) const {
  (*out)["bootstrap.servers"] = bootstrap;
  for (const std::string& p : properties) {
    const auto eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      *error = "-X wants key=value, got '" + p + "'";
      return false;
    }
    (*out)[p.substr(0, eq)] = p.substr(eq + 1);
  }
  return true;
}

void AddCommonOptions(CLI::App* command, CommonOptions* options) {
  command->add_option("-b,--bootstrap-server", options->bootstrap, "bootstrap.servers: host:port[,host:port...]")
      ->required();
  command->add_option("-X,--property", options->properties, "a Kafka client property, key=value (repeatable)");
}

}  // namespace kclient::tool

int main(int argc, char** argv) {
  CLI::App app{"kclient: produce, consume, and manage topics and consumer groups on a Kafka cluster"};
  app.require_subcommand(1);
  int code = 0;
  kclient::tool::AddProduceCommand(app, &code);
  kclient::tool::AddConsumeCommand(app, &code);
  kclient::tool::AddTopicsCommand(app, &code);
  kclient::tool::AddGroupsCommand(app, &code);
  kclient::tool::AddDltCommand(app, &code);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  return code;
}
