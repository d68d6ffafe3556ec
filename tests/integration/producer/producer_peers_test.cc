// What kclient::Producer writes, as clients we did not write read it: kcat (librdkafka) and
// kafka-python. Records with keys (and null keys), values (text with JSON's special characters,
// raw bytes 0x00-0xff, and null), headers (empty, null, repeated names) and explicit timestamps go
// into one topic per codec (none, gzip, snappy, lz4, zstd) on the embedded broker. Each peer must
// read back exactly those records, at the partitions and offsets the producer reported.
//
// kcat's JSON envelope (-J) is not binary-safe (it copies bytes into JSON strings unescaped), so
// text records are read with -J and binary ones with a length-framed format (-f '%K %S ...').
// kafka-python reads everything, through tests/peers/read_topic.py, which base64-encodes bytes.
// A peer that is not installed skips its test, saying so.
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "kclient/embedded_cluster.h"
#include "kclient/producer.h"
#include "partition_reader.h"

namespace kclient {
namespace {

using nlohmann::json;

constexpr const char* kKcat = "/usr/bin/kcat";
constexpr const char* kPython = "/usr/bin/python3";  // Debian's: it has python3-kafka
constexpr int32_t kPartitions = 3;
constexpr int kRecordsPerTopic = 40;
constexpr int64_t kBaseTimestamp = 1'650'000'000'000;

const CompressionType kCodecs[] = {CompressionType::kNone, CompressionType::kGzip, CompressionType::kSnappy,
                                   CompressionType::kLz4, CompressionType::kZstd};

std::string TextTopic(CompressionType c) { return "peers-text-" + std::string(CompressionName(c)); }
std::string BinaryTopic(CompressionType c) { return "peers-binary-" + std::string(CompressionName(c)); }

// Record i of a text topic: every field JSON can carry, including what it must escape.
ProducerRecord TextRecord(const std::string& topic, int i) {
  ProducerRecord r;
  r.topic = topic;
  if (i % 10 != 9) r.key = "key-" + std::to_string(i % 4) + (i % 2 ? "-\xc3\xa9" : "");
  if (i % 13 != 12) {
    r.value = "value " + std::to_string(i) + " \"quoted\" back\\slash\ttab\nnewline \x01\x1f "
              "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80";
  }
  r.headers = {{"trace", "t-" + std::to_string(i)}, {"empty", ""}, {"null", std::nullopt}, {"trace", "again"}};
  r.timestamp_ms = kBaseTimestamp + i * 1000;
  return r;
}

// Record i of a binary topic: keys, values and a header value made of arbitrary bytes.
ProducerRecord BinaryRecord(const std::string& topic, int i) {
  ProducerRecord r;
  r.topic = topic;
  r.key = std::string("\x00\xff\n", 3) + static_cast<char>(i);
  std::string v;
  for (int b = 0; b < 256; ++b) v.push_back(static_cast<char>((b * 7 + i) & 0xff));
  r.value = v;
  r.headers = {{"bytes", std::string("\x00\x80\xfe\n", 4)}};
  r.timestamp_ms = kBaseTimestamp + i;
  return r;
}

// What a peer reports about one record.
struct Seen {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  int64_t timestamp_ms = -1;
  bool create_time = false;
  std::optional<std::string> key;
  std::optional<std::string> value;
  std::vector<Header> headers;
  bool headers_known = true;  // kcat's raw format carries no headers
};

// Runs `command` through the shell and returns its exit status and everything it wrote to stdout.
std::pair<int, std::string> RunCommand(const std::string& command) {
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, out};
  char buffer[65536];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) out.append(buffer, n);
  const int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

std::string Base64Decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t bits = 0;
  int count = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) continue;  // '=' padding
    bits = (bits << 6) | static_cast<uint32_t>(v);
    count += 6;
    if (count >= 8) {
      count -= 8;
      out.push_back(static_cast<char>((bits >> count) & 0xff));
    }
  }
  return out;
}

std::optional<std::string> OptionalString(const json& j) {
  if (j.is_null()) return std::nullopt;
  return j.get<std::string>();
}

