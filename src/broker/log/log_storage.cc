#include "broker/log/log_storage.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <limits>
#include <string_view>

#include <nlohmann/json.hpp>

#include "broker/log/segment_files.h"
#include "broker/topics.h"
#include "protocol/record_batch.h"
#include "util/byte_buffer.h"
#include "util/endian.h"

namespace kclient::broker {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr int kTopicsFileVersion = 1;

int64_t ConfigLong(const TopicState& topic, const char* key, int64_t fallback) {
  auto it = topic.configs.find(key);
  if (it == topic.configs.end()) return fallback;
  std::string_view s = it->second;
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return ec == std::errc() && end == s.data() + s.size() ? v : fallback;
}

bool ListHas(std::string_view list, std::string_view value) {
  while (true) {
    const size_t comma = list.find(',');
    std::string_view item = list.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item == value) return true;
    if (comma == std::string_view::npos) return false;
    list.remove_prefix(comma + 1);
  }
}

// The partition leader epoch stamped on the log's last batch, or -1.
int32_t LastBatchEpoch(const PartitionLog& log) {
  if (log.batches().empty()) return -1;
  const PartitionLog::BatchEntry& e = log.batches().back();
  std::span<const uint8_t> bytes = log.Read(e.base_offset, 0, /*at_least_one=*/true, std::numeric_limits<int64_t>::max());
  if (bytes.size() < protocol::kPartitionLeaderEpochOffset + 4) return -1;
  return static_cast<int32_t>(util::LoadBE32(bytes.data() + protocol::kPartitionLeaderEpochOffset));
}

void Mix(uint64_t* h, std::string_view bytes) {
  for (char c : bytes) *h = (*h ^ static_cast<uint8_t>(c)) * 1099511628211ULL;
  *h = (*h ^ 0xff) * 1099511628211ULL;  // separator
}
void Mix(uint64_t* h, uint64_t v) { Mix(h, std::string_view(reinterpret_cast<const char*>(&v), sizeof v)); }

}  // namespace

LogStorage::LogStorage(const ClusterConfig& config, Logger log) : config_(config), log_(std::move(log)) {}

LogStorage::~LogStorage() {
  if (timer_ != 0 && loop_ != nullptr) loop_->CancelTimer(timer_);
}

std::string LogStorage::PartitionDir(const std::string& topic, int32_t partition) const {
  return config_.data_dir + "/" + topic + "-" + std::to_string(partition);
}

LogStorage::TopicLogConfig LogStorage::ConfigFor(const TopicState& topic) const {
  TopicLogConfig c;
  c.segment_bytes = std::clamp<int64_t>(ConfigLong(topic, "segment.bytes", config_.log_segment_bytes), 1,
                                        std::numeric_limits<int32_t>::max());
  c.retention_ms = ConfigLong(topic, "retention.ms", config_.log_retention_ms);
  c.retention_bytes = ConfigLong(topic, "retention.bytes", config_.log_retention_bytes);
  c.flush_messages = ConfigLong(topic, "flush.messages", 0);
  auto policy = topic.configs.find("cleanup.policy");
  c.delete_policy = policy == topic.configs.end() || ListHas(policy->second, "delete");
  return c;
}

Status LogStorage::InitPartition(const TopicState& topic, PartitionState* p) {
  const TopicLogConfig c = ConfigFor(topic);
  p->log.set_segment_bytes(static_cast<size_t>(c.segment_bytes));
  if (!durable()) return Status();
  const std::string dir = PartitionDir(topic.name, p->index);
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    // Left by a deleted topic of the same name whose removal did not finish.
    log_(dir + ": removing the leftovers of an earlier topic " + topic.name);
    fs::remove_all(dir, ec);
  }
  if (!fs::create_directories(dir, ec) && ec) {
    return Status(ErrorCode::kKafkaStorageError, "cannot create " + dir + ": " + ec.message());
  }
  if (Status s = p->log.OpenDurable(dir, log_); !s.ok()) return s;
  p->log.set_flush_interval_messages(c.flush_messages);
  return Status();
}

