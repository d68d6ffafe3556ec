// PartitionLog with durable storage: segment files written through and rolled at segment.bytes,
// recovery of torn and corrupt tails and of bad indexes, the log start offset and truncation
// written through, and retention by size and time deleting only whole, non-active segments
// (Kafka's UnifiedLog.deleteRetentionSizeBreachedSegments / deleteRetentionMsBreachedSegments).
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "temp_dir.h"

#include "broker/log/log_recovery.h"
#include "broker/log/partition_log.h"
#include "broker/log/segment_files.h"
#include "protocol/record_batch.h"
#include "util/endian.h"

namespace kclient::broker {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

constexpr int64_t kNoUpperBound = std::numeric_limits<int64_t>::max();

using TempDir = kclient::testing::TempDir;

// A batch of `records` records stamped `timestamp`, each value `value_size` bytes: equal
// arguments give batches of equal size.
Bytes MakeBatch(int records, int64_t timestamp, size_t value_size = 40, char fill = 'v') {
  protocol::RecordBatchBuilder builder;
  const std::string value(value_size, fill);
  for (int i = 0; i < records; ++i) {
    const std::string key = "k" + std::to_string(i);
    builder.Append(timestamp, protocol::ByteSpan(reinterpret_cast<const uint8_t*>(key.data()), key.size()),
                   protocol::ByteSpan(reinterpret_cast<const uint8_t*>(value.data()), value.size()));
  }
  protocol::ByteSpan out;
  EXPECT_TRUE(builder.Finish({}, &out).ok());
  return Bytes(out.begin(), out.end());
}

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

void AppendToFile(const std::string& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::app);
  out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
}

std::vector<std::string> Files(const std::string& dir, std::string_view suffix) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.ends_with(suffix)) names.push_back(name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::string LogPath(const std::string& dir, int64_t base) {
  return dir + "/" + SegmentFiles::FileName(base, SegmentFiles::kLogSuffix);
}
std::string IndexPath(const std::string& dir, int64_t base) {
  return dir + "/" + SegmentFiles::FileName(base, SegmentFiles::kIndexSuffix);
}

// Opens `dir` into a new durable log, collecting what recovery reports.
struct Opened {
  std::unique_ptr<PartitionLog> log;
  std::vector<std::string> lines;
};

Opened Open(const std::string& dir, size_t segment_bytes) {
  Opened o;
  o.log = std::make_unique<PartitionLog>(segment_bytes);
  Status s = o.log->OpenDurable(dir, [&o](const std::string& line) { o.lines.push_back(line); });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return o;
}

bool AnyLineHas(const std::vector<std::string>& lines, std::string_view text) {
  return std::any_of(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; });
}

// The bytes of the log's batch at entry `i`.
Bytes BatchBytes(const PartitionLog& log, size_t i) {
  const PartitionLog::BatchEntry& e = log.batches()[i];
  std::span<const uint8_t> s = log.Read(e.base_offset, 0, true, kNoUpperBound);
  return Bytes(s.begin(), s.end());
}

// Every batch of `a` is in `b` with the same offsets, place and bytes.
void ExpectSameBatches(const PartitionLog& a, const PartitionLog& b) {
  ASSERT_EQ(a.batches().size(), b.batches().size());
  for (size_t i = 0; i < a.batches().size(); ++i) {
    const auto& x = a.batches()[i];
    const auto& y = b.batches()[i];
    EXPECT_EQ(x.base_offset, y.base_offset) << i;
    EXPECT_EQ(x.last_offset, y.last_offset) << i;
    EXPECT_EQ(x.max_timestamp, y.max_timestamp) << i;
    EXPECT_EQ(x.position, y.position) << i;
    EXPECT_EQ(x.size, y.size) << i;
    EXPECT_EQ(BatchBytes(a, i), BatchBytes(b, i)) << i;
  }
  EXPECT_EQ(a.log_start_offset(), b.log_start_offset());
  EXPECT_EQ(a.log_end_offset(), b.log_end_offset());
}

// ---- Segment files: write, read, roll ---------------------------------------------------------

