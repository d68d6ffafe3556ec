#include "kclient/container/spool_replayer.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>

namespace kclient::container {
namespace {

// The cluster (or the producer) cannot take records now; any other error is the record's final
// answer, including those ShouldSpool keeps as dead letters (MESSAGE_TOO_LARGE...).
bool IsTransient(ErrorCode code) {
  return IsRetriable(code) || code == ErrorCode::kBrokerNotAvailable || code == ErrorCode::kLocalClosed;
}

// Outcomes reported by delivery callbacks (sender thread) to the replaying thread.
struct Mailbox {
  struct Outcome {
    size_t entry;
    Result<RecordMetadata> delivery;
  };
  std::mutex mu;
  std::condition_variable arrived;
  std::vector<Outcome> outcomes;  // GUARDED_BY(mu)
  // Set by a callback that saw a transient error, so that sending stops at once rather than
  // after every ready key has waited out max.block.ms for a cluster that is gone.
  std::atomic<bool> transient_seen{false};
};

// One pass over a batch of entries: per-key queues, at most one record of a key in flight.
class BatchReplay {
 public:
  BatchReplay(Spool& spool, Producer& producer, const ReplayOptions& options, std::vector<SpoolEntry> entries,
              ReplayReport* report)
      : spool_(spool), producer_(producer), options_(options), entries_(std::move(entries)), report_(report) {
    std::unordered_map<std::string, size_t> queue_of_key;
    queue_of_entry_.resize(entries_.size());
    for (size_t i = 0; i < entries_.size(); ++i) {
      const ProducerRecord& r = entries_[i].spooled.record;
      size_t queue = queues_.size();
      if (r.key) {
        // Topic names cannot hold '\0', so this joins (topic, key) unambiguously.
        auto [it, inserted] = queue_of_key.try_emplace(r.topic + '\0' + *r.key, queue);
        queue = it->second;
      }
      if (queue == queues_.size()) queues_.emplace_back();
      queues_[queue].push_back(i);
      queue_of_entry_[i] = queue;
    }
    for (const auto& q : queues_) ready_.insert(q.front());
  }

  // Ok when every entry was handled; else why the pass stopped.
  Status Run() {
    for (;;) {
      SendReady();
      if (in_flight_ == 0) break;
      std::vector<Mailbox::Outcome> outcomes;
      {
        std::unique_lock lock(mailbox_->mu);
        mailbox_->arrived.wait(lock, [&] { return !mailbox_->outcomes.empty(); });
        outcomes.swap(mailbox_->outcomes);
      }
      Handle(std::move(outcomes));
    }
    return stopped_by_;
  }

 private:
  void SendReady() {
    const size_t max_in_flight = std::max<size_t>(options_.max_in_flight, 1);
    while (stopped_by_.ok() && !mailbox_->transient_seen.load() && !ready_.empty() && in_flight_ < max_in_flight) {
      const size_t entry = *ready_.begin();
      ready_.erase(ready_.begin());
      ++in_flight_;
      // The producer may call back inline (a record refused before it is queued); the mailbox
      // takes that like any other outcome.
      producer_.Produce(entries_[entry].spooled.record, [mailbox = mailbox_, entry](const Result<RecordMetadata>& r) {
        if (!r.ok() && IsTransient(r.status().code())) mailbox->transient_seen.store(true);
        std::lock_guard lock(mailbox->mu);
        mailbox->outcomes.push_back({entry, r});
        mailbox->arrived.notify_one();
      });
    }
  }

  void Handle(std::vector<Mailbox::Outcome> outcomes) {
    std::vector<SpoolPosition> done;
    size_t delivered = 0;
    std::vector<Rejection> rejected;
    for (auto& outcome : outcomes) {
      --in_flight_;
      const SpoolEntry& entry = entries_[outcome.entry];
      if (!outcome.delivery.ok() && IsTransient(outcome.delivery.status().code())) {
        // The cluster is away again: this key stops here, and so does the pass.
        if (stopped_by_.ok()) {
          stopped_by_ =
              outcome.delivery.status().WithContext("replay stopped at a record of " + entry.spooled.record.topic);
        }
        continue;
      }
      if (outcome.delivery.ok()) {
        ++delivered;
      } else {
        rejected.push_back({entry, outcome.delivery.status()});
      }
      done.push_back(entry.position);
      std::deque<size_t>& queue = queues_[queue_of_entry_[outcome.entry]];
      queue.pop_front();
      if (!queue.empty()) ready_.insert(queue.front());
    }
    if (done.empty()) return;
    if (Status s = spool_.MarkDone(done); !s.ok()) {
      if (stopped_by_.ok()) stopped_by_ = s;
      return;
    }
    report_->replayed += delivered;
    for (auto& r : rejected) report_->rejections.push_back(std::move(r));
  }

  Spool& spool_;
  Producer& producer_;
  const ReplayOptions& options_;
  std::vector<SpoolEntry> entries_;
  ReplayReport* report_;
  std::vector<std::deque<size_t>> queues_;  // per (topic, key): entry indexes in spool order
  std::vector<size_t> queue_of_entry_;
  std::set<size_t> ready_;                  // queue heads not yet sent, lowest (oldest) first
  size_t in_flight_ = 0;
  Status stopped_by_;
  std::shared_ptr<Mailbox> mailbox_ = std::make_shared<Mailbox>();
};

}  // namespace

SpoolReplayer::SpoolReplayer(Spool& spool, Producer& producer, ReplayOptions options)
    : spool_(spool), producer_(producer), options_(options) {}

ReplayReport SpoolReplayer::Replay() {
  ReplayReport report;
  for (;;) {
    auto batch = spool_.ReadPending(options_.batch_entries == 0 ? 1 : options_.batch_entries);
    if (!batch.ok()) {
      report.stopped_by = batch.status();
      break;
    }
    if (batch->empty()) break;
    BatchReplay pass(spool_, producer_, options_, std::move(*batch), &report);
    if (Status s = pass.Run(); !s.ok()) {
      report.stopped_by = s;
      break;
    }
  }
  report.remaining = spool_.pending();
  return report;
}

}  // namespace kclient::container
