// CsvReader: the RFC 4180 RecordReader. It decodes the source chunk by chunk
// (1 MiB by default) into one UTF-8 buffer that holds at most the current
// record plus one chunk, so memory is bounded by the limits in ReaderOptions,
// not by the file size. Malformed records (a stray quote, text after a
// closing quote, a field or record too long, too many fields, an
// unterminated quote) are row errors and reading goes on; an unterminated
// quote resynchronises at the physical line after the record's start, so it
// cannot swallow the rest of the file. Thread-safety: one reader, one thread.
#pragma once

#include <cstddef>
#include <memory>
#include <string>

#include "core/result.h"
#include "io/byte_source.h"
#include "io/encoding.h"
#include "io/record_reader.h"

namespace ichigen::io {

inline constexpr size_t kCsvChunkBytes = 1 << 20;

// `prefix` holds bytes already taken from `source` (the sniffed sample); they
// come first. `chunk_bytes` is exposed so tests can put boundaries anywhere.
core::Result<std::unique_ptr<RecordReader>> OpenCsvReader(
    std::unique_ptr<ByteSource> source, std::string prefix, Encoding encoding,
    const ReaderOptions& options, size_t chunk_bytes = kCsvChunkBytes);

}  // namespace ichigen::io
