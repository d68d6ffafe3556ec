// ReadPartition: every record of a topic-partition, read with a plain blocking connection
// (Metadata to find the leader, then Fetch from offset 0 up to the high watermark), so producer
// tests check what the broker stored without going through the code under test. Each record
// comes with its batch's codec, producer id and sequence, for tests of compression and
// idempotence. Versions are negotiated with ApiVersions (Metadata and Fetch capped at v12, where
// topics still go by name), so the same reader works against our broker, real Kafka and
// librdkafka's mock cluster (which serves older versions only).
// Thread-safety: none needed; each call opens its own connections.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "blocking_client.h"
#include "kclient/record.h"
#include "kclient/result.h"
#include "protocol/messages/api_versions.h"
#include "protocol/messages/fetch.h"
#include "protocol/messages/metadata.h"
#include "protocol/record_batch.h"

namespace kclient::testing {

struct StoredRecord {
  int64_t offset = 0;
  int64_t timestamp_ms = 0;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  CompressionType compression = CompressionType::kNone;
  bool log_append_time = false;
  int64_t producer_id = -1;
  int32_t sequence = -1;  // the batch's base sequence plus the record's offset delta
};

inline std::optional<std::string> BytesToString(const std::optional<protocol::ByteSpan>& b) {
  if (!b) return std::nullopt;
  return std::string(reinterpret_cast<const char*>(b->data()), b->size());
}

// The newest version of `Message` in [min, cap] that the broker behind `client` also serves, from
// an ApiVersions v0 exchange (every broker answers v0); -1 when there is none.
template <typename Message>
Result<int16_t> NegotiateVersion(BlockingClient& client, int16_t min, int16_t cap) {
  protocol::ApiVersionsRequest request;
  protocol::ApiVersionsResponse response;
  Status s = client.RoundTrip(request, 0, &response);
  if (!s.ok()) return s;
  if (response.error_code != 0) return Status(static_cast<ErrorCode>(response.error_code), "ApiVersions refused");
  for (const auto& k : response.api_keys) {
    if (k.api_key != static_cast<int16_t>(Message::kApiKey)) continue;
    const int16_t v = std::min(k.max_version, cap);
    return v >= std::max(k.min_version, min) ? v : int16_t{-1};
  }
  return int16_t{-1};
}

// `bootstrap` is one "host:port" of the cluster (or a list, of which the first is used).
inline Result<std::vector<StoredRecord>> ReadPartition(const std::string& bootstrap, const std::string& topic,
                                                       int32_t partition) {
  BlockingClient meta;
  Status s = meta.Connect(bootstrap.substr(0, bootstrap.find(',')));
  if (!s.ok()) return s;
  auto metadata_version = NegotiateVersion<protocol::MetadataRequest>(meta, 1, 12);
  if (!metadata_version.ok()) return metadata_version.status();
  if (*metadata_version < 0) return Status(ErrorCode::kLocalUnsupportedVersion, "no common Metadata version");
  protocol::MetadataRequest mreq;
  mreq.topics.emplace().emplace_back().name = topic;
  if (*metadata_version >= 4) mreq.allow_auto_topic_creation = false;
  protocol::MetadataResponse mresp;
  s = meta.RoundTrip(mreq, *metadata_version, &mresp);
  if (!s.ok()) return s;
  std::string leader;
  for (const auto& t : mresp.topics) {
    for (const auto& p : t.partitions) {
      if (p.partition_index != partition) continue;
      for (const auto& b : mresp.brokers) {
        if (b.node_id == p.leader_id) leader = b.host + ":" + std::to_string(b.port);
      }
    }
  }
  if (leader.empty()) return Status(ErrorCode::kLeaderNotAvailable, "no leader for " + topic);

  BlockingClient conn;
  s = conn.Connect(leader);
  if (!s.ok()) return s;
  // v4 is the first that returns record batches (magic 2) as they are stored.
  auto fetch_version = NegotiateVersion<protocol::FetchRequest>(conn, 4, 12);
  if (!fetch_version.ok()) return fetch_version.status();
  if (*fetch_version < 0) return Status(ErrorCode::kLocalUnsupportedVersion, "no common Fetch version");
  std::vector<StoredRecord> out;
  int64_t next = 0;
  util::ByteBuffer scratch;
  for (;;) {
    protocol::FetchRequest req;
    req.max_wait_ms = 0;
    req.max_bytes = 64 << 20;
    auto& ft = req.topics.emplace_back();
    ft.topic = topic;
    auto& fp = ft.partitions.emplace_back();
    fp.partition = partition;
    fp.fetch_offset = next;
    fp.partition_max_bytes = 16 << 20;
    protocol::FetchResponse resp;
    s = conn.RoundTrip(req, *fetch_version, &resp);
    if (!s.ok()) return s;
    if (resp.responses.empty() || resp.responses[0].partitions.empty()) {
      return Status(ErrorCode::kLocalMalformed, "empty fetch response");
    }
    const auto& p = resp.responses[0].partitions[0];
    if (p.error_code != 0) return Status(static_cast<ErrorCode>(p.error_code), "fetch failed");
    if (next >= p.high_watermark) break;
    protocol::BatchIterator batches(p.records.value_or(protocol::RecordsView()).span());
    protocol::RecordBatchHeader h;
    protocol::ByteSpan batch;
    const int64_t before = next;
    while (batches.Next(&h, &batch)) {
      protocol::RecordIterator records(h, batch, &scratch, 64 << 20);
      protocol::Record r;
      while (records.Next(&r)) {
        if (r.offset < next) continue;
        StoredRecord rec;
        rec.offset = r.offset;
        rec.timestamp_ms = r.timestamp;
        rec.key = BytesToString(r.key);
        rec.value = BytesToString(r.value);
        for (const auto& hd : r.headers) rec.headers.push_back({std::string(hd.key), BytesToString(hd.value)});
        rec.compression = h.compression();
        rec.log_append_time = h.log_append_time();
        rec.producer_id = h.producer_id;
        rec.sequence = h.base_sequence < 0 ? -1 : h.base_sequence + static_cast<int32_t>(r.offset - h.base_offset);
        out.push_back(std::move(rec));
        next = r.offset + 1;
      }
      if (!records.status().ok()) return records.status();
    }
    if (!batches.status().ok()) return batches.status();
    if (next == before) return Status(ErrorCode::kLocalMalformed, "fetch made no progress");
  }
  return out;
}

}  // namespace kclient::testing
