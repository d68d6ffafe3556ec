// kclient produce: reads records from stdin, one per line, and produces them.
//
//   -K SEP      each line is KEY SEP VALUE (lines without SEP: null key, the line is the value)
//   -H k=v      a header on every record (repeatable)
//   -p N        every record to partition N (default: the partitioner chooses)
//   --acks, -z/--compression, --compression-level, -X key=value: producer settings
//
// Prints a summary on stderr: records produced, per partition, and every failure. Exits 1 if any
// record failed.
#include <cstdio>
#include <iostream>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "commands.h"
#include "kclient/producer.h"

namespace kclient::tool {
namespace {

struct ProduceOptions {
  CommonOptions common;
  std::string topic;
  std::optional<std::string> key_separator;
  std::vector<std::string> headers;
  std::optional<int32_t> partition;
  std::optional<std::string> acks;
  std::optional<std::string> compression;
  std::optional<int> compression_level;
};

// What the delivery callbacks report (they run on the producer's sender thread).
struct Tally {
  std::mutex mu;
  long produced = 0;
  std::map<int32_t, long> per_partition;
  std::map<std::string, long> failures;  // error -> count
};

int RunProduce(const ProduceOptions& o) {
  Properties props;
  std::string error;
  if (!o.common.ToProperties(&props, &error)) {
    std::fprintf(stderr, "kclient produce: %s\n", error.c_str());
    return 2;
  }
  if (o.acks) props["acks"] = *o.acks;
  if (o.compression) props["compression.type"] = *o.compression;
  if (o.compression_level) props["compression.level"] = std::to_string(*o.compression_level);
  auto producer = Producer::Create(props);
  if (!producer.ok()) {
    std::fprintf(stderr, "kclient produce: %s\n", producer.status().ToString().c_str());
    return 1;
  }
  std::vector<Header> headers;
  for (const std::string& h : o.headers) {
    const auto eq = h.find('=');
    if (eq == std::string::npos) {
      std::fprintf(stderr, "kclient produce: -H wants key=value, got '%s'\n", h.c_str());
      return 2;
    }
    headers.push_back({h.substr(0, eq), h.substr(eq + 1)});
  }

  Tally tally;
  auto on_delivery = [&tally](const Result<RecordMetadata>& r) {
    std::lock_guard lock(tally.mu);
    if (r.ok()) {
      ++tally.produced;
      ++tally.per_partition[r->partition];
    } else {
      ++tally.failures[r.status().ToString()];
    }
  };
  ProducerRecord record;
  record.topic = o.topic;
  record.partition = o.partition;
  record.headers = headers;
  long lines = 0;
  std::string line;
  while (std::getline(std::cin, line)) {
    ++lines;
    record.key.reset();
    if (o.key_separator && !o.key_separator->empty()) {
      const auto at = line.find(*o.key_separator);
      if (at != std::string::npos) {
        record.key = line.substr(0, at);
        line.erase(0, at + o.key_separator->size());
      }
    }
    record.value = std::move(line);
    (*producer)->Produce(record, on_delivery);
  }
  Status flushed = (*producer)->Flush();
  Status closed = (*producer)->Close(std::chrono::seconds(30));

  std::lock_guard lock(tally.mu);
  std::fprintf(stderr, "kclient produce: %ld of %ld record(s) produced to %s", tally.produced, lines, o.topic.c_str());
  const char* sep = " (partition ";
  for (const auto& [p, n] : tally.per_partition) {
    std::fprintf(stderr, "%s%d: %ld", sep, p, n);
    sep = ", ";
  }
  std::fprintf(stderr, "%s\n", tally.per_partition.empty() ? "" : ")");
  for (const auto& [why, n] : tally.failures) std::fprintf(stderr, "  %ld failed: %s\n", n, why.c_str());
  if (!flushed.ok()) std::fprintf(stderr, "  flush: %s\n", flushed.ToString().c_str());
  if (!closed.ok()) std::fprintf(stderr, "  close: %s\n", closed.ToString().c_str());
  return tally.failures.empty() && tally.produced == lines ? 0 : 1;
}

}  // namespace

void AddProduceCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ProduceOptions>();
  CLI::App* cmd = app.add_subcommand("produce", "produce records read from stdin, one per line");
  AddCommonOptions(cmd, &options->common);
  cmd->add_option("-t,--topic", options->topic, "topic to produce to")->required();
  cmd->add_option("-K,--key-separator", options->key_separator, "split each line into KEY SEP VALUE");
  cmd->add_option("-H,--header", options->headers, "header key=value on every record (repeatable)");
  cmd->add_option("-p,--partition", options->partition, "partition for every record (default: partitioner)");
  cmd->add_option("--acks", options->acks, "acks: all, 1 or 0 (default all)");
  cmd->add_option("-z,--compression", options->compression, "none, gzip, snappy, lz4 or zstd");
  cmd->add_option("--compression-level", options->compression_level, "codec level (default: the codec's)");
  cmd->callback([options, exit_code] { *exit_code = RunProduce(*options); });
}

}  // namespace kclient::tool
