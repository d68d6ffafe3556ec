#!/usr/bin/python3
"""Regenerates the golden byte images in compression_test.cc (prints C++ arrays to stdout).

Not run by CI: it needs tools and modules the build does not install. On Debian bookworm:
  apt-get install -y python3-kafka python3-snappy python3-lz4 python3-zstandard lz4 zstd gzip
  /usr/bin/python3 tests/unit/protocol/compression_golden_vectors.py

Every image comes from an implementation other than kclient's codec code: GNU gzip, Python's
zlib/gzip modules, kafka-python's codec module (xerial snappy framing, lz4 frames), the lz4
and zstd command-line tools, python-zstandard, and a deliberately naive pure-Python LZ4 block
encoder wrapped in the exact frame Kafka's Java Lz4BlockOutputStream writes. Each image is
checked against the peer's own decoder before it is printed. Rerunning reproduces every
image for the tool versions above except kKafkaPythonGzip, whose header carries the current
time (kafka-python sets the gzip mtime); any run's output is equally valid.
"""
import gzip, subprocess, struct, zlib
import kafka.codec as kc
import lz4.frame, snappy, zstandard

TEXT = b"kclient golden vector: the quick brown fox jumps over the lazy dog. " * 3 + b"0123456789"

def xxh32(data, seed=0):
    P1, P2, P3, P4, P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
    M = 0xFFFFFFFF
    rotl = lambda x, r: ((x << r) | (x >> (32 - r))) & M
    n = len(data); i = 0
    if n >= 16:
        v = [(seed + P1 + P2) & M, (seed + P2) & M, seed & M, (seed - P1) & M]
        while i + 16 <= n:
            for k in range(4):
                lane = struct.unpack_from('<I', data, i); i += 4
                v[k] = (rotl((v[k] + lane[0] * P2) & M, 13) * P1) & M
        h = (rotl(v[0], 1) + rotl(v[1], 7) + rotl(v[2], 12) + rotl(v[3], 18)) & M
    else:
        h = (seed + P5) & M
    h = (h + n) & M
    while i + 4 <= n:
        h = (rotl((h + struct.unpack_from('<I', data, i)[0] * P3) & M, 17) * P4) & M; i += 4
    while i < n:
        h = (rotl((h + data[i] * P5) & M, 11) * P1) & M; i += 1
    h ^= h >> 15; h = (h * P2) & M; h ^= h >> 13; h = (h * P3) & M; h ^= h >> 16
    return h

def lz4_block_literals_and_matches(src):
    """A deliberately naive, independent LZ4 block encoder (greedy, 4-byte hash)."""
    out = bytearray(); anchor = 0; i = 0; table = {}
    n = len(src)
    def emit(lit, mlen, off):
        token_lit = min(len(lit), 15)
        token_m = 0 if mlen is None else min(mlen - 4, 15)
        out.append((token_lit << 4) | token_m)
        if len(lit) >= 15:
            r = len(lit) - 15
            while r >= 255: out.append(255); r -= 255
            out.append(r)
        out.extend(lit)
        if mlen is not None:
            out.extend(struct.pack('<H', off))
            if mlen - 4 >= 15:
                r = mlen - 4 - 15
                while r >= 255: out.append(255); r -= 255
                out.append(r)
    # LZ4 rules: last 5 bytes are literals; a match must start >= 12 bytes before the end.
    while i + 12 <= n:
        key = src[i:i+4]
        j = table.get(key); table[key] = i
        if j is not None and i - j <= 65535:
            m = 4
            while i + m < n - 5 and src[j+m] == src[i+m]: m += 1
            emit(src[anchor:i], m, i - j)
            i += m; anchor = i
        else:
            i += 1
    emit(src[anchor:], None, 0)
    return bytes(out)