class ProducerPeers : public ::testing::Test {
 protected:
  // One cluster and one round of producing for every test in the suite: what each peer reads.
  static void SetUpTestSuite() {
    EmbeddedClusterOptions o;
    o.default_partitions = kPartitions;
    auto c = EmbeddedCluster::Start(o);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    cluster_ = std::move(*c);
    for (CompressionType codec : kCodecs) {
      ASSERT_TRUE(cluster_->CreateTopic(TextTopic(codec)).ok());
      ASSERT_TRUE(cluster_->CreateTopic(BinaryTopic(codec)).ok());
      ProducerOptions po;
      po.client.bootstrap_servers = cluster_->bootstrap_servers();
      po.compression = codec;
      po.linger_ms = 20;
      auto producer = Producer::Create(po);
      ASSERT_TRUE(producer.ok()) << producer.status().ToString();
      std::vector<std::pair<ProducerRecord, std::future<Result<RecordMetadata>>>> sent;
      for (int i = 0; i < kRecordsPerTopic; ++i) {
        for (ProducerRecord r : {TextRecord(TextTopic(codec), i), BinaryRecord(BinaryTopic(codec), i)}) {
          auto f = (*producer)->Send(r);
          sent.emplace_back(std::move(r), std::move(f));
        }
      }
      for (auto& [record, future] : sent) {
        auto m = future.get();
        ASSERT_TRUE(m.ok()) << m.status().ToString();
        written_.emplace(std::make_tuple(record.topic, m->partition, m->offset), record);
      }
      ASSERT_TRUE((*producer)->Close(std::chrono::seconds(10)).ok());
      // The peers must really decompress: every stored batch carries the codec.
      for (const std::string& topic : {TextTopic(codec), BinaryTopic(codec)}) {
        for (int32_t p = 0; p < kPartitions; ++p) {
          auto stored = testing::ReadPartition(cluster_->bootstrap_servers(), topic, p);
          ASSERT_TRUE(stored.ok()) << stored.status().ToString();
          for (const auto& r : *stored) ASSERT_EQ(r.compression, codec) << topic << "-" << p << "@" << r.offset;
        }
      }
    }
  }
  static void TearDownTestSuite() { cluster_.reset(); }

  // Every record of `topic` must have been seen exactly once, as written.
  static void ExpectSameRecords(const std::string& topic, const std::vector<Seen>& seen) {
    std::map<std::pair<int32_t, int64_t>, int> times;
    for (const Seen& s : seen) {
      ASSERT_EQ(s.topic, topic);
      ++times[{s.partition, s.offset}];
      auto it = written_.find(std::make_tuple(topic, s.partition, s.offset));
      ASSERT_NE(it, written_.end()) << topic << "-" << s.partition << "@" << s.offset << " was never written";
      const ProducerRecord& want = it->second;
      const std::string where = topic + "-" + std::to_string(s.partition) + "@" + std::to_string(s.offset);
      EXPECT_EQ(s.key, want.key) << where;
      EXPECT_EQ(s.value, want.value) << where;
      if (s.headers_known) {
        EXPECT_EQ(s.headers, want.headers) << where;
      }
      EXPECT_EQ(s.timestamp_ms, *want.timestamp_ms) << where;
      EXPECT_TRUE(s.create_time) << where;
      if (want.key) {
        EXPECT_EQ(s.partition, PartitionForKey(*want.key, kPartitions)) << where << ": murmur2 placement";
      }
    }
    size_t expected = 0;
    for (const auto& [k, record] : written_) expected += std::get<0>(k) == topic ? 1 : 0;
    EXPECT_EQ(times.size(), expected) << topic << ": records missing";
    for (const auto& [at, n] : times) EXPECT_EQ(n, 1) << topic << "-" << at.first << "@" << at.second << " seen " << n << " times";
  }

  static inline std::unique_ptr<EmbeddedCluster> cluster_;
  // (topic, partition, offset) -> the record the producer reported written there.
  static inline std::map<std::tuple<std::string, int32_t, int64_t>, ProducerRecord> written_;
};

// kcat -J: one JSON envelope per line; headers as a flat [name, value, name, value, ...] list.
std::vector<Seen> ParseKcatJson(const std::string& output) {
  std::vector<Seen> out;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    const std::string line = output.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const json j = json::parse(line);
    Seen s;
    s.topic = j.at("topic").get<std::string>();
    s.partition = j.at("partition").get<int32_t>();
    s.offset = j.at("offset").get<int64_t>();
    s.timestamp_ms = j.at("ts").get<int64_t>();
    s.create_time = j.at("tstype") == "create";
    s.key = OptionalString(j.at("key"));
    s.value = OptionalString(j.at("payload"));
    if (j.contains("headers")) {
      const json& h = j.at("headers");
      for (size_t i = 0; i + 1 < h.size(); i += 2) s.headers.push_back({h[i].get<std::string>(), OptionalString(h[i + 1])});
    }
    out.push_back(std::move(s));
  }
  return out;
}

