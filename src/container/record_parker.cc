#include "container/record_parker.h"

#include <chrono>
#include <string>

#include "container/record_headers.h"
#include "kclient/container/dead_letter.h"

namespace kclient::container {

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

Status ParkFailedRecord(const ContainerContext& context, const ConsumerRecord& record, const ListenerResult& result,
                        int32_t attempts, bool exhausted, double random01) {
  const ContainerOptions& options = context.options();
  const Failure failure{options.consumer.group_id, result.error_class(), result.message(), attempts};
  const std::string original_topic = OriginalTopic(record);
  ProducerRecord parked;
  if (options.retry_topics.enabled && !exhausted) {
    const int64_t delay = options.retry_topics.backoff.DelayMs(attempts - 1, random01);
    const auto partition = FindIntHeader(record, kDltOriginalPartition).value_or(record.partition);
    parked = ParkedCopy(record, options.retry_topics.RetryTopic(original_topic, attempts - 1),
                        static_cast<int32_t>(partition), failure, WallClockMs() + delay);
  } else if (!options.dead_letter_enabled) {
    return Status(ErrorCode::kLocalIllegalState,
                  "the record failed " + std::to_string(attempts) + " times and dead-lettering is off");
  } else {
    ConsumerRecord as_original = record;
    as_original.topic = original_topic;
    parked = ParkedCopy(record, options.dead_letter_topic(as_original), std::nullopt, failure, std::nullopt);
  }
  if (context.producer() == nullptr) return Status(ErrorCode::kLocalIllegalState, "no producer to park records");
  auto written = context.producer()->SendSync(parked);
  if (!written.ok()) return written.status().WithContext("writing to " + parked.topic);
  return Status();
}

}  // namespace kclient::container
