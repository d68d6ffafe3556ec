// ReadWithLibrdkafka: every record of a topic-partition as librdkafka's consumer (a client we did
// not write) decodes it, for tests that want a second witness of what kclient produced. It asks
// the partition's watermarks first and reads from the low one up to the high one, so a duplicate
// shows up as an extra record and a loss as a missing one.
// Thread-safety: none needed; each call makes its own librdkafka handle.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kclient/record.h"
#include "kclient/result.h"

namespace kclient::testing {

struct PeerRecord {
  int64_t offset = -1;
  int64_t timestamp_ms = -1;
  bool create_time = false;  // the timestamp is the producer's (CreateTime), not LogAppendTime
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
};

inline Result<std::vector<PeerRecord>> ReadWithLibrdkafka(const std::string& bootstrap, const std::string& topic,
                                                          int32_t partition,
                                                          std::chrono::milliseconds timeout = std::chrono::seconds(60)) {
  struct Deleter {
    void operator()(rd_kafka_t* rk) const {
      rd_kafka_consumer_close(rk);
      rd_kafka_destroy(rk);
    }
  };
  char err[512];
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  // A group id is required even for assign(); nothing joins the group or commits.
  for (auto [k, v] : {std::pair{"bootstrap.servers", bootstrap.c_str()}, {"group.id", "kclient-witness"},
                      {"enable.auto.commit", "false"}, {"check.crcs", "true"}, {"fetch.wait.max.ms", "100"},
                      {"log_level", "3"}}) {
    if (rd_kafka_conf_set(conf, k, v, err, sizeof err) != RD_KAFKA_CONF_OK) {
      rd_kafka_conf_destroy(conf);
      return Status(ErrorCode::kLocalInvalidArgument, std::string(k) + ": " + err);
    }
  }
  std::unique_ptr<rd_kafka_t, Deleter> rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err));
  if (!rk) return Status(ErrorCode::kLocalInvalidArgument, std::string("rd_kafka_new: ") + err);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int64_t low = -1;
  int64_t high = -1;
  const auto ms = static_cast<int>(timeout.count());
  if (rd_kafka_resp_err_t e = rd_kafka_query_watermark_offsets(rk.get(), topic.c_str(), partition, &low, &high, ms);
      e != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(ErrorCode::kLocalTimedOut, std::string("watermarks: ") + rd_kafka_err2str(e));
  }
  std::vector<PeerRecord> out;
  if (high <= low) return out;

  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = low;
  const rd_kafka_resp_err_t assigned = rd_kafka_assign(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
    return Status(ErrorCode::kLocalInvalidArgument, std::string("assign: ") + rd_kafka_err2str(assigned));
  }
  int64_t next = low;
  while (next < high) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return Status(ErrorCode::kLocalTimedOut, "librdkafka read " + std::to_string(out.size()) + " of " +
                                                   std::to_string(high - low) + " records of " + topic);
    }
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk.get(), 100);
    if (m == nullptr) continue;
    std::unique_ptr<rd_kafka_message_t, void (*)(rd_kafka_message_t*)> owned(m, rd_kafka_message_destroy);
    if (m->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) continue;
    if (m->err != RD_KAFKA_RESP_ERR_NO_ERROR) {
      return Status(ErrorCode::kLocalMalformed, std::string("librdkafka: ") + rd_kafka_message_errstr(m));
    }
    PeerRecord r;
    r.offset = m->offset;
    if (m->key != nullptr) r.key.emplace(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) r.value.emplace(static_cast<const char*>(m->payload), m->len);
    rd_kafka_timestamp_type_t type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
    r.timestamp_ms = rd_kafka_message_timestamp(m, &type);
    r.create_time = type == RD_KAFKA_TIMESTAMP_CREATE_TIME;
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
        Header h{name, std::nullopt};
        if (value != nullptr) h.value.emplace(static_cast<const char*>(value), size);
        r.headers.push_back(std::move(h));
      }
    }
    next = r.offset + 1;
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace kclient::testing
