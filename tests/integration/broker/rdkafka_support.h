// librdkafka helpers for the broker's data-plane tests: a producer that records its delivery
// reports and a consumer that reads one partition from an assigned offset (no consumer group).
// Everything waits on conditions with deadlines; nothing sleeps.
//
// Thread-safety: each object belongs to the test thread that made it (librdkafka serves delivery
// reports inside Poll/Flush, on the calling thread).
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

namespace kclient::testing {

using Millis = std::chrono::milliseconds;
using SteadyClock = std::chrono::steady_clock;

struct RdKafkaDeleter {
  void operator()(rd_kafka_t* rk) const { rd_kafka_destroy(rk); }
};
using RdKafkaPtr = std::unique_ptr<rd_kafka_t, RdKafkaDeleter>;

using RdConfig = std::map<std::string, std::string>;

inline rd_kafka_conf_t* MakeConf(const RdConfig& settings) {
  rd_kafka_conf_t* conf = rd_kafka_conf_new();
  char err[512];
  for (const auto& [k, v] : settings) {
    EXPECT_EQ(rd_kafka_conf_set(conf, k.c_str(), v.c_str(), err, sizeof err), RD_KAFKA_CONF_OK) << k << ": " << err;
  }
  return conf;
}

struct Header {
  std::string name;
  std::optional<std::string> value;
  friend bool operator==(const Header&, const Header&) = default;
};

struct Message {
  std::string key;
  std::string value;
  std::vector<Header> headers;
  int64_t timestamp = 0;  // 0: let the producer stamp it
};

class Producer {
 public:
  struct Report {
    size_t index = 0;  // position in send order
    rd_kafka_resp_err_t err = RD_KAFKA_RESP_ERR_NO_ERROR;
    int64_t offset = -1;
    int32_t partition = -1;
    rd_kafka_msg_status_t status = RD_KAFKA_MSG_STATUS_NOT_PERSISTED;
  };

  // Null (with a test failure) when librdkafka rejects the configuration.
  static std::unique_ptr<Producer> Create(const std::string& bootstrap, RdConfig settings) {
    auto p = std::unique_ptr<Producer>(new Producer());
    settings.emplace("bootstrap.servers", bootstrap);
    settings.emplace("log_level", "4");
    rd_kafka_conf_t* conf = MakeConf(settings);
    rd_kafka_conf_set_opaque(conf, p.get());
    rd_kafka_conf_set_dr_msg_cb(conf, &Producer::OnDelivery);
    char err[512];
    p->rk_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err));
    if (!p->rk_) {
      ADD_FAILURE() << "rd_kafka_new: " << err;
      return nullptr;
    }
    return p;
  }

  rd_kafka_t* handle() { return rk_.get(); }

  // Queues one message for topic-partition; returns its index (the report's `index`).
  size_t Send(const std::string& topic, int32_t partition, const Message& m) {
    const size_t index = sent_++;
    std::vector<rd_kafka_vu_t> vus;
    auto add = [&vus](rd_kafka_vtype_t type) -> rd_kafka_vu_t& {
      rd_kafka_vu_t& vu = vus.emplace_back();
      vu.vtype = type;
      return vu;
    };
    add(RD_KAFKA_VTYPE_TOPIC).u.cstr = topic.c_str();
    add(RD_KAFKA_VTYPE_PARTITION).u.i32 = partition;
    rd_kafka_vu_t& key = add(RD_KAFKA_VTYPE_KEY);
    key.u.mem.ptr = const_cast<char*>(m.key.data());
    key.u.mem.size = m.key.size();
    rd_kafka_vu_t& value = add(RD_KAFKA_VTYPE_VALUE);
    value.u.mem.ptr = const_cast<char*>(m.value.data());
    value.u.mem.size = m.value.size();
    for (const Header& h : m.headers) {
      rd_kafka_vu_t& vu = add(RD_KAFKA_VTYPE_HEADER);
      vu.u.header.name = h.name.c_str();
      vu.u.header.val = h.value ? h.value->data() : nullptr;
      vu.u.header.size = h.value ? static_cast<ssize_t>(h.value->size()) : -1;
    }
    if (m.timestamp != 0) add(RD_KAFKA_VTYPE_TIMESTAMP).u.i64 = m.timestamp;
    add(RD_KAFKA_VTYPE_MSGFLAGS).u.i = RD_KAFKA_MSG_F_COPY;
    add(RD_KAFKA_VTYPE_OPAQUE).u.ptr = reinterpret_cast<void*>(index);
    for (int attempt = 0;; ++attempt) {
      rd_kafka_error_t* error = rd_kafka_produceva(rk_.get(), vus.data(), vus.size());
      if (error == nullptr) break;
      const bool full = rd_kafka_error_code(error) == RD_KAFKA_RESP_ERR__QUEUE_FULL;
      if (!full || attempt > 1000) {
        ADD_FAILURE() << "produceva: " << rd_kafka_error_string(error);
        rd_kafka_error_destroy(error);
        break;
      }
      rd_kafka_error_destroy(error);
      rd_kafka_poll(rk_.get(), 100);  // waits for deliveries to make room
    }
    return index;
  }

  void Poll(int ms) { rd_kafka_poll(rk_.get(), ms); }

  // Waits until every sent message has a delivery report; false on timeout.
  bool Flush(Millis timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (reports_.size() < sent_) {
      if (SteadyClock::now() >= deadline) return false;
      rd_kafka_flush(rk_.get(), 100);
    }
    return true;
  }

  // Serves delivery reports until `done()` holds; false on timeout.
  template <typename Pred>
  bool PollUntil(Pred done, Millis timeout) {
    const auto deadline = SteadyClock::now() + timeout;
    while (!done()) {
      if (SteadyClock::now() >= deadline) return false;
      rd_kafka_poll(rk_.get(), 50);
    }
    return true;
  }

  size_t sent() const { return sent_; }
  // In delivery order.
  const std::vector<Report>& reports() const { return reports_; }

 private:
  Producer() = default;

  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* m, void* opaque) {
    auto* self = static_cast<Producer*>(opaque);
    Report r;
    r.index = reinterpret_cast<size_t>(m->_private);
    r.err = m->err;
    r.offset = m->offset;
    r.partition = m->partition;
    r.status = rd_kafka_message_status(m);
    self->reports_.push_back(r);
  }

  RdKafkaPtr rk_;
  size_t sent_ = 0;
  std::vector<Report> reports_;
};

