// Fuzzes record batch decoding, decompression included: a `records` field as a fetch returns it.
#include <cstddef>
#include <cstdint>

#include "protocol/record_batch.h"
#include "util/byte_buffer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace kp = kclient::protocol;
  kp::BatchIterator batches({data, size});
  kp::RecordBatchHeader header;
  kp::ByteSpan batch;
  kclient::util::ByteBuffer scratch;
  while (batches.Next(&header, &batch)) {
    // Without CRC verification too, so that the fuzzer reaches the record parser.
    for (bool verify : {true, false}) {
      kp::RecordIterator records(header, batch, &scratch, 1 << 20, verify);
      kp::Record r;
      size_t total = 0;
      while (records.Next(&r)) {
        total += r.key ? r.key->size() : 0;
        total += r.value ? r.value->size() : 0;
        for (const auto& h : r.headers) total += h.key.size();
      }
      (void)total;
    }
  }
  return 0;
}
