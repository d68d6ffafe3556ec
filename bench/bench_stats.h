// What the client benchmarks measure with and report: this process's CPU time, and medians.
// Thread-safety: pure functions.
#pragma once

#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <vector>

namespace kclient::bench {

// User plus system CPU seconds of this whole process (all its threads).
inline double ProcessCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         static_cast<double>(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// The median (the upper one of an even count); 0 for none.
inline double Median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Prints each client's median records/s and CPU microseconds per record, and kclient's ratios
// to librdkafka: the benchmarks' headline. Index 0 is kclient, 1 librdkafka.
inline void PrintMedians(const std::vector<double> (&rate)[2], const std::vector<double> (&cpu_us)[2]) {
  const double k_rate = Median(rate[0]), r_rate = Median(rate[1]);
  const double k_cpu = Median(cpu_us[0]), r_cpu = Median(cpu_us[1]);
  std::printf("median   kclient    %10.0f records/s  %6.3f us CPU/record\n", k_rate, k_cpu);
  std::printf("median   librdkafka %10.0f records/s  %6.3f us CPU/record\n", r_rate, r_cpu);
  std::printf("ratio    throughput kclient/librdkafka %.2fx, CPU per record kclient/librdkafka %.2fx\n",
              r_rate > 0 ? k_rate / r_rate : 0, r_cpu > 0 ? k_cpu / r_cpu : 0);
}

}  // namespace kclient::bench