struct Consumed {
  int64_t offset = -1;
  std::string key;
  std::string value;
  std::vector<Header> headers;
  int64_t timestamp = -1;
  rd_kafka_timestamp_type_t timestamp_type = RD_KAFKA_TIMESTAMP_NOT_AVAILABLE;
};

// A consumer of one partition, assigned at `offset`. librdkafka insists on a group.id even for
// assign(), but nothing here joins the group or commits: the group id only names the client.
class Consumer {
 public:
  static std::unique_ptr<Consumer> Create(const std::string& bootstrap, const std::string& topic, int32_t partition,
                                          int64_t offset, RdConfig settings = {}) {
    auto c = std::unique_ptr<Consumer>(new Consumer());
    settings.emplace("bootstrap.servers", bootstrap);
    settings.emplace("group.id", "kclient-data-plane-test");
    settings.emplace("enable.auto.commit", "false");
    settings.emplace("auto.offset.reset", "earliest");
    settings.emplace("check.crcs", "true");
    settings.emplace("fetch.wait.max.ms", "100");
    settings.emplace("log_level", "4");
    char err[512];
    c->rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, MakeConf(settings), err, sizeof err));
    if (!c->rk_) {
      ADD_FAILURE() << "rd_kafka_new: " << err;
      return nullptr;
    }
    rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
    rd_kafka_topic_partition_list_add(list, topic.c_str(), partition)->offset = offset;
    const rd_kafka_resp_err_t assigned = rd_kafka_assign(c->rk_.get(), list);
    rd_kafka_topic_partition_list_destroy(list);
    if (assigned != RD_KAFKA_RESP_ERR_NO_ERROR) {
      ADD_FAILURE() << "rd_kafka_assign: " << rd_kafka_err2str(assigned);
      return nullptr;
    }
    return c;
  }

  ~Consumer() {
    if (rk_) rd_kafka_consumer_close(rk_.get());
  }

  // Polls until `n` more messages arrived or the timeout passed; returns what arrived.
  std::vector<Consumed> Read(size_t n, Millis timeout) {
    std::vector<Consumed> out;
    const auto deadline = SteadyClock::now() + timeout;
    while (out.size() < n && SteadyClock::now() < deadline) PollOnce(&out);
    return out;
  }


  // Errors the consumer reported while reading (other than reaching the partition end).
  const std::vector<rd_kafka_resp_err_t>& errors() const { return errors_; }

 private:
  Consumer() = default;

  static Consumed Convert(rd_kafka_message_t* m) {
    Consumed c;
    c.offset = m->offset;
    if (m->key != nullptr) c.key.assign(static_cast<const char*>(m->key), m->key_len);
    if (m->payload != nullptr) c.value.assign(static_cast<const char*>(m->payload), m->len);
    c.timestamp = rd_kafka_message_timestamp(m, &c.timestamp_type);
    rd_kafka_headers_t* headers = nullptr;
    if (rd_kafka_message_headers(m, &headers) == RD_KAFKA_RESP_ERR_NO_ERROR) {
      const char* name = nullptr;
      const void* value = nullptr;
      size_t size = 0;
      for (size_t i = 0; rd_kafka_header_get_all(headers, i, &name, &value, &size) == RD_KAFKA_RESP_ERR_NO_ERROR; ++i) {
        Header h;
        h.name = name;
        if (value != nullptr) h.value = std::string(static_cast<const char*>(value), size);
        c.headers.push_back(std::move(h));
      }
    }
    return c;
  }

  void PollOnce(std::vector<Consumed>* out) {
    rd_kafka_message_t* m = rd_kafka_consumer_poll(rk_.get(), 100);
    if (m == nullptr) return;
    if (m->err == RD_KAFKA_RESP_ERR_NO_ERROR) {
      out->push_back(Convert(m));
    } else if (m->err != RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      errors_.push_back(m->err);
    }
    rd_kafka_message_destroy(m);
  }

  RdKafkaPtr rk_;
  std::vector<rd_kafka_resp_err_t> errors_;
};

}  // namespace kclient::testing