TEST(DurableLogTest, WritesSegmentFilesRollsAndReadsBack) {
  TempDir dir;
  const Bytes batch = MakeBatch(3, 1000);
  const size_t segment_bytes = batch.size() * 4;  // four batches per segment
  Opened o = Open(dir.path(), segment_bytes);
  PartitionLog& log = *o.log;
  EXPECT_TRUE(log.durable());
  EXPECT_EQ(log.log_end_offset(), 0);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(log.Append(batch, /*leader_epoch=*/7), i * 3);
  }
  ASSERT_TRUE(log.Flush(false).ok());
  // Segments by base offset: batches 0-3, 4-7, 8-9.
  EXPECT_EQ(Files(dir.path(), ".log"), (std::vector<std::string>{"00000000000000000000.log", "00000000000000000012.log",
                                                                   "00000000000000000024.log"}));
  EXPECT_EQ(Files(dir.path(), ".index").size(), 3u);
  EXPECT_EQ(log.segment_count(), 3u);
  // Each file holds its batches exactly as the log serves them (offsets and epoch assigned) and
  // its index one Kafka entry per batch: relative last offset, position.
  for (int64_t base : {0, 12, 24}) {
    Bytes expected;
    Bytes expected_index;
    for (size_t i = 0; i < log.batches().size(); ++i) {
      const auto& e = log.batches()[i];
      if (e.base_offset < base || e.base_offset >= base + 12) continue;
      Bytes b = BatchBytes(log, i);
      EXPECT_EQ(static_cast<int64_t>(util::LoadBE64(b.data())), e.base_offset);
      EXPECT_EQ(static_cast<int32_t>(util::LoadBE32(b.data() + protocol::kPartitionLeaderEpochOffset)), 7);
      expected.insert(expected.end(), b.begin(), b.end());
      uint8_t entry[8];
      util::StoreBE32(entry, static_cast<uint32_t>(e.last_offset - base));
      util::StoreBE32(entry + 4, e.position);
      expected_index.insert(expected_index.end(), entry, entry + 8);
    }
    EXPECT_EQ(ReadFile(LogPath(dir.path(), base)), expected) << base;
    EXPECT_EQ(ReadFile(IndexPath(dir.path(), base)), expected_index) << base;
  }

  // A second log on the same directory has every batch back, where it was.
  Opened again = Open(dir.path(), segment_bytes);
  EXPECT_TRUE(again.lines.empty()) << again.lines.front();
  ExpectSameBatches(log, *again.log);
  EXPECT_EQ(again.log->high_watermark(), 30);
  // Appends go on in the active segment, then roll.
  o.log.reset();
  EXPECT_EQ(again.log->Append(batch, 8), 30);
  EXPECT_EQ(again.log->batches().back().position, batch.size() * 2);
  EXPECT_EQ(again.log->Append(batch, 8), 33);
  EXPECT_EQ(again.log->Append(batch, 8), 36);
  EXPECT_EQ(Files(dir.path(), ".log").back(), "00000000000000000036.log");
  Opened third = Open(dir.path(), segment_bytes);
  ExpectSameBatches(*again.log, *third.log);
}

TEST(DurableLogTest, ABatchLargerThanASegmentGetsOneOfItsOwn) {
  TempDir dir;
  Opened o = Open(dir.path(), 300);
  const Bytes small = MakeBatch(1, 5, 10);
  const Bytes large = MakeBatch(20, 5, 100);
  ASSERT_GT(large.size(), 300u);
  EXPECT_EQ(o.log->Append(small, 0), 0);
  EXPECT_EQ(o.log->Append(large, 0), 1);
  EXPECT_EQ(o.log->Append(small, 0), 21);
  EXPECT_EQ(Files(dir.path(), ".log"), (std::vector<std::string>{"00000000000000000000.log", "00000000000000000001.log",
                                                                   "00000000000000000021.log"}));
  Opened again = Open(dir.path(), 300);
  ExpectSameBatches(*o.log, *again.log);
}

