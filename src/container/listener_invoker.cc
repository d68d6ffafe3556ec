#include "container/listener_invoker.h"

#include <exception>
#include <string>

namespace kclient::container {

template <typename Fn>
ListenerResult ListenerInvoker::Guarded(Fn&& call) const {
  const auto start = std::chrono::steady_clock::now();
  ListenerResult result;
  try {
    result = call();
  } catch (const std::exception& e) {
    result = ListenerResult::Retriable(e.what(), "ListenerException");
  } catch (...) {
    result = ListenerResult::Retriable("the listener threw something that is not a std::exception",
                                       "ListenerException");
  }
  const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
  if (deadline_.count() > 0 && took > deadline_) {
    return ListenerResult::Retriable("the listener took " + std::to_string(took.count()) + " ms, past its deadline of " +
                                         std::to_string(deadline_.count()) + " ms",
                                     "ListenerDeadlineExceeded");
  }
  return result;
}

ListenerResult ListenerInvoker::Call(const ConsumerRecord& record, const Acknowledgment& ack) const {
  return Guarded([&] { return record_(record, ack); });
}

ListenerResult ListenerInvoker::Call(std::span<const ConsumerRecord> records,
                                     std::span<const Acknowledgment> acks) const {
  return Guarded([&] { return batch_(records, acks); });
}

}  // namespace kclient::container