// kcat -f '%p %o %T %K %S\n%k%s\n': a header line with the key and value lengths (-1: null),
// then exactly that many raw bytes of each.
std::vector<Seen> ParseKcatFramed(const std::string& topic, const std::string& output) {
  std::vector<Seen> out;
  size_t pos = 0;
  while (pos < output.size()) {
    const size_t eol = output.find('\n', pos);
    if (eol == std::string::npos) {
      ADD_FAILURE() << "truncated kcat output at byte " << pos;
      break;
    }
    Seen s;
    s.topic = topic;
    s.create_time = true;  // %T does not say; the JSON run checks the type
    s.headers_known = false;
    long long partition = 0;
    long long offset = 0;
    long long timestamp = 0;
    long long key_len = 0;
    long long value_len = 0;
    if (std::sscanf(output.substr(pos, eol - pos).c_str(), "%lld %lld %lld %lld %lld", &partition, &offset,
                    &timestamp, &key_len, &value_len) != 5) {
      ADD_FAILURE() << "unreadable kcat line: " << output.substr(pos, eol - pos);
      break;
    }
    s.partition = static_cast<int32_t>(partition);
    s.offset = offset;
    s.timestamp_ms = timestamp;
    pos = eol + 1;
    if (pos + static_cast<size_t>(std::max(0LL, key_len) + std::max(0LL, value_len)) + 1 > output.size()) {
      ADD_FAILURE() << "truncated kcat record at " << s.partition << "@" << s.offset;
      break;
    }
    if (key_len >= 0) s.key = output.substr(pos, static_cast<size_t>(key_len));
    pos += static_cast<size_t>(std::max(0LL, key_len));
    if (value_len >= 0) s.value = output.substr(pos, static_cast<size_t>(value_len));
    pos += static_cast<size_t>(std::max(0LL, value_len));
    EXPECT_EQ(output[pos], '\n');
    ++pos;
    out.push_back(std::move(s));
  }
  return out;
}

// read_topic.py: JSON lines with base64 bytes.
std::map<std::string, std::vector<Seen>> ParsePython(const std::string& output) {
  std::map<std::string, std::vector<Seen>> out;
  size_t start = 0;
  while (start < output.size()) {
    size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    const std::string line = output.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    const json j = json::parse(line);
    auto bytes = [](const json& v) -> std::optional<std::string> {
      if (v.is_null()) return std::nullopt;
      return Base64Decode(v.get<std::string>());
    };
    Seen s;
    s.topic = j.at("topic").get<std::string>();
    s.partition = j.at("partition").get<int32_t>();
    s.offset = j.at("offset").get<int64_t>();
    s.timestamp_ms = j.at("timestamp").get<int64_t>();
    s.create_time = j.at("timestamp_type").get<int>() == 0;
    s.key = bytes(j.at("key"));
    s.value = bytes(j.at("value"));
    for (const json& h : j.at("headers")) s.headers.push_back({h[0].get<std::string>(), bytes(h[1])});
    out[s.topic].push_back(std::move(s));
  }
  return out;
}

std::string Kcat(const std::string& bootstrap, const std::string& topic, const std::string& format_args) {
  return std::string("timeout 120 ") + kKcat + " -C -q -e -o beginning -b " + bootstrap + " -t " + topic + " " +
         format_args;
}

TEST_F(ProducerPeers, KcatJsonReadsEveryTextRecordAsWritten) {
  if (::access(kKcat, X_OK) != 0) GTEST_SKIP() << kKcat << " is not installed";
  for (CompressionType codec : kCodecs) {
    const std::string topic = TextTopic(codec);
    auto [status, output] = RunCommand(Kcat(cluster_->bootstrap_servers(), topic, "-J"));
    ASSERT_EQ(status, 0) << "kcat failed for " << topic << "; output:\n" << output;
    std::vector<Seen> seen;
    ASSERT_NO_THROW(seen = ParseKcatJson(output)) << output;
    ExpectSameRecords(topic, seen);
  }
}

TEST_F(ProducerPeers, KcatReadsEveryBinaryRecordByteForByte) {
  if (::access(kKcat, X_OK) != 0) GTEST_SKIP() << kKcat << " is not installed";
  for (CompressionType codec : kCodecs) {
    const std::string topic = BinaryTopic(codec);
    auto [status, output] = RunCommand(Kcat(cluster_->bootstrap_servers(), topic, "-f '%p %o %T %K %S\\n%k%s\\n'"));
    ASSERT_EQ(status, 0) << "kcat failed for " << topic;
    ExpectSameRecords(topic, ParseKcatFramed(topic, output));
  }
}

TEST_F(ProducerPeers, KafkaPythonReadsEveryRecordAsWritten) {
  if (::access(kPython, X_OK) != 0) GTEST_SKIP() << kPython << " is not installed";
  if (RunCommand(std::string(kPython) + " -c 'import kafka' 2>/dev/null").first != 0) {
    GTEST_SKIP() << "kafka-python (python3-kafka) is not installed for " << kPython;
  }
  std::string command = std::string("timeout 180 ") + kPython + " " + KCLIENT_PEERS_DIR + "/read_topic.py " +
                        cluster_->bootstrap_servers();
  for (CompressionType codec : kCodecs) command += " " + TextTopic(codec) + " " + BinaryTopic(codec);
  auto [status, output] = RunCommand(command);
  ASSERT_EQ(status, 0) << "read_topic.py failed; output:\n" << output;
  std::map<std::string, std::vector<Seen>> seen;
  ASSERT_NO_THROW(seen = ParsePython(output)) << output;
  for (CompressionType codec : kCodecs) {
    ExpectSameRecords(TextTopic(codec), seen[TextTopic(codec)]);
    ExpectSameRecords(BinaryTopic(codec), seen[BinaryTopic(codec)]);
  }
}

}  // namespace
}  // namespace kclient