TEST(DurableLogTest, AFailedWriteLeavesTheLogUnchanged) {
  TempDir dir;
  const Bytes batch = MakeBatch(2, 5);
  Opened o = Open(dir.path(), batch.size());  // every batch rolls a new segment (a new file)
  EXPECT_EQ(o.log->Append(batch, 0), 0);
  fs::remove_all(dir.path());
  EXPECT_EQ(o.log->Append(batch, 0), -1);
  EXPECT_EQ(o.log->storage_error().code(), ErrorCode::kKafkaStorageError);
  EXPECT_EQ(o.log->log_end_offset(), 2);
  EXPECT_EQ(o.log->batches().size(), 1u);
  EXPECT_EQ(o.log->size_in_bytes(), batch.size());
}

// ---- Recovery ---------------------------------------------------------------------------------

// A log of `n` batches of 2 records in one segment, closed again; returns its batches' bytes.
std::vector<Bytes> WriteLog(const std::string& dir, int n, size_t segment_bytes = 1 << 20) {
  Opened o = Open(dir, segment_bytes);
  std::vector<Bytes> batches;
  for (int i = 0; i < n; ++i) {
    o.log->Append(MakeBatch(2, 1000 + i, 30, static_cast<char>('a' + i % 26)), 1);
    batches.push_back(BatchBytes(*o.log, static_cast<size_t>(i)));
  }
  return batches;
}

// A batch as the log would store it at `base_offset`.
Bytes StoredBatch(int64_t base_offset) {
  Bytes b = MakeBatch(2, 5000, 30, 'z');
  protocol::AssignBatchOffsets(b, base_offset, 1);
  return b;
}

TEST(DurableLogTest, RecoveryCutsACorruptBatchAndATornOneButKeepsEveryCompleteBatch) {
  TempDir dir;
  const std::vector<Bytes> written = WriteLog(dir.path(), 10);
  const std::string path = LogPath(dir.path(), 0);
  const size_t good_size = fs::file_size(path);
  // A complete batch whose CRC no longer matches (one value byte flipped), then half a batch.
  Bytes corrupt = StoredBatch(20);
  corrupt[corrupt.size() - 3] ^= 0x5a;
  AppendToFile(path, corrupt);
  const Bytes torn = StoredBatch(22);
  AppendToFile(path, Bytes(torn.begin(), torn.begin() + static_cast<std::ptrdiff_t>(torn.size() / 2)));

  Opened o = Open(dir.path(), 1 << 20);
  ASSERT_EQ(o.log->batches().size(), 10u);
  for (size_t i = 0; i < written.size(); ++i) EXPECT_EQ(BatchBytes(*o.log, i), written[i]) << i;
  EXPECT_EQ(o.log->log_end_offset(), 20);
  EXPECT_EQ(o.log->high_watermark(), 20);
  EXPECT_EQ(fs::file_size(path), good_size);
  EXPECT_TRUE(AnyLineHas(o.lines, "cut " + std::to_string(corrupt.size() + torn.size() / 2) + " bytes at position " +
                                      std::to_string(good_size)))
      << (o.lines.empty() ? "" : o.lines.front());
  EXPECT_TRUE(AnyLineHas(o.lines, "CRC32C"));

  // The repaired log takes appends where it ends, and opens cleanly.
  EXPECT_EQ(o.log->Append(MakeBatch(2, 6000), 2), 20);
  o.log.reset();
  Opened again = Open(dir.path(), 1 << 20);
  EXPECT_TRUE(again.lines.empty()) << again.lines.front();
  EXPECT_EQ(again.log->log_end_offset(), 22);
}

