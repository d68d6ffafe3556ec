#include "broker/faults.h"

namespace kclient::broker {

Result<std::pair<uint64_t, std::shared_ptr<std::atomic<int>>>> Faults::Add(const Fault& fault) {
  if (fault.count == 0 || fault.count < -1) return Status(ErrorCode::kLocalInvalidArgument, "fault count must be -1 or positive");
  if (fault.kind == Fault::Kind::kError && fault.error == ErrorCode::kNone) {
    return Status(ErrorCode::kLocalInvalidArgument, "an error fault needs an error code");
  }
  if (fault.kind == Fault::Kind::kLatency && fault.latency_ms <= 0) {
    return Status(ErrorCode::kLocalInvalidArgument, "a latency fault needs latency_ms > 0");
  }
  Armed a{next_id_++, fault, std::make_shared<std::atomic<int>>(0)};
  armed_.push_back(a);
  return std::make_pair(a.id, a.fired);
}

void Faults::Remove(uint64_t id) {
  std::erase_if(armed_, [id](const Armed& a) { return a.id == id; });
}

std::optional<Fault> Faults::Take(int16_t api_key, int32_t broker_id, std::string_view topic, int32_t partition,
                                  bool want_error) {
  for (auto it = armed_.begin(); it != armed_.end(); ++it) {
    const Fault& f = it->fault;
    if ((f.kind == Fault::Kind::kError) != want_error) continue;
    if (f.api_key != api_key) continue;
    if (f.broker_id != -1 && f.broker_id != broker_id) continue;
    if (!f.topic.empty() && f.topic != topic) continue;
    if (f.partition != -1 && f.partition != partition) continue;
    Fault taken = f;
    it->fired->fetch_add(1);
    if (it->fault.count > 0 && --it->fault.count == 0) armed_.erase(it);
    return taken;
  }
  return std::nullopt;
}

std::optional<Fault> Faults::TakeRequestFault(int16_t api_key, int32_t broker_id) {
  return Take(api_key, broker_id, {}, -1, /*want_error=*/false);
}

std::optional<ErrorCode> Faults::TakeError(int16_t api_key, int32_t broker_id, std::string_view topic,
                                           int32_t partition) {
  auto f = Take(api_key, broker_id, topic, partition, /*want_error=*/true);
  if (!f) return std::nullopt;
  return f->error;
}

}  // namespace kclient::broker
