// kclient dlt: records parked on dead-letter topics by listener containers.
//
//   kclient dlt replay -b B -t orders-dlt [-g GROUP] [--original-topic T] [--error-class C] [--dry-run]
//
// Sends each record of the dead-letter topic (up to its end as of now) back to its original
// topic, without the container's headers, and prints the counts. With -g, a later replay with the
// same group starts where this one stopped.
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "commands.h"
#include "kclient/container/dead_letter.h"
#include "kclient/container/dead_letter_replay.h"

namespace kclient::tool {
namespace {

struct ReplayCommandOptions {
  CommonOptions common;
  std::string topic;
  std::string group;
  std::string original_topic;
  std::string error_class;
  bool dry_run = false;
  int timeout_s = 60;
};

bool HeaderIs(const ConsumerRecord& record, std::string_view key, const std::string& wanted) {
  for (const HeaderView& h : record.headers) {
    if (h.key == key && h.value && *h.value == wanted) return true;
  }
  return false;
}

int RunReplay(const ReplayCommandOptions& o) {
  container::ReplayOptions options;
  std::string error;
  if (!o.common.ToProperties(&options.properties, &error)) {
    std::fprintf(stderr, "kclient dlt replay: %s\n", error.c_str());
    return 2;
  }
  options.dead_letter_topic = o.topic;
  options.group_id = o.group;
  options.dry_run = o.dry_run;
  options.timeout = std::chrono::seconds(o.timeout_s);
  if (!o.original_topic.empty() || !o.error_class.empty()) {
    options.filter = [o](const ConsumerRecord& r) {
      return (o.original_topic.empty() || HeaderIs(r, container::kDltOriginalTopic, o.original_topic)) &&
             (o.error_class.empty() || HeaderIs(r, container::kDltErrorClass, o.error_class));
    };
  }
  auto report = container::ReplayDeadLetters(options);
  if (!report.ok()) {
    std::fprintf(stderr, "kclient dlt replay: %s\n", report.status().ToString().c_str());
    return 1;
  }
  std::printf("read %lld, %s %lld, filtered out %lld, without an original topic %lld\n",
              static_cast<long long>(report->read), o.dry_run ? "would replay" : "replayed",
              static_cast<long long>(report->replayed), static_cast<long long>(report->filtered),
              static_cast<long long>(report->unroutable));
  return 0;
}

}  // namespace

void AddDltCommand(CLI::App& app, int* exit_code) {
  CLI::App* dlt = app.add_subcommand("dlt", "dead-letter topics written by listener containers");
  dlt->require_subcommand(1);
  auto options = std::make_shared<ReplayCommandOptions>();
  CLI::App* replay = dlt->add_subcommand("replay", "send dead letters back to their original topics");
  AddCommonOptions(replay, &options->common);
  replay->add_option("-t,--topic", options->topic, "the dead-letter topic")->required();
  replay->add_option("-g,--group", options->group, "remember progress in this consumer group");
  replay->add_option("--original-topic", options->original_topic, "only records that came from this topic");
  replay->add_option("--error-class", options->error_class, "only records that failed with this error class");
  replay->add_flag("--dry-run", options->dry_run, "count what would be replayed, send nothing");
  replay->add_option("--timeout", options->timeout_s, "seconds the whole replay may take (default 60)");
  replay->callback([options, exit_code] { *exit_code = RunReplay(*options); });
}

}  // namespace kclient::tool
