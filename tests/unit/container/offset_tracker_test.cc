// The contiguous offset tracker: completions in any order never let the committable offset pass
// a record that is not done; gaps in offsets (compaction, transaction markers) are crossed;
// redeliveries after a seek back are harmless.
#include "container/offset_tracker.h"

#include <gtest/gtest.h>

namespace kclient::container {
namespace {

TEST(OffsetTrackerTest, NothingCommittableUntilTheFirstRecordIsDone) {
  OffsetTracker t;
  t.Delivered(10);
  t.Delivered(11);
  EXPECT_FALSE(t.Committable());
  t.Completed(11);
  EXPECT_FALSE(t.Committable()) << "11 is done but 10 is not";
  EXPECT_EQ(t.pending(), 1u);
  t.Completed(10);
  EXPECT_EQ(t.Committable(), 12);
  EXPECT_EQ(t.pending(), 0u);
}

TEST(OffsetTrackerTest, OutOfOrderCompletionsStopAtTheFirstGapInProcessing) {
  OffsetTracker t;
  for (int64_t o = 0; o < 6; ++o) t.Delivered(o);
  t.Completed(0);
  t.Completed(2);
  t.Completed(3);
  t.Completed(5);
  EXPECT_EQ(t.Committable(), 1);
  t.Completed(1);
  EXPECT_EQ(t.Committable(), 4);
  t.Completed(4);
  EXPECT_EQ(t.Committable(), 6);
}

TEST(OffsetTrackerTest, OffsetGapsInTheLogAreCrossed) {
  OffsetTracker t;
  t.Delivered(3);
  t.Delivered(7);  // 4..6 were compacted away or are transaction markers
  t.Completed(7);
  EXPECT_FALSE(t.Committable());
  t.Completed(3);
  EXPECT_EQ(t.Committable(), 8);
}

TEST(OffsetTrackerTest, CompletingWhatWasNeverDeliveredDoesNothing) {
  OffsetTracker t;
  t.Delivered(0);
  t.Completed(1);
  EXPECT_FALSE(t.Committable());
  t.Completed(0);
  EXPECT_EQ(t.Committable(), 1);
  t.Completed(0);  // twice
  EXPECT_EQ(t.Committable(), 1);
  t.Delivered(0);  // below the committable point: already done
  EXPECT_EQ(t.pending(), 0u);
}

TEST(OffsetTrackerTest, RewindForgetsUndoneDeliveriesSoRedeliveryStartsClean) {
  OffsetTracker t;
  for (int64_t o = 0; o < 4; ++o) t.Delivered(o);
  t.Completed(0);
  t.Completed(2);  // acknowledged out of order
  t.Rewind(1);     // 1 failed; the consumer seeks back to 1
  EXPECT_EQ(t.pending(), 0u) << "1 and 3 forgotten, 2 kept as done";
  t.Delivered(1);
  t.Delivered(2);
  t.Delivered(3);
  EXPECT_EQ(t.Committable(), 1);
  t.Completed(1);
  EXPECT_EQ(t.Committable(), 3) << "2 was done before the rewind";
  t.Completed(3);
  EXPECT_EQ(t.Committable(), 4);
}

TEST(OffsetTrackerTest, HasUncommittedComparesWithTheLastCommit) {
  OffsetTracker t(5);
  EXPECT_FALSE(t.HasUncommitted());
  t.Delivered(5);
  t.Completed(5);
  EXPECT_TRUE(t.HasUncommitted());
  t.MarkCommitted(*t.Committable());
  EXPECT_FALSE(t.HasUncommitted());
  EXPECT_EQ(t.committed(), 6);
  t.MarkCommitted(3);  // an older commit's answer arriving late never moves it back
  EXPECT_EQ(t.committed(), 6);
}

}  // namespace
}  // namespace kclient::container