TEST(DurableLogTest, RecoveryCutsEveryKindOfTornTail) {
  const Bytes whole = StoredBatch(20);
  struct Case {
    const char* name;
    Bytes tail;
    const char* why;
  };
  Bytes bad_magic = whole;
  bad_magic[protocol::kMagicOffset] = 1;
  Bytes short_length = whole;
  util::StoreBE32(short_length.data() + protocol::kBatchLengthOffset, 20);
  Bytes backwards = StoredBatch(3);  // offsets already in the log
  const Case cases[] = {
      {"a few bytes", Bytes(whole.begin(), whole.begin() + 5), "too few"},
      {"a header only", Bytes(whole.begin(), whole.begin() + protocol::kRecordBatchHeaderSize), "partial batch"},
      {"all but one byte", Bytes(whole.begin(), whole.end() - 1), "partial batch"},
      {"a wrong magic", bad_magic, "invalid batch header"},
      {"a length shorter than a header", short_length, "shorter than a batch header"},
      {"offsets going backwards", backwards, "below the expected"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    TempDir dir;
    const std::vector<Bytes> written = WriteLog(dir.path(), 10);
    const std::string path = LogPath(dir.path(), 0);
    const size_t good_size = fs::file_size(path);
    AppendToFile(path, c.tail);
    Opened o = Open(dir.path(), 1 << 20);
    ASSERT_EQ(o.log->batches().size(), 10u);
    EXPECT_EQ(BatchBytes(*o.log, 9), written[9]);
    EXPECT_EQ(o.log->log_end_offset(), 20);
    EXPECT_EQ(fs::file_size(path), good_size);
    EXPECT_TRUE(AnyLineHas(o.lines, c.why)) << (o.lines.empty() ? "no log line" : o.lines.front());
  }
}

TEST(DurableLogTest, CorruptionInAnOlderSegmentEndsTheLogThere) {
  TempDir dir;
  const Bytes batch = MakeBatch(2, 1000);
  {
    Opened o = Open(dir.path(), batch.size() * 3);  // three batches per segment
    for (int i = 0; i < 12; ++i) o.log->Append(batch, 0);
  }
  // Segments 0, 6, 12, 18; damage the middle batch of segment 6 (offsets 8-9).
  const std::string path = LogPath(dir.path(), 6);
  Bytes bytes = ReadFile(path);
  bytes[batch.size() + 70] ^= 1;
  WriteFile(path, bytes);
  Opened o = Open(dir.path(), batch.size() * 3);
  EXPECT_EQ(o.log->log_end_offset(), 8);
  EXPECT_EQ(o.log->batches().size(), 4u);
  EXPECT_EQ(fs::file_size(path), batch.size());
  EXPECT_EQ(Files(dir.path(), ".log"), (std::vector<std::string>{"00000000000000000000.log", "00000000000000000006.log"}));
  EXPECT_EQ(Files(dir.path(), ".index").size(), 2u);
  EXPECT_TRUE(AnyLineHas(o.lines, "00000000000000000012.log: deleted the segment"));
  EXPECT_TRUE(AnyLineHas(o.lines, "00000000000000000018.log: deleted the segment"));
  // The next append goes on at offset 8 in segment 6.
  EXPECT_EQ(o.log->Append(batch, 0), 8);
  Opened again = Open(dir.path(), batch.size() * 3);
  ExpectSameBatches(*o.log, *again.log);
}

TEST(DurableLogTest, AnEmptyOrWhollyCorruptSegmentIsDeleted) {
  TempDir dir;
  WriteLog(dir.path(), 3);
  WriteFile(LogPath(dir.path(), 6), {});  // created, never written: a crash right after a roll
  Opened o = Open(dir.path(), 1 << 20);
  EXPECT_EQ(o.log->log_end_offset(), 6);
  EXPECT_EQ(Files(dir.path(), ".log"), std::vector<std::string>{"00000000000000000000.log"});
  EXPECT_TRUE(AnyLineHas(o.lines, "holds no valid batch"));
}

TEST(DurableLogTest, TheIndexIsRebuiltWhenMissingShortOrWrong) {
  TempDir dir;
  const Bytes batch = MakeBatch(2, 1000);
  const size_t segment_bytes = batch.size() * 3;
  {
    Opened o = Open(dir.path(), segment_bytes);
    for (int i = 0; i < 12; ++i) o.log->Append(batch, 0);
  }
  const Bytes good0 = ReadFile(IndexPath(dir.path(), 0));
  const Bytes good6 = ReadFile(IndexPath(dir.path(), 6));
  const Bytes good12 = ReadFile(IndexPath(dir.path(), 12));
  ASSERT_EQ(good0.size(), 3 * SegmentFiles::kIndexEntrySize);
  fs::remove(IndexPath(dir.path(), 0));                                      // missing
  WriteFile(IndexPath(dir.path(), 6), Bytes(good6.begin(), good6.begin() + 8));  // short (a lost buffer)
  Bytes wrong = good12;
  wrong[5] ^= 0xff;  // a position
  WriteFile(IndexPath(dir.path(), 12), wrong);
  WriteFile(dir.path() + "/00000000000000000099.index", good0);  // no log segment of its own

  Opened o = Open(dir.path(), segment_bytes);
  EXPECT_EQ(o.log->log_end_offset(), 24);
  EXPECT_EQ(ReadFile(IndexPath(dir.path(), 0)), good0);
  EXPECT_EQ(ReadFile(IndexPath(dir.path(), 6)), good6);
  EXPECT_EQ(ReadFile(IndexPath(dir.path(), 12)), good12);
  EXPECT_FALSE(fs::exists(dir.path() + "/00000000000000000099.index"));
  EXPECT_TRUE(AnyLineHas(o.lines, "00000000000000000000.index: rebuilt the offset index (missing)"));
  EXPECT_TRUE(AnyLineHas(o.lines, "00000000000000000006.index: rebuilt the offset index (1 entries where the log has 3)"));
  EXPECT_TRUE(AnyLineHas(o.lines, "00000000000000000012.index: rebuilt the offset index (3 entries where the log has 3, some wrong)"));
  o.log.reset();
  Opened again = Open(dir.path(), segment_bytes);
  EXPECT_TRUE(again.lines.empty()) << again.lines.front();
}

TEST(DurableLogTest, RecoveryReportsWhatItRepaired) {
  TempDir dir;
  WriteLog(dir.path(), 4);
  AppendToFile(LogPath(dir.path(), 0), Bytes(7, 0));
  fs::remove(IndexPath(dir.path(), 0));
  Result<RecoveredLog> r = RecoverLogDir(dir.path(), [](const std::string&) {});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->truncated_bytes, 7u);
  EXPECT_EQ(r->rebuilt_indexes, 1);
  EXPECT_EQ(r->deleted_segments, 0);
  ASSERT_EQ(r->segments.size(), 1u);
  EXPECT_EQ(r->segments[0].batches.size(), 4u);
  EXPECT_EQ(r->checkpointed_log_start_offset, -1);
}

