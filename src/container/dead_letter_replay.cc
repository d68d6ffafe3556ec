// ReplayDeadLetters: reads a dead-letter topic up to its end as of the start and sends each
// chosen record back to its original topic, without the container's headers.
#include "kclient/container/dead_letter_replay.h"

#include <map>
#include <memory>
#include <vector>

#include "container/record_headers.h"
#include "kclient/consumer.h"
#include "kclient/container/dead_letter.h"
#include "kclient/producer.h"

namespace kclient::container {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::milliseconds Left(Clock::time_point deadline) {
  return std::max(std::chrono::milliseconds(1),
                  std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()));
}

ProducerRecord Restored(const ConsumerRecord& record, std::string topic) {
  ProducerRecord out;
  out.topic = std::move(topic);
  if (record.key) out.key = std::string(*record.key);
  if (record.value) out.value = std::string(*record.value);
  for (const HeaderView& h : record.headers) {
    if (IsContainerHeader(h.key)) continue;
    out.headers.push_back(Header{std::string(h.key), h.value ? std::optional<std::string>(*h.value) : std::nullopt});
  }
  return out;
}

}  // namespace

Result<ReplayReport> ReplayDeadLetters(const ReplayOptions& options) {
  if (options.dead_letter_topic.empty()) {
    return Status(ErrorCode::kLocalInvalidArgument, "no dead-letter topic to replay");
  }
  const Clock::time_point deadline = Clock::now() + options.timeout;
  Properties consumer_properties = options.properties;
  consumer_properties["enable.auto.commit"] = "false";
  consumer_properties["auto.offset.reset"] = "earliest";
  consumer_properties["allow.auto.create.topics"] = "false";  // reading must never create the topic
  if (!options.group_id.empty()) consumer_properties["group.id"] = options.group_id;
  auto consumer = Consumer::Create(consumer_properties);
  if (!consumer.ok()) return consumer.status();
  std::unique_ptr<Producer> producer;
  if (!options.dry_run) {
    auto created = Producer::Create(options.properties);
    if (!created.ok()) return created.status();
    producer = std::move(*created);
  }

  auto partitions = (*consumer)->PartitionsFor(options.dead_letter_topic, Left(deadline));
  if (!partitions.ok()) return partitions.status().WithContext(options.dead_letter_topic);
  std::vector<TopicPartition> assigned;
  for (int32_t p : *partitions) assigned.push_back({options.dead_letter_topic, p});
  if (Status s = (*consumer)->Assign(assigned); !s.ok()) return s;
  auto ends = (*consumer)->EndOffsets(assigned, Left(deadline));
  if (!ends.ok()) return ends.status();

  // Partitions still to read up to their end as of now.
  std::map<TopicPartition, int64_t> remaining;
  for (const TopicPartition& tp : assigned) {
    auto position = (*consumer)->Position(tp, Left(deadline));
    if (!position.ok()) return position.status();
    if (*position < ends->at(tp)) remaining[tp] = ends->at(tp);
  }
  std::vector<TopicPartition> done;
  for (const auto& tp : assigned) {
    if (remaining.count(tp) == 0) done.push_back(tp);
  }
  if (!done.empty()) (void)(*consumer)->Pause(done);

  ReplayReport report;
  OffsetMap progress;
  while (!remaining.empty()) {
    if (Clock::now() >= deadline) {
      return Status(ErrorCode::kLocalTimedOut, "the end of " + options.dead_letter_topic + " was not reached in time");
    }
    auto records = (*consumer)->Poll(std::min(Left(deadline), std::chrono::milliseconds(500)));
    if (!records.ok()) return records.status();
    for (const ConsumerRecord& record : *records) {
      const TopicPartition tp = record.topic_partition();
      auto end = remaining.find(tp);
      if (end == remaining.end() || record.offset >= end->second) continue;
      ++report.read;
      progress[tp] = OffsetAndMetadata{record.offset + 1, "", -1};
      if (record.offset + 1 >= end->second) {
        remaining.erase(end);
        (void)(*consumer)->Pause({tp});
      }
      auto original = FindHeader(record, kDltOriginalTopic);
      if (!original || original->empty()) {
        ++report.unroutable;
        continue;
      }
      if (options.filter && !options.filter(record)) {
        ++report.filtered;
        continue;
      }
      ++report.replayed;
      if (options.dry_run) continue;
      auto sent = producer->SendSync(Restored(record, std::string(*original)));
      if (!sent.ok()) return sent.status().WithContext("replaying to " + std::string(*original));
    }
  }
  if (!options.group_id.empty() && !options.dry_run && !progress.empty()) {
    if (Status s = (*consumer)->CommitSync(progress, Left(deadline)); !s.ok()) return s;
  }
  (void)(*consumer)->Close(Left(deadline));
  if (producer) (void)producer->Close(Left(deadline));
  return report;
}

}  // namespace kclient::container