void LogStorage::RemovePartitionDirs(const std::string& topic, int32_t first, int32_t end) {
  if (!durable()) return;
  for (int32_t i = first; i < end; ++i) {
    std::error_code ec;
    const std::string dir = PartitionDir(topic, i);
    fs::remove_all(dir, ec);
    if (ec) log_("cannot delete " + dir + ": " + ec.message());
  }
}

uint64_t LogStorage::Fingerprint(TopicRegistry& topics) const {
  uint64_t h = 14695981039346656037ULL;
  Mix(&h, topics.id_seed());
  for (auto& [name, t] : topics.all()) {
    Mix(&h, name);
    Mix(&h, t->id.high);
    Mix(&h, t->id.low);
    for (const auto& [k, v] : t->configs) {
      Mix(&h, k);
      Mix(&h, v);
    }
    for (const auto& p : t->partitions) {
      Mix(&h, static_cast<uint64_t>(p->leader_epoch));
      for (int32_t r : p->replicas) Mix(&h, static_cast<uint64_t>(r));
    }
  }
  return h;
}

Status LogStorage::Save(TopicRegistry& topics) {
  if (!durable()) return Status();
  json doc;
  doc["version"] = kTopicsFileVersion;
  doc["next_topic_id_seed"] = topics.id_seed();
  json list = json::array();
  for (auto& [name, t] : topics.all()) {
    json partitions = json::array();
    for (const auto& p : t->partitions) {
      partitions.push_back({{"partition", p->index}, {"replicas", p->replicas}, {"leader_epoch", p->leader_epoch}});
    }
    list.push_back({{"name", name},
                    {"id", t->id.ToString()},
                    {"internal", t->internal},
                    {"configs", t->configs},
                    {"partitions", std::move(partitions)}});
  }
  doc["topics"] = std::move(list);
  Status s = SegmentFiles::WriteFileAtomically(config_.data_dir + "/" + kTopicsFile, doc.dump(2) + "\n");
  if (s.ok()) saved_fingerprint_ = Fingerprint(topics);
  return s;
}

Status LogStorage::Open(TopicRegistry* topics, const std::vector<int32_t>& broker_ids, EventLoop* loop,
                        std::function<int64_t()> now_ms) {
  topics_ = topics;
  loop_ = loop;
  now_ms_ = std::move(now_ms);
  if (durable()) {
    std::error_code ec;
    fs::create_directories(config_.data_dir, ec);
    if (ec) return Status(ErrorCode::kKafkaStorageError, "cannot create " + config_.data_dir + ": " + ec.message());
    const std::string path = config_.data_dir + "/" + kTopicsFile;
    if (fs::exists(path, ec)) {
      auto bad = [&](const std::string& why) { return Status(ErrorCode::kKafkaStorageError, path + ": " + why); };
      util::ByteBuffer text;
      {
        std::FILE* f = std::fopen(path.c_str(), "rb");
        if (f == nullptr) return bad("cannot open");
        char buf[65536];
        size_t n;
        while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.Append(buf, n);
        std::fclose(f);
      }
      json doc = json::parse(text.view(), nullptr, /*allow_exceptions=*/false);
      if (doc.is_discarded() || !doc.is_object()) return bad("not valid JSON");
      if (doc.value("version", 0) != kTopicsFileVersion) return bad("unknown version");
      try {
        topics->set_id_seed(doc.at("next_topic_id_seed").get<uint64_t>());
        int partitions_loaded = 0;
        for (const json& jt : doc.at("topics")) {
          auto t = std::make_unique<TopicState>();
          t->name = jt.at("name").get<std::string>();
          if (Status s = TopicRegistry::ValidateName(t->name); !s.ok()) return bad("topic name: " + s.ToString());
          auto id = Uuid::Parse(jt.at("id").get<std::string>());
          if (!id) return bad("topic " + t->name + " has an invalid id");
          t->id = *id;
          t->internal = jt.value("internal", false);
          t->configs = jt.value("configs", std::map<std::string, std::string>{});
          if (topics->Find(t->name) != nullptr) {
            log_(path + ": topic " + t->name + " already exists; keeping the newer one");
            continue;
          }
          for (const json& jp : jt.at("partitions")) {
            auto p = std::make_unique<PartitionState>();
            p->index = static_cast<int32_t>(t->partitions.size());
            p->replicas = jp.at("replicas").get<std::vector<int32_t>>();
            for (int32_t r : p->replicas) {
              if (std::find(broker_ids.begin(), broker_ids.end(), r) != broker_ids.end()) p->isr.push_back(r);
            }
            p->leader = p->isr.empty() ? -1 : p->isr.front();
            const TopicLogConfig c = ConfigFor(*t);
            p->log.set_segment_bytes(static_cast<size_t>(c.segment_bytes));
            const std::string dir = PartitionDir(t->name, p->index);
            if (!fs::exists(dir, ec)) log_(dir + ": missing; the partition starts empty");
            fs::create_directories(dir, ec);
            if (ec) return bad("cannot create " + dir + ": " + ec.message());
            if (Status s = p->log.OpenDurable(dir, log_); !s.ok()) return s;
            p->log.set_flush_interval_messages(c.flush_messages);
            p->leader_epoch = std::max(jp.value("leader_epoch", 0), LastBatchEpoch(p->log)) + 1;
            t->partitions.push_back(std::move(p));
            ++partitions_loaded;
          }
          if (t->partitions.empty()) return bad("topic " + t->name + " has no partitions");
          topics->Adopt(std::move(t));
        }
        log_("loaded " + std::to_string(topics->all().size()) + " topics (" + std::to_string(partitions_loaded) +
             " partitions) from " + config_.data_dir);
      } catch (const json::exception& e) {
        return bad(e.what());
      }
    }
    // The new leader epochs are worth keeping at once.
    if (Status s = Save(*topics); !s.ok()) return s;
  }
  ScheduleTick();
  return Status();
}

