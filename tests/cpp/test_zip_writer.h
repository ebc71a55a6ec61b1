// test_zip_writer.h: a small zip writer for the zip and EPUB tests, written
// from the APPNOTE independently of cpp/parse, with knobs to write what a
// careful writer never would (wrong sizes, CRCs, flags, methods, overlaps).
//
// Thread safety: pure functions.
#pragma once

#include <zlib.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tomes::test {

struct TestMember {
  std::string name;
  std::string data;                 // the member's uncompressed bytes
  std::uint16_t method = 8;         // 0 stored, 8 deflated; anything else: data written stored
  std::uint16_t flags = 0;          // bit 3 (data descriptor) is also honoured in the layout
  bool zip64_extra = false;         // sizes and offset in a ZIP64 extra field of the central directory
  std::optional<std::uint64_t> claimed_size;             // central directory's uncompressed size
  std::optional<std::uint32_t> claimed_crc;               // central directory's CRC-32
  std::optional<std::uint64_t> claimed_compressed_size;   // central directory's compressed size
  std::optional<std::uint64_t> claimed_offset;            // central directory's local header offset
  std::optional<std::string> local_name;                  // the name in the local header
};

// A member of name and data, deflated (method 8) or as method says.
inline TestMember make_member(const std::string& name, const std::string& data, std::uint16_t method = 8) {
  TestMember m;
  m.name = name;
  m.data = data;
  m.method = method;
  return m;
}

struct TestZipOptions {
  bool zip64_end = false;   // a ZIP64 end record and locator before the EOCD
  std::string comment;      // the EOCD's comment
  std::string prefix;       // bytes before the first member (offsets from the start of the file)
};

inline void put16(std::string* s, std::uint32_t v) {
  s->push_back(static_cast<char>(v & 0xFF));
  s->push_back(static_cast<char>((v >> 8) & 0xFF));
}
inline void put32(std::string* s, std::uint32_t v) {
  put16(s, v & 0xFFFF);
  put16(s, v >> 16);
}
inline void put64(std::string* s, std::uint64_t v) {
  put32(s, static_cast<std::uint32_t>(v));
  put32(s, static_cast<std::uint32_t>(v >> 32));
}

