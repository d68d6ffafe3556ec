// The spool on disk: entries round-trip through the segment format; a torn tail (a kill mid-
// append) and a corrupt entry end their segment and are counted, never returned; entries marked
// done stay done across reopening, and fully replayed segments are deleted; one Spool per
// directory; which delivery errors spool.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "container/spool_format.h"
#include "kclient/container/spool.h"
#include "temp_dir.h"

namespace kclient::container {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

SpooledRecord Record(const std::string& key, const std::string& value) {
  SpooledRecord r;
  r.record.topic = "orders";
  r.record.key = key;
  r.record.value = value;
  r.record.headers = {{"trace-id", "t-" + value}};
  r.record.timestamp_ms = 1700000000000;
  r.error = ErrorCode::kLocalTimedOut;
  r.error_message = "delivery.timeout.ms expired";
  r.spooled_at_ms = 1700000001000;
  return r;
}

std::unique_ptr<Spool> OpenSpool(const std::string& dir, int64_t segment_bytes = 64 * 1024 * 1024) {
  SpoolOptions o;
  o.directory = dir;
  o.segment_bytes = segment_bytes;
  auto spool = Spool::Open(o);
  EXPECT_TRUE(spool.ok()) << spool.status().ToString();
  return spool.ok() ? std::move(*spool) : nullptr;
}

std::vector<std::string> Values(const Spool& spool) {
  auto entries = spool.ReadPending(1000);
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  std::vector<std::string> out;
  if (entries.ok()) {
    for (const auto& e : *entries) out.push_back(e.spooled.record.value.value_or("<null>"));
  }
  return out;
}

std::vector<fs::path> Segments(const std::string& dir) {
  std::vector<fs::path> out;
  for (const auto& f : fs::directory_iterator(dir)) {
    if (f.path().extension() == ".spool") out.push_back(f.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

TEST(SpoolFormatTest, EntryRoundTripKeepsEveryField) {
  SpooledRecord r = Record("k", std::string("bin\0ary\xff", 8));
  r.record.partition = 7;
  r.record.headers.push_back({"null-valued", std::nullopt});
  r.record.headers.push_back({"", ""});
  SpooledRecord nulls;
  nulls.record.topic = "t";
  nulls.error = ErrorCode::kMessageTooLarge;
  for (const SpooledRecord& original : {r, nulls}) {
    std::string framed;
    spool_format::AppendFramedEntry(original, &framed);
    std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(framed.data()), framed.size());
    auto check = spool_format::CheckFrame(bytes, 1 << 20);
    ASSERT_EQ(check.kind, spool_format::FrameCheck::Kind::kEntry);
    ASSERT_EQ(check.size, framed.size());
    auto decoded = spool_format::DecodeSpooledRecord(bytes.subspan(spool_format::kFrameHeaderBytes));
    ASSERT_TRUE(decoded.ok()) << decoded.status().ToString();
    EXPECT_TRUE(*decoded == original);
  }
  auto nulls_back = [&] {
    std::string framed;
    spool_format::AppendFramedEntry(nulls, &framed);
    return spool_format::DecodeSpooledRecord(
        std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(framed.data()), framed.size()).subspan(8));
  }();
  ASSERT_TRUE(nulls_back.ok());
  EXPECT_FALSE(nulls_back->record.key.has_value()) << "a null key stays null, not empty";
  EXPECT_FALSE(nulls_back->record.partition.has_value());
  EXPECT_FALSE(nulls_back->record.timestamp_ms.has_value());
}

TEST(SpoolFormatTest, FrameCheckTellsTornFromCorrupt) {
  std::string framed;
  spool_format::AppendFramedEntry(Record("k", "v"), &framed);
  auto bytes = [](const std::string& s) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  using Kind = spool_format::FrameCheck::Kind;
  EXPECT_EQ(spool_format::CheckFrame(bytes(""), 1 << 20).kind, Kind::kEnd);
  EXPECT_EQ(spool_format::CheckFrame(bytes(framed.substr(0, 5)), 1 << 20).kind, Kind::kTorn);
  EXPECT_EQ(spool_format::CheckFrame(bytes(framed.substr(0, framed.size() - 1)), 1 << 20).kind, Kind::kTorn);
  std::string flipped = framed;
  flipped[flipped.size() - 3] ^= 0x01;
  EXPECT_EQ(spool_format::CheckFrame(bytes(flipped), 1 << 20).kind, Kind::kCorrupt);
  EXPECT_EQ(spool_format::CheckFrame(bytes(framed), 10).kind, Kind::kCorrupt) << "a length over the limit";
}

TEST(SpoolFormatTest, PositionFileRoundTripAndCrc) {
  spool_format::ReplayPosition p;
  p.base = {3, 120};
  p.done_after = {{3, 400}, {5, 8}};
  std::string bytes = spool_format::EncodeReplayPosition(p);
  auto span = [](const std::string& s) {
    return std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size());
  };
  auto back = spool_format::DecodeReplayPosition(span(bytes));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->base, p.base);
  EXPECT_EQ(back->done_after, p.done_after);
  bytes[10] ^= 0x40;
  EXPECT_EQ(spool_format::DecodeReplayPosition(span(bytes)).status().code(), ErrorCode::kLocalMalformed);
}