void LogStorage::ScheduleTick() {
  if (loop_ == nullptr) return;
  timer_ = loop_->AddTimer(std::chrono::milliseconds(config_.log_retention_check_interval_ms), [this] {
    timer_ = 0;
    Tick(topics_, now_ms_());
    ScheduleTick();
  });
}

void LogStorage::Close(TopicRegistry* topics) {
  if (timer_ != 0 && loop_ != nullptr) loop_->CancelTimer(timer_);
  timer_ = 0;
  loop_ = nullptr;  // no more ticks
  if (!durable() || topics == nullptr) return;
  for (auto& [name, t] : topics->all()) {
    for (auto& p : t->partitions) {
      if (Status s = p->log.Flush(/*sync=*/true); !s.ok()) log_("flushing " + name + ": " + s.ToString());
    }
  }
  if (Fingerprint(*topics) != saved_fingerprint_) {
    if (Status s = Save(*topics); !s.ok()) log_("saving topics: " + s.ToString());
  }
}

void LogStorage::Tick(TopicRegistry* topics, int64_t now_ms) {
  if (topics == nullptr) return;
  for (auto& [name, t] : topics->all()) {
    const TopicLogConfig c = ConfigFor(*t);
    for (auto& p : t->partitions) {
      PartitionLog& log = p->log;
      log.set_segment_bytes(static_cast<size_t>(c.segment_bytes));
      log.set_flush_interval_messages(c.flush_messages);
      if (c.delete_policy) {
        PartitionLog::RetentionResult r = log.DeleteOldSegments(now_ms, c.retention_ms, c.retention_bytes);
        if (r.segments > 0) {
          log_(name + "-" + std::to_string(p->index) + ": deleted " + std::to_string(r.segments) +
               (r.segments == 1 ? " segment (" : " segments (") +
               std::to_string(r.bytes) + " bytes) for " + r.reason + "; log start offset now " +
               std::to_string(log.log_start_offset()));
        }
      }
      if (Status s = log.Flush(/*sync=*/false); !s.ok()) log_(name + "-" + std::to_string(p->index) + ": " + s.ToString());
    }
  }
  if (durable() && Fingerprint(*topics) != saved_fingerprint_) {
    if (Status s = Save(*topics); !s.ok()) log_("saving topics: " + s.ToString());
  }
}

}  // namespace kclient::broker