// Raw deflate (no zlib header), as zip members hold it.
inline std::string raw_deflate(const std::string& data, int level = 6) {
  z_stream zs{};
  deflateInit2(&zs, level, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY);
  std::string out(deflateBound(&zs, data.size()) + 16, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(&out[0]);
  zs.avail_out = static_cast<uInt>(out.size());
  deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

inline std::uint32_t crc_of(const std::string& data) {
  return static_cast<std::uint32_t>(
      ::crc32(0, reinterpret_cast<const Bytef*>(data.data()), static_cast<uInt>(data.size())));
}

inline std::string build_zip(const std::vector<TestMember>& members, const TestZipOptions& options = {}) {
  std::string out = options.prefix;
  std::string central;
  for (const TestMember& m : members) {
    const std::string body = m.method == 8 ? raw_deflate(m.data) : m.data;
    const std::uint32_t crc = crc_of(m.data);
    const std::uint64_t offset = out.size();
    const std::string& local_name = m.local_name ? *m.local_name : m.name;
    const bool descriptor = (m.flags & 8) != 0;
    put32(&out, 0x04034b50);
    put16(&out, 20);
    put16(&out, m.flags);
    put16(&out, m.method);
    put32(&out, 0);  // time, date
    put32(&out, descriptor ? 0 : crc);
    put32(&out, descriptor ? 0 : static_cast<std::uint32_t>(body.size()));
    put32(&out, descriptor ? 0 : static_cast<std::uint32_t>(m.data.size()));
    put16(&out, static_cast<std::uint32_t>(local_name.size()));
    put16(&out, 0);
    out += local_name;
    out += body;
    if (descriptor) {
      put32(&out, 0x08074b50);
      put32(&out, crc);
      put32(&out, static_cast<std::uint32_t>(body.size()));
      put32(&out, static_cast<std::uint32_t>(m.data.size()));
    }
    const std::uint64_t usize = m.claimed_size.value_or(m.data.size());
    const std::uint64_t csize = m.claimed_compressed_size.value_or(body.size());
    const std::uint64_t where = m.claimed_offset.value_or(offset);
    std::string extra;
    if (m.zip64_extra) {
      put16(&extra, 1);
      put16(&extra, 24);
      put64(&extra, usize);
      put64(&extra, csize);
      put64(&extra, where);
    }
    put32(&central, 0x02014b50);
    put16(&central, 45);
    put16(&central, 45);
    put16(&central, m.flags);
    put16(&central, m.method);
    put32(&central, 0);
    put32(&central, m.claimed_crc.value_or(crc));
    put32(&central, m.zip64_extra ? 0xFFFFFFFF : static_cast<std::uint32_t>(csize));
    put32(&central, m.zip64_extra ? 0xFFFFFFFF : static_cast<std::uint32_t>(usize));
    put16(&central, static_cast<std::uint32_t>(m.name.size()));
    put16(&central, static_cast<std::uint32_t>(extra.size()));
    put16(&central, 0);  // comment
    put16(&central, 0);  // disk
    put16(&central, 0);  // internal attributes
    put32(&central, 0);  // external attributes
    put32(&central, m.zip64_extra ? 0xFFFFFFFF : static_cast<std::uint32_t>(where));
    central += m.name;
    central += extra;
  }
  const std::uint64_t cd_offset = out.size();
  out += central;
  if (options.zip64_end) {
    const std::uint64_t record = out.size();
    put32(&out, 0x06064b50);
    put64(&out, 44);
    put16(&out, 45);
    put16(&out, 45);
    put32(&out, 0);
    put32(&out, 0);
    put64(&out, members.size());
    put64(&out, members.size());
    put64(&out, central.size());
    put64(&out, cd_offset);
    put32(&out, 0x07064b50);
    put32(&out, 0);
    put64(&out, record);
    put32(&out, 1);
  }
  put32(&out, 0x06054b50);
  put16(&out, 0);
  put16(&out, 0);
  const std::uint32_t count = options.zip64_end ? 0xFFFF : static_cast<std::uint32_t>(members.size() & 0xFFFF);
  put16(&out, count);
  put16(&out, count);
  put32(&out, options.zip64_end ? 0xFFFFFFFF : static_cast<std::uint32_t>(central.size()));
  put32(&out, options.zip64_end ? 0xFFFFFFFF : static_cast<std::uint32_t>(cd_offset));
  put16(&out, static_cast<std::uint32_t>(options.comment.size()));
  out += options.comment;
  return out;
}

// A minimal EPUB: container.xml, an OPF at opf_path with the given manifest
// (id, href, media type) and spine, and the members given.
struct TestItem {
  std::string id, href, media_type = "application/xhtml+xml";
};

inline std::string test_container(const std::string& opf_path) {
  return "<?xml version=\"1.0\"?>\n<container version=\"1.0\" "
         "xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\"><rootfiles>"
         "<rootfile full-path=\"" + opf_path + "\" media-type=\"application/oebps-package+xml\"/>"
         "</rootfiles></container>";
}

inline std::string test_opf(const std::vector<TestItem>& items, const std::vector<std::string>& spine) {
  std::string opf = "<?xml version=\"1.0\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\">"
                    "<metadata/><manifest>";
  for (const TestItem& i : items) {
    opf += "<item id=\"" + i.id + "\" href=\"" + i.href + "\" media-type=\"" + i.media_type + "\"/>";
  }
  opf += "</manifest><spine>";
  for (const std::string& s : spine) opf += "<itemref idref=\"" + s + "\"/>";
  return opf + "</spine></package>";
}

inline std::string test_chapter(const std::string& words) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<html xmlns=\"http://www.w3.org/1999/xhtml\">"
         "<head><title>t</title></head><body><p>" + words + "</p></body></html>";
}

}  // namespace tomes::test