// ---- Log start offset and truncation, written through ------------------------------------------

TEST(DurableLogTest, TheLogStartOffsetSurvivesAReopen) {
  TempDir dir;
  const Bytes batch = MakeBatch(2, 1000);
  const size_t segment_bytes = batch.size() * 3;
  Opened o = Open(dir.path(), segment_bytes);
  for (int i = 0; i < 9; ++i) o.log->Append(batch, 0);  // segments 0, 6, 12
  // DeleteRecords into the middle of the second segment: the first one goes.
  EXPECT_EQ(o.log->TruncateBefore(9), 9);
  EXPECT_EQ(Files(dir.path(), ".log"), (std::vector<std::string>{"00000000000000000006.log", "00000000000000000012.log"}));
  EXPECT_EQ(ReadFile(dir.path() + "/log-start-offset"), Bytes({'9', '\n'}));
  Opened again = Open(dir.path(), segment_bytes);
  EXPECT_EQ(again.log->log_start_offset(), 9);
  EXPECT_EQ(again.log->log_end_offset(), 18);
  ExpectSameBatches(*o.log, *again.log);
  // Everything deleted: the start is the end, and appends go on from there.
  o.log.reset();
  EXPECT_EQ(again.log->TruncateBefore(18), 18);
  again.log.reset();
  Opened third = Open(dir.path(), segment_bytes);
  EXPECT_EQ(third.log->log_start_offset(), 18);
  EXPECT_EQ(third.log->log_end_offset(), 18);
  EXPECT_TRUE(third.log->batches().empty());
  EXPECT_EQ(third.log->Append(batch, 0), 18);
  third.log.reset();
  Opened fourth = Open(dir.path(), segment_bytes);
  EXPECT_EQ(fourth.log->log_start_offset(), 18);
  EXPECT_EQ(fourth.log->log_end_offset(), 20);
}

