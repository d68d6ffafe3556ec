// kclient consume: prints records of a topic, one per line.
//
//   -g GROUP              consume as a member of GROUP (commits as it goes), else read the
//                         partitions directly (-p, default all)
//   -p N (repeatable)     only these partitions (no group)
//   -o beginning|end|N    where to start without a committed offset (N: an absolute offset, no
//                         group)
//   -c N                  stop after N records;  -e  stop when every partition is at its end
//   --idle-ms M           stop after M ms without a record
//   -f FORMAT             output: %t topic, %p partition, %o offset, %k key, %v value, %h headers,
//                         %T timestamp, \n \t (default "%v")
//   -X key=value          any consumer property
//
// Exits 0 when it stopped as asked, 1 on an error (printed on stderr).
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "commands.h"
#include "kclient/consumer.h"

namespace kclient::tool {
namespace {

struct ConsumeOptions {
  CommonOptions common;
  std::string topic;
  std::string group;
  std::vector<int32_t> partitions;
  std::string offset = "beginning";
  std::optional<long> count;
  bool exit_at_end = false;
  std::optional<int> idle_ms;
  std::string format = "%v";
};

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Format(const std::string& format, const ConsumerRecord& r) {
  std::string out;
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '\\' && i + 1 < format.size()) {
      const char n = format[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
      continue;
    }
    if (c != '%' || i + 1 == format.size()) {
      out += c;
      continue;
    }
    switch (format[++i]) {
      case 't': out += r.topic; break;
      case 'p': out += std::to_string(r.partition); break;
      case 'o': out += std::to_string(r.offset); break;
      case 'T': out += std::to_string(r.timestamp_ms); break;
      case 'k': out += r.key ? Escape(*r.key) : "(null)"; break;
      case 'v': out += r.value ? Escape(*r.value) : "(null)"; break;
      case 'h': {
        std::string h;
        for (const auto& hv : r.headers) {
          if (!h.empty()) h += ",";
          h += std::string(hv.key) + "=" + (hv.value ? std::string(*hv.value) : "(null)");
        }
        out += h;
        break;
      }
      case '%': out += '%'; break;
      default: out += '%'; out += format[i];
    }
  }
  return out;
}

Consumer* g_consumer = nullptr;  // for the signal handler: Wakeup is safe from any thread
void OnSignal(int) {
  if (g_consumer != nullptr) g_consumer->Wakeup();
}

int RunConsume(const ConsumeOptions& o) {
  Properties props;
  std::string error;
  if (!o.common.ToProperties(&props, &error)) {
    std::fprintf(stderr, "kclient consume: %s\n", error.c_str());
    return 2;
  }
  if (!o.group.empty()) props["group.id"] = o.group;
  const bool absolute = !o.offset.empty() && std::isdigit(static_cast<unsigned char>(o.offset[0]));
  if (!absolute) {
    if (o.offset != "beginning" && o.offset != "end") {
      std::fprintf(stderr, "kclient consume: -o wants beginning, end or an offset, got '%s'\n", o.offset.c_str());
      return 2;
    }
    props.emplace("auto.offset.reset", o.offset == "beginning" ? "earliest" : "latest");
  }
  auto created = Consumer::Create(props);
  if (!created.ok()) {
    std::fprintf(stderr, "kclient consume: %s\n", created.status().ToString().c_str());
    return 1;
  }
  Consumer& consumer = **created;

  std::vector<TopicPartition> assigned;
  if (o.group.empty()) {
    std::vector<int32_t> partitions = o.partitions;
    if (partitions.empty()) {
      auto all = consumer.PartitionsFor(o.topic, std::chrono::milliseconds(15000));
      if (!all.ok()) {
        std::fprintf(stderr, "kclient consume: %s\n", all.status().ToString().c_str());
        return 1;
      }
      partitions = std::move(*all);
    }
    for (int32_t p : partitions) assigned.push_back({o.topic, p});
    if (Status s = consumer.Assign(assigned); !s.ok()) {
      std::fprintf(stderr, "kclient consume: %s\n", s.ToString().c_str());
      return 1;
    }
    if (absolute) {
      for (const auto& tp : assigned) (void)consumer.Seek(tp, std::stoll(o.offset));
    }
  } else if (Status s = consumer.Subscribe({o.topic}); !s.ok()) {
    std::fprintf(stderr, "kclient consume: %s\n", s.ToString().c_str());
    return 1;
  }

  g_consumer = &consumer;
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  long consumed = 0;
  auto last_record = std::chrono::steady_clock::now();
  int code = 0;
  for (;;) {
    if (o.count && consumed >= *o.count) break;
    auto records = consumer.Poll(std::chrono::milliseconds(200));
    if (!records.ok()) {
      if (records.status().code() == ErrorCode::kLocalWakeup) break;
      std::fprintf(stderr, "kclient consume: %s\n", records.status().ToString().c_str());
      if (!records.status().retriable()) {
        code = 1;
        break;
      }
      continue;
    }
    std::set<TopicPartition> rewound;
    for (const ConsumerRecord& r : *records) {
      if (o.count && consumed >= *o.count) {
        // Not printed: move the position back to it, so that what Close commits for the group
        // covers exactly the records printed.
        if (rewound.insert(r.topic_partition()).second) (void)consumer.Seek(r.topic_partition(), r.offset);
        continue;
      }
      std::printf("%s\n", Format(o.format, r).c_str());
      ++consumed;
    }
    std::fflush(stdout);
    const auto now = std::chrono::steady_clock::now();
    // Idle time counts from when there is something to read: a group member waits for its
    // assignment first (a rebalance can take seconds).
    if (!records->empty() || consumer.Assignment().empty()) last_record = now;
    if (o.idle_ms && now - last_record >= std::chrono::milliseconds(*o.idle_ms)) break;
    if (o.exit_at_end && records->empty()) {
      const auto mine = consumer.Assignment();
      if (mine.empty()) continue;
      auto ends = consumer.EndOffsets(mine);
      if (!ends.ok()) continue;
      bool at_end = true;
      for (const auto& [tp, end] : *ends) {
        auto position = consumer.Position(tp);
        if (!position.ok() || *position < end) at_end = false;
      }
      if (at_end) break;
    }
  }
  g_consumer = nullptr;
  Status closed = consumer.Close();
  std::fprintf(stderr, "kclient consume: %ld record(s)\n", consumed);
  if (!closed.ok()) {
    std::fprintf(stderr, "kclient consume: close: %s\n", closed.ToString().c_str());
    code = 1;
  }
  return code;
}

}  // namespace

void AddConsumeCommand(CLI::App& app, int* exit_code) {
  auto options = std::make_shared<ConsumeOptions>();
  CLI::App* cmd = app.add_subcommand("consume", "print records of a topic, one per line");
  AddCommonOptions(cmd, &options->common);
  cmd->add_option("-t,--topic", options->topic, "topic to consume")->required();
  cmd->add_option("-g,--group", options->group, "consume as a member of this group");
  cmd->add_option("-p,--partition", options->partitions, "only these partitions (no group; repeatable)");
  cmd->add_option("-o,--offset", options->offset, "beginning, end, or an absolute offset (default beginning)");
  cmd->add_option("-c,--count", options->count, "stop after this many records");
  cmd->add_flag("-e,--exit-at-end", options->exit_at_end, "stop when every partition is read to its end");
  cmd->add_option("--idle-ms", options->idle_ms, "stop after this long without a record");
  cmd->add_option("-f,--format", options->format, "output format: %t %p %o %k %v %h %T (default %v)");
  cmd->callback([options, exit_code] { *exit_code = RunConsume(*options); });
}

}  // namespace kclient::tool