TEST(SpoolTest, EntriesSurviveReopeningInAppendOrder) {
  TempDir dir("spool");
  {
    auto spool = OpenSpool(dir.path());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(spool->Append(Record("k" + std::to_string(i % 2), std::to_string(i))).ok());
    EXPECT_EQ(spool->pending(), 5u);
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(spool->recovery().entries, 5u);
  EXPECT_EQ(spool->recovery().pending, 5u);
  EXPECT_EQ(spool->recovery().skipped_bytes, 0u);
  EXPECT_EQ(Values(*spool), (std::vector<std::string>{"0", "1", "2", "3", "4"}));
  auto entries = spool->ReadPending(10);
  ASSERT_TRUE(entries.ok());
  EXPECT_TRUE((*entries)[3].spooled == Record("k1", "3"));
  auto two = spool->ReadPending(2);
  ASSERT_TRUE(two.ok());
  EXPECT_EQ(two->size(), 2u);
}

TEST(SpoolTest, TornTailIsIgnoredAndNewEntriesGoToANewSegment) {
  TempDir dir("spool");
  {
    auto spool = OpenSpool(dir.path());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(spool->Append(Record("k", std::to_string(i))).ok());
  }
  auto segments = Segments(dir.path());
  ASSERT_EQ(segments.size(), 1u);
  const auto size = fs::file_size(segments[0]);
  fs::resize_file(segments[0], size - 5);  // the last append cut short
  {
    auto spool = OpenSpool(dir.path());
    EXPECT_EQ(spool->recovery().entries, 2u);
    EXPECT_EQ(spool->recovery().damaged_segments, 1u);
    EXPECT_GT(spool->recovery().skipped_bytes, 0u);
    EXPECT_EQ(Values(*spool), (std::vector<std::string>{"0", "1"}));
    ASSERT_TRUE(spool->Append(Record("k", "3")).ok());
  }
  EXPECT_EQ(Segments(dir.path()).size(), 2u) << "never appended after a torn tail";
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(Values(*spool), (std::vector<std::string>{"0", "1", "3"}));
}

TEST(SpoolTest, CorruptEntryEndsItsSegment) {
  TempDir dir("spool");
  {
    auto spool = OpenSpool(dir.path());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(spool->Append(Record("k", std::to_string(i))).ok());
  }
  auto segment = Segments(dir.path()).at(0);
  std::string bytes;
  {
    std::ifstream in(segment, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  std::string one;
  spool_format::AppendFramedEntry(Record("k", "0"), &one);
  // A bit flipped inside the second entry's payload.
  bytes[spool_format::kSegmentMagic.size() + one.size() + 20] ^= 0x08;
  {
    std::ofstream out(segment, std::ios::binary | std::ios::trunc);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(spool->recovery().entries, 1u);
  EXPECT_EQ(spool->recovery().damaged_segments, 1u);
  EXPECT_EQ(Values(*spool), (std::vector<std::string>{"0"}));
}

TEST(SpoolTest, DoneEntriesStayDoneAcrossReopeningAndFinishedSegmentsAreDeleted) {
  TempDir dir("spool");
  std::vector<SpoolPosition> positions;
  {
    auto spool = OpenSpool(dir.path());
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(spool->Append(Record("k", std::to_string(i))).ok());
    auto entries = spool->ReadPending(10);
    ASSERT_TRUE(entries.ok());
    for (const auto& e : *entries) positions.push_back(e.position);
    std::vector<SpoolPosition> first_and_third = {positions[0], positions[2]};
    ASSERT_TRUE(spool->MarkDone(first_and_third).ok());
    EXPECT_EQ(spool->pending(), 3u);
  }
  {
    auto spool = OpenSpool(dir.path());
    EXPECT_EQ(spool->recovery().entries, 5u);
    EXPECT_EQ(spool->recovery().pending, 3u);
    EXPECT_EQ(Values(*spool), (std::vector<std::string>{"1", "3", "4"}));
    std::vector<SpoolPosition> rest = {positions[1], positions[3], positions[4], positions[4]};
    ASSERT_TRUE(spool->MarkDone(rest).ok());
    EXPECT_EQ(spool->pending(), 0u);
    EXPECT_TRUE(Segments(dir.path()).empty()) << "a fully replayed segment is deleted";
  }
  {
    auto spool = OpenSpool(dir.path());
    EXPECT_EQ(spool->pending(), 0u);
    ASSERT_TRUE(spool->Append(Record("k", "5")).ok());
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_EQ(Values(*spool), (std::vector<std::string>{"5"})) << "appends after a full replay are pending";
}

TEST(SpoolTest, SegmentsRollAndOnlyFinishedOnesAreDeleted) {
  TempDir dir("spool");
  auto spool = OpenSpool(dir.path(), 4096);
  const std::string big(1000, 'x');
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(spool->Append(Record("k", big + std::to_string(i))).ok());
  const size_t rolled = Segments(dir.path()).size();
  EXPECT_GE(rolled, 3u);
  auto entries = spool->ReadPending(4);
  ASSERT_TRUE(entries.ok());
  std::vector<SpoolPosition> first4;
  for (const auto& e : *entries) first4.push_back(e.position);
  ASSERT_TRUE(spool->MarkDone(first4).ok());
  EXPECT_LT(Segments(dir.path()).size(), rolled);
  EXPECT_EQ(spool->pending(), 6u);
  auto rest = spool->ReadPending(100);
  ASSERT_TRUE(rest.ok());
  ASSERT_EQ(rest->size(), 6u);
  EXPECT_EQ(*(*rest)[0].spooled.record.value, big + "4");
}

TEST(SpoolTest, CorruptPositionFileReplaysEverythingRatherThanLosingAnything) {
  TempDir dir("spool");
  {
    auto spool = OpenSpool(dir.path());
    for (int i = 0; i < 3; ++i) ASSERT_TRUE(spool->Append(Record("k", std::to_string(i))).ok());
    auto entries = spool->ReadPending(1);
    ASSERT_TRUE(entries.ok());
    std::vector<SpoolPosition> first = {(*entries)[0].position};
    ASSERT_TRUE(spool->MarkDone(first).ok());
  }
  {
    std::fstream f(dir.path() + "/replay.position", std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(9);
    f.put('\x7f');
  }
  auto spool = OpenSpool(dir.path());
  EXPECT_TRUE(spool->recovery().position_unreadable);
  EXPECT_EQ(Values(*spool), (std::vector<std::string>{"0", "1", "2"}));
}

TEST(SpoolTest, OneSpoolPerDirectoryAndOptionsAreChecked) {
  TempDir dir("spool");
  auto first = OpenSpool(dir.path());
  SpoolOptions o;
  o.directory = dir.path();
  EXPECT_EQ(Spool::Open(o).status().code(), ErrorCode::kLocalIllegalState);
  first.reset();
  EXPECT_TRUE(Spool::Open(o).ok()) << "the lock goes with the Spool";

  SpoolOptions bad;
  EXPECT_EQ(Spool::Open(bad).status().code(), ErrorCode::kLocalInvalidConfig);
  bad.directory = dir.path();
  bad.segment_bytes = 100;
  EXPECT_EQ(Spool::Open(bad).status().code(), ErrorCode::kLocalInvalidConfig);

  TempDir small_dir("spool");
  SpoolOptions small;
  small.directory = small_dir.path();
  small.max_entry_bytes = 1024;
  auto spool = Spool::Open(small);
  ASSERT_TRUE(spool.ok());
  EXPECT_EQ((*spool)->Append(Record("k", std::string(2000, 'x'))).code(), ErrorCode::kLocalInvalidArgument);
  EXPECT_EQ((*spool)->pending(), 0u);
}

TEST(SpoolTest, WhichDeliveryErrorsSpool) {
  for (ErrorCode transient : {ErrorCode::kLocalTimedOut, ErrorCode::kLocalTransport, ErrorCode::kLocalBufferExhausted,
                              ErrorCode::kNotLeaderOrFollower, ErrorCode::kNotEnoughReplicas,
                              ErrorCode::kBrokerNotAvailable, ErrorCode::kLocalClosed}) {
    EXPECT_TRUE(ShouldSpool(transient)) << ErrorName(transient);
  }
  for (ErrorCode refused : {ErrorCode::kMessageTooLarge, ErrorCode::kRecordListTooLarge, ErrorCode::kInvalidRecord}) {
    EXPECT_TRUE(ShouldSpool(refused)) << ErrorName(refused) << " is kept as a dead letter";
  }
  for (ErrorCode own : {ErrorCode::kNone, ErrorCode::kLocalSerialization, ErrorCode::kLocalInvalidArgument,
                        ErrorCode::kInvalidTopicException, ErrorCode::kTopicAuthorizationFailed}) {
    EXPECT_FALSE(ShouldSpool(own)) << ErrorName(own);
  }
}

}  // namespace
}  // namespace kclient::container