TEST(DurableLogTest, TruncateAfterIsWrittenThrough) {
  TempDir dir;
  const Bytes batch = MakeBatch(2, 1000);
  const size_t segment_bytes = batch.size() * 3;
  Opened o = Open(dir.path(), segment_bytes);
  for (int i = 0; i < 9; ++i) o.log->Append(batch, 0);  // segments 0, 6, 12
  o.log->TruncateAfter(8);  // keeps batches 0-6 and 6-7
  EXPECT_EQ(o.log->log_end_offset(), 8);
  EXPECT_EQ(Files(dir.path(), ".log"), (std::vector<std::string>{"00000000000000000000.log", "00000000000000000006.log"}));
  EXPECT_EQ(fs::file_size(LogPath(dir.path(), 6)), batch.size());
  EXPECT_EQ(fs::file_size(IndexPath(dir.path(), 6)), SegmentFiles::kIndexEntrySize);
  Opened again = Open(dir.path(), segment_bytes);
  EXPECT_TRUE(again.lines.empty()) << again.lines.front();
  ExpectSameBatches(*o.log, *again.log);
  // A truncation that empties the active segment: the next batch starts it again under its own
  // base offset.
  o.log->TruncateAfter(6);
  EXPECT_EQ(Files(dir.path(), ".log"), std::vector<std::string>{"00000000000000000000.log"});
  const Bytes other = MakeBatch(5, 2000);
  EXPECT_EQ(o.log->Append(other, 3), 6);
  EXPECT_EQ(o.log->Append(other, 3), 11);
  ASSERT_TRUE(o.log->Flush(false).ok());  // index entries are written lazily
  again.log.reset();
  Opened third = Open(dir.path(), segment_bytes);
  EXPECT_TRUE(third.lines.empty()) << third.lines.front();
  ExpectSameBatches(*o.log, *third.log);
}

// ---- Retention --------------------------------------------------------------------------------

// A log of `segments` segments of two equal batches each (the last one active), every batch
// stamped `timestamps[i / 2]`, high watermark at the end.
void Fill(PartitionLog* log, const std::vector<int64_t>& timestamps, Bytes* batch_out) {
  for (int64_t ts : timestamps) {
    const Bytes batch = MakeBatch(2, ts);
    log->Append(batch, 0);
    log->Append(batch, 0);
    *batch_out = batch;
  }
  log->set_high_watermark(log->log_end_offset());
}

TEST(RetentionTest, RetentionBytesDeletesOnlyWholeNonActiveSegments) {
  for (bool durable : {false, true}) {
    SCOPED_TRACE(durable ? "durable" : "in memory");
    TempDir dir;
    const size_t s = MakeBatch(2, 1000).size();
    std::unique_ptr<PartitionLog> log;
    if (durable) {
      log = std::move(Open(dir.path(), 2 * s).log);
    } else {
      log = std::make_unique<PartitionLog>(2 * s);
    }
    Bytes batch;
    Fill(log.get(), {1000, 1000, 1000, 1000, 1000}, &batch);  // 5 segments of 2 batches (4 records)
    ASSERT_EQ(log->segment_count(), 5u);
    const int64_t now = 2000;
    // Under the limit: nothing.
    EXPECT_EQ(log->DeleteOldSegments(now, -1, static_cast<int64_t>(10 * s)).segments, 0);
    // 10s against 5s + 1: the excess 5s - 1 holds two whole segments (2s each), not three.
    PartitionLog::RetentionResult r = log->DeleteOldSegments(now, -1, static_cast<int64_t>(5 * s + 1));
    EXPECT_EQ(r.segments, 2);
    EXPECT_EQ(r.bytes, 4 * s);
    EXPECT_NE(r.reason.find("retention.bytes"), std::string::npos);
    EXPECT_EQ(log->log_start_offset(), 8);
    EXPECT_EQ(log->segment_count(), 3u);
    EXPECT_EQ(log->log_end_offset(), 20);
    if (durable) {
      EXPECT_EQ(Files(dir.path(), ".log"), (std::vector<std::string>{"00000000000000000008.log", "00000000000000000012.log",
                                                                       "00000000000000000016.log"}));
    }
    // Only below the high watermark.
    log->set_high_watermark(15);
    r = log->DeleteOldSegments(now, -1, 0);
    EXPECT_EQ(r.segments, 1);
    EXPECT_EQ(log->log_start_offset(), 12);
    // Zero bytes allowed: everything but the active segment.
    log->set_high_watermark(20);
    r = log->DeleteOldSegments(now, -1, 0);
    EXPECT_EQ(r.segments, 1);
    EXPECT_EQ(log->log_start_offset(), 16);
    EXPECT_EQ(log->segment_count(), 1u);
    EXPECT_EQ(log->DeleteOldSegments(now, -1, 0).segments, 0);  // the active one stays
    EXPECT_EQ(log->batches().size(), 2u);
    if (durable) {
      EXPECT_EQ(Files(dir.path(), ".log"), std::vector<std::string>{"00000000000000000016.log"});
      Opened again = Open(dir.path(), 2 * s);
      EXPECT_EQ(again.log->log_start_offset(), 16);
      EXPECT_EQ(again.log->log_end_offset(), 20);
    }
  }
}

