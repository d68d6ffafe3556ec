// The runs kclient-bench-run can perform, one family per client. Each run builds its own client
// with equivalent settings (bench/README: "Equivalent settings"), does the warm-up outside the
// measured window, measures, and closes the client. A run that cannot start (no broker, a bad
// setting) says why on stderr and returns a Measurement with records == 0.
// Thread-safety: each function is called once per process, from main.
#pragma once

#include "run/workload.h"

namespace kclient::bench {

// Setup, outside any measurement: create the run's topic (w.partitions, replication factor 1)
// and wait until the cluster knows it; fill it with w.records records; delete it.
bool CreateTopic(const Workload& w);
bool FillTopic(const Workload& w);
bool DeleteTopic(const Workload& w);

// Saturation: produce w.warmup records and flush, then w.records more as fast as the client
// takes them, waiting for every acknowledgement.
Measurement KclientProduce(const Workload& w);
Measurement LibrdkafkaProduce(const Workload& w);

// Saturation: read the w.records records of a filled topic from the beginning, with its
// partitions assigned (no group). The window is the whole read, from the first poll: a warm-up
// would let the client's prefetch (tens of MiB in every client) do the work off the clock.
Measurement KclientConsume(const Workload& w);
Measurement LibrdkafkaConsume(const Workload& w);

// Fixed rate: produce w.warmup + w.records records at w.rate records/s while a consumer of the
// same client reads them back; latencies of the measured records are taken from their intended
// send time (so a stalled send counts against the client, not the schedule).
Measurement KclientLatency(const Workload& w);
Measurement LibrdkafkaLatency(const Workload& w);

}  // namespace kclient::bench