def java_style_lz4_frame(data, stored=False):
    """Frame as Kafka's Lz4BlockOutputStream writes it: FLG=0x60, BD=0x40, one block, end mark."""
    flg, bd = 0x60, 0x40
    hc = (xxh32(bytes([flg, bd])) >> 8) & 0xFF
    if stored:  # Lz4BlockOutputStream stores incompressible blocks raw, flagged by bit 31.
        return struct.pack('<I', 0x184D2204) + bytes([flg, bd, hc]) + struct.pack('<I', len(data) | 0x80000000) + data + struct.pack('<I', 0)
    block = lz4_block_literals_and_matches(data)
    assert lz4.block.decompress(block, uncompressed_size=len(data)) == data
    return struct.pack('<I', 0x184D2204) + bytes([flg, bd, hc]) + struct.pack('<I', len(block)) + block + struct.pack('<I', 0)

import lz4.block
vectors = {}
vectors['kGnuGzip'] = subprocess.run(['gzip', '-9', '-n', '-c'], input=TEXT, capture_output=True, check=True).stdout
two = subprocess.run(['gzip', '-1', '-n', '-c'], input=TEXT[:100], capture_output=True, check=True).stdout + \
      subprocess.run(['gzip', '-1', '-n', '-c'], input=TEXT[100:], capture_output=True, check=True).stdout
vectors['kGnuGzipTwoMembers'] = two
vectors['kKafkaPythonGzip'] = kc.gzip_encode(TEXT)
vectors['kPythonZlib'] = zlib.compress(TEXT, 9)
vectors['kKafkaPythonXerialSnappy'] = kc.snappy_encode(TEXT, xerial_compatible=True, xerial_blocksize=64)
vectors['kKafkaPythonRawSnappy'] = kc.snappy_encode(TEXT, xerial_compatible=False)
vectors['kKafkaPythonLz4'] = kc.lz4_encode(TEXT)
vectors['kLz4Cli'] = subprocess.run(['lz4', '-9', '-c'], input=TEXT, capture_output=True, check=True).stdout
vectors['kPythonLz4Checksums'] = lz4.frame.compress(TEXT, block_checksum=True, content_checksum=True, store_size=False)
vectors['kJavaStyleLz4'] = java_style_lz4_frame(TEXT)
SHORT = b'Kafka!'
vectors['kJavaStyleLz4Stored'] = java_style_lz4_frame(SHORT, stored=True)
vectors['kKafkaPythonZstd'] = kc.zstd_encode(TEXT)
vectors['kZstdCliStreamed'] = subprocess.run(['zstd', '-19', '-c'], input=TEXT, capture_output=True, check=True).stdout
cobj = zstandard.ZstdCompressor(level=3).compressobj()
vectors['kPythonZstdNoContentSize'] = cobj.compress(TEXT) + cobj.flush()

# Sanity: every vector decodes to TEXT with the peer's own decoder.
assert gzip.decompress(vectors['kGnuGzip']) == TEXT
assert gzip.decompress(vectors['kGnuGzipTwoMembers']) == TEXT
assert kc.snappy_decode(vectors['kKafkaPythonXerialSnappy']) == TEXT
assert kc.lz4_decode(vectors['kKafkaPythonLz4']) == TEXT
assert lz4.frame.decompress(vectors['kJavaStyleLz4']) == TEXT
assert lz4.frame.decompress(vectors['kPythonLz4Checksums']) == TEXT
assert lz4.frame.decompress(vectors['kJavaStyleLz4Stored']) == SHORT
assert zstandard.ZstdDecompressor().decompressobj().decompress(vectors['kZstdCliStreamed']) == TEXT
assert zstandard.ZstdDecompressor().decompressobj().decompress(vectors['kPythonZstdNoContentSize']) == TEXT

print('// Plaintext: %r' % TEXT)
for name, data in vectors.items():
    print('constexpr uint8_t %s[] = {' % name)
    for k in range(0, len(data), 16):
        print('    ' + ', '.join('0x%02x' % b for b in data[k:k+16]) + ',')
    print('};')
print('// Kafka Java LZ4 header: ', ' '.join('%02x' % b for b in vectors['kJavaStyleLz4'][:7]))