TEST(RetentionTest, RetentionMsGoesByTheNewestTimestampOfEachSegmentFromTheOldest) {
  for (bool durable : {false, true}) {
    SCOPED_TRACE(durable ? "durable" : "in memory");
    TempDir dir;
    const size_t s = MakeBatch(2, 1000).size();
    std::unique_ptr<PartitionLog> log = durable ? std::move(Open(dir.path(), 2 * s).log) : std::make_unique<PartitionLog>(2 * s);
    const int64_t hour = 3600 * 1000;
    const int64_t now = 100 * hour;
    // Segment 2 has an old and a new batch; segment 3 is old again but comes after it.
    for (int64_t ts : {now - 10 * hour, now - 9 * hour}) {
      log->Append(MakeBatch(2, ts), 0);
      log->Append(MakeBatch(2, ts), 0);
    }
    log->Append(MakeBatch(2, now - 8 * hour), 0);
    log->Append(MakeBatch(2, now - 1000), 0);
    log->Append(MakeBatch(2, now - 7 * hour), 0);
    log->Append(MakeBatch(2, now - 7 * hour), 0);
    log->Append(MakeBatch(2, now - 7 * hour), 0);  // active
    log->set_high_watermark(log->log_end_offset());
    ASSERT_EQ(log->segment_count(), 5u);
    PartitionLog::RetentionResult r = log->DeleteOldSegments(now, 2 * hour, -1);
    EXPECT_EQ(r.segments, 2);
    EXPECT_NE(r.reason.find("retention.ms"), std::string::npos);
    EXPECT_EQ(log->log_start_offset(), 8);
    // -1: forever.
    EXPECT_EQ(log->DeleteOldSegments(now + 1000 * hour, -1, -1).segments, 0);
    // Later everything has expired, but the active segment stays.
    r = log->DeleteOldSegments(now + 1000 * hour, 2 * hour, -1);
    EXPECT_EQ(r.segments, 2);
    EXPECT_EQ(log->segment_count(), 1u);
    EXPECT_EQ(log->log_start_offset(), 16);
  }
}

TEST(RetentionTest, SizeThenTimeInOnePass) {
  const size_t s = MakeBatch(2, 1000).size();
  PartitionLog log(2 * s);
  const int64_t now = 1000000;
  Bytes batch;
  Fill(&log, {now - 500000, now - 500000, now, now - 500000, now}, &batch);
  // retention.bytes 7s of 10s: the excess 3s holds segment 0 only; retention.ms then takes
  // segment 1 and stops at segment 2, which is new (segment 3 is old, but behind it).
  PartitionLog::RetentionResult r = log.DeleteOldSegments(now, 1000, static_cast<int64_t>(7 * s));
  EXPECT_EQ(r.segments, 2);
  EXPECT_EQ(r.reason, "retention.bytes " + std::to_string(7 * s) + " (log size " + std::to_string(10 * s) +
                          "), retention.ms 1000");
  EXPECT_EQ(log.log_start_offset(), 8);
}

}  // namespace
}  // namespace kclient::broker
