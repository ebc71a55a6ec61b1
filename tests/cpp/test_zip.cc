// The zip reader (parse/zip_archive.h, zip_member.h) on archives built by
// test_zip_writer.h: every member reads back as written, ZIP64 records and
// data descriptors included; each hostile or damaged layout gives its
// documented reason. Expected bytes and reasons are written out by hand.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "check.h"
#include "parse/zip_archive.h"
#include "parse/zip_member.h"
#include "parse/zip_source.h"
#include "temp_files.h"
#include "test_zip_writer.h"

using tomes::Result;
using tomes::Status;
using tomes::parse::MemorySource;
using tomes::parse::ZipArchive;
using tomes::parse::ZipEntry;
using tomes::test::build_zip;
using tomes::test::TestMember;
using tomes::test::make_member;
using tomes::test::TestZipOptions;

namespace {

constexpr std::uint64_t kCap = std::uint64_t{256} << 20;

std::string open_error(const std::string& zip) {
  const MemorySource source(zip);
  Result<ZipArchive> archive = ZipArchive::open(source);
  return archive.is_ok() ? "ok" : archive.status().message();
}

// The bytes of member name, or "error: <reason>".
std::string member(const std::string& zip, const std::string& name, std::uint64_t cap = kCap) {
  const MemorySource source(zip);
  Result<ZipArchive> archive = ZipArchive::open(source);
  if (!archive.is_ok()) return "error: " + archive.status().message();
  const ZipEntry* e = archive.value().find(name);
  if (e == nullptr) return "error: missing";
  std::string out, scratch;
  const Status s = tomes::parse::read_member(source, *e, cap, &out, &scratch);
  return s.is_ok() ? out : "error: " + s.message();
}

std::string words(std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += "word" + std::to_string(i % 997) + (i % 13 ? " " : "\n");
  return out;
}

}  // namespace

TEST_CASE("not a zip: empty, short, text, a truncated end record") {
  CHECK_EQ(open_error(""), "not a zip archive");
  CHECK_EQ(open_error("PK"), "not a zip archive");
  CHECK_EQ(open_error("whale whale whale whale whale whale"), "not a zip archive");
  std::string eocd = "PK\x05\x06" + std::string(18, '\0');
  CHECK_EQ(open_error(eocd), "ok");  // an empty archive
  CHECK_EQ(open_error(eocd.substr(0, 21)), "not a zip archive");
  // A comment length pointing past the end of the file: no end record.
  eocd[20] = 5;
  CHECK_EQ(open_error(eocd), "not a zip archive");
  CHECK_EQ(open_error(eocd + "12345"), "ok");
}

TEST_CASE("stored and deflated members read back, found by name") {
  const std::string text = words(5000);
  const std::string zip = build_zip({make_member("mimetype", "application/epub+zip", 0), make_member("a/b.txt", text),
                                     make_member("empty", "", 8), make_member("empty-stored", "", 0)});
  CHECK_EQ(member(zip, "mimetype"), "application/epub+zip");
  CHECK(member(zip, "a/b.txt") == text);
  CHECK_EQ(member(zip, "empty"), "");
  CHECK_EQ(member(zip, "empty-stored"), "");
  CHECK_EQ(member(zip, "a/B.txt"), "error: missing");  // names are bytes, compared exactly
  CHECK_EQ(member(zip, "/a/b.txt"), "error: missing");
}

TEST_CASE("a comment after the end record, with a fake end record inside it") {
  TestZipOptions options;
  options.comment = "hello";
  CHECK_EQ(member(build_zip({make_member("x", "xyz")}, options), "x"), "xyz");
  // The comment holds bytes that look like an end record whose own comment
  // would run past the file: the real record before it is still found.
  options.comment = std::string("PK\x05\x06", 4) + std::string(16, '\0') + "\x40\x00";
  CHECK_EQ(member(build_zip({make_member("x", "xyz")}, options), "x"), "xyz");
}

TEST_CASE("ZIP64: extra fields and the 64-bit end record") {
  TestMember a = make_member("a", words(3000));
  a.zip64_extra = true;
  TestMember b = make_member("b", "bee", 0);
  b.zip64_extra = true;
  TestZipOptions options;
  options.zip64_end = true;
  const std::string zip = build_zip({a, b}, options);
  CHECK(member(zip, "a") == words(3000));
  CHECK_EQ(member(zip, "b"), "bee");
  // The locator pointing at garbage.
  std::string bad = zip;
  const std::size_t locator = bad.size() - 22 - 20;
  bad[locator + 8] = static_cast<char>(bad[locator + 8] + 1);
  CHECK_EQ(open_error(bad), "damaged zip archive: bad ZIP64 end record");
  // An extra field too short for the fields marked 0xFFFFFFFF.
  TestMember c = make_member("c", "sea");
  c.zip64_extra = true;
  std::string z = build_zip({c});
  const std::size_t extra_len_at = z.find(std::string("PK\x01\x02", 4)) + 30;
  z[extra_len_at] = 8;  // the extra's declared length: the field itself still says 24
  CHECK(open_error(z) != "ok");
}

TEST_CASE("data descriptors: sizes and CRC from the central directory") {
  TestMember a = make_member("chapter.xhtml", words(2000));
  a.flags = 8;
  TestMember b = make_member("s", "stored with a descriptor", 0);
  b.flags = 8;
  const std::string zip = build_zip({a, b, make_member("after", "still here")});
  CHECK(member(zip, "chapter.xhtml") == words(2000));
  CHECK_EQ(member(zip, "s"), "stored with a descriptor");
  CHECK_EQ(member(zip, "after"), "still here");
}

TEST_CASE("two members with one name: the later one wins") {
  const std::string zip = build_zip({make_member("x", "first"), make_member("x", "second")});
  CHECK_EQ(member(zip, "x"), "second");
  const std::string three = build_zip({make_member("b", "b1"), make_member("a", "a"), make_member("b", "b2"), make_member("c", "c"),
                                       make_member("b", "b3"), make_member("bb", "bb")});
  CHECK_EQ(member(three, "b"), "b3");
  CHECK_EQ(member(three, "a"), "a");
  CHECK_EQ(member(three, "bb"), "bb");
  CHECK_EQ(member(three, "c"), "c");
  CHECK_EQ(member(three, "ba"), "error: missing");
  CHECK_EQ(member(three, ""), "error: missing");
  CHECK_EQ(member(three, "d"), "error: missing");
}

TEST_CASE("overlapping members are a zip bomb") {
  TestMember a = make_member("a", words(100));
  TestMember b = make_member("b", words(100));
  b.claimed_offset = 0;  // b's entry points at a's local header: one stream, two members
  CHECK_EQ(open_error(build_zip({a, b})), "zip bomb: overlapping members");
  // c's compressed size claimed to run over d's local header (the quoted
  // overlap of Fifield's zip bomb): one byte is enough.
  TestMember c = make_member("c", words(100));
  c.claimed_compressed_size = tomes::test::raw_deflate(c.data).size() + 1;
  CHECK_EQ(open_error(build_zip({c, make_member("d", "dee")})), "zip bomb: overlapping members");
  // The last member's data claimed to run into the central directory.
  TestMember e = make_member("e", "eee", 0);
  e.claimed_compressed_size = 40;
  CHECK_EQ(open_error(build_zip({e})), "damaged zip archive: member data overlaps the central directory");
  // A local header offset past the central directory.
  TestMember f = make_member("f", "fff");
  f.claimed_offset = 100000;
  CHECK_EQ(open_error(build_zip({f})), "damaged zip archive: member data overlaps the central directory");
}

TEST_CASE("the central directory outside the file, or garbled") {
  std::string zip = build_zip({make_member("a", "alpha")});
  std::string far = zip;
  far[far.size() - 6] = 0x7F;  // cd offset's low byte... and the high byte below
  far[far.size() - 3] = 0x7F;
  CHECK_EQ(open_error(far), "damaged zip archive: central directory outside the file");
  std::string sig = zip;
  sig[sig.find(std::string("PK\x01\x02", 4)) + 3] = 9;
  CHECK_EQ(open_error(sig), "damaged zip archive: bad central directory entry");
  std::string name_len = zip;
  name_len[name_len.find(std::string("PK\x01\x02", 4)) + 28] = 100;  // a name past the directory
  CHECK_EQ(open_error(name_len), "damaged zip archive: bad central directory entry");
  // Bytes before the first member, offsets counted from the start of the
  // file (a self-extractor stub): a valid archive.
  TestZipOptions options;
  options.prefix = "#!/bin/sh\nexit 0\n";
  CHECK_EQ(member(build_zip({make_member("a", "alpha")}, options), "a"), "alpha");
}

TEST_CASE("local header consistency") {
  TestMember a = make_member("a.xhtml", "alpha");
  a.local_name = "b.xhtml";
  CHECK_EQ(member(build_zip({a}), "a.xhtml"), "error: damaged zip member a.xhtml: bad local header");
  std::string zip = build_zip({make_member("a.xhtml", "alpha")});
  zip[0] = 'Q';
  CHECK_EQ(member(zip, "a.xhtml"), "error: damaged zip member a.xhtml: bad local header");
  // The local extra length pushes the data past the next member.
  zip = build_zip({make_member("a.xhtml", "alpha"), make_member("b", "bee")});
  zip[28] = static_cast<char>(0xF0);
  CHECK_EQ(member(zip, "a.xhtml"), "error: damaged zip member a.xhtml: bad local header");
  CHECK_EQ(member(zip, "b"), "bee");
}

TEST_CASE("CRC, sizes and deflate data are checked") {
  TestMember a = make_member("a", "alpha beta");
  a.claimed_crc = tomes::test::crc_of("alpha beta") ^ 1;
  CHECK_EQ(member(build_zip({a}), "a"), "error: damaged zip member a: CRC mismatch");
  TestMember s = make_member("s", "stored", 0);
  s.claimed_crc = 0;
  CHECK_EQ(member(build_zip({s}), "s"), "error: damaged zip member s: CRC mismatch");
  TestMember longer = make_member("l", words(50));
  longer.claimed_size = words(50).size() - 1;
  CHECK_EQ(member(build_zip({longer}), "l"), "error: damaged zip member l: longer than its declared size");
  TestMember shorter = make_member("l", words(50));
  shorter.claimed_size = words(50).size() + 1;
  CHECK_EQ(member(build_zip({shorter}), "l"), "error: damaged zip member l: shorter than its declared size");
  TestMember stored = make_member("st", "stored", 0);
  stored.claimed_size = 7;
  CHECK_EQ(member(build_zip({stored}), "st"), "error: damaged zip member st: stored sizes differ");
  // Deflate data cut short (the compressed size claims fewer bytes).
  TestMember cut = make_member("c", words(2000));
  cut.claimed_compressed_size = tomes::test::raw_deflate(cut.data).size() / 2;
  CHECK_EQ(member(build_zip({cut}), "c"), "error: damaged zip member c: truncated deflate data");
  // Not deflate at all: 0xFF bytes are an invalid block type.
  TestMember garbage = make_member("g", std::string(64, '\xFF'), 0);
  std::string zip = build_zip({garbage});
  zip[8] = 8;                                              // local method
  zip[zip.find(std::string("PK\x01\x02", 4)) + 10] = 8;  // central method
  CHECK_EQ(member(zip, "g"), "error: damaged zip member g: bad deflate data");
}

TEST_CASE("encrypted members and other methods are refused with their reason") {
  TestMember enc = make_member("ch.xhtml", "secret");
  enc.flags = 1;
  CHECK_EQ(member(build_zip({enc}), "ch.xhtml"), "error: encrypted zip member ch.xhtml");
  TestMember strong = make_member("ch.xhtml", "secret");
  strong.flags = 1 << 6;
  CHECK_EQ(member(build_zip({strong}), "ch.xhtml"), "error: encrypted zip member ch.xhtml");
  CHECK_EQ(member(build_zip({make_member("x", "data", 99)}), "x"), "error: encrypted zip member x");
  CHECK_EQ(member(build_zip({make_member("x", "data", 12)}), "x"), "error: zip member x uses unsupported compression (bzip2)");
  CHECK_EQ(member(build_zip({make_member("x", "data", 14)}), "x"), "error: zip member x uses unsupported compression (LZMA)");
  CHECK_EQ(member(build_zip({make_member("x", "data", 95)}), "x"),
           "error: zip member x uses unsupported compression (method 95)");
}

TEST_CASE("zip bombs and the cap, refused before inflating") {
  // 20 MiB of zeros deflate to about 20 KB: over 8 MiB and 100 times.
  const std::string zeros(std::size_t{20} << 20, '\0');
  CHECK_EQ(member(build_zip({make_member("zeros", zeros)}), "zeros"),
           "error: zip bomb: member zeros inflates more than 100 times its size");
  // 4 GiB claimed by a ZIP64 extra field for a small member.
  TestMember claims = make_member("big.xhtml", words(100));
  claims.zip64_extra = true;
  claims.claimed_size = std::uint64_t{4} << 30;
  CHECK_EQ(member(build_zip({claims}), "big.xhtml"),
           "error: zip bomb: member big.xhtml inflates more than 100 times its size");
  // 7 MiB of zeros: under the 8 MiB floor, so not a bomb; the cap decides.
  const std::string seven(std::size_t{7} << 20, '\0');
  const std::string zip = build_zip({make_member("seven", seven)});
  CHECK(member(zip, "seven") == seven);
  CHECK_EQ(member(zip, "seven", seven.size() - 1),
           "error: zip member seven is larger than the cap of " + std::to_string(seven.size() - 1) + " bytes");
  CHECK(member(zip, "seven", seven.size()) == seven);
}

TEST_CASE("a truncated archive, cut at every point, is not a zip archive") {
  const std::string zip = build_zip({make_member("mimetype", "application/epub+zip", 0), make_member("a.txt", words(300)),
                                     make_member("b.txt", "bravo", 0)});
  for (std::size_t cut = 0; cut < zip.size(); ++cut) {
    CHECK_EQ(open_error(zip.substr(0, cut)), "not a zip archive");
  }
}

TEST_CASE("10,000 members: each found by name") {
  std::vector<TestMember> members;
  for (int i = 0; i < 10000; ++i) members.push_back(make_member("d/m" + std::to_string(i) + ".txt", std::to_string(i * 7), 0));
  TestZipOptions options;
  options.zip64_end = false;
  const std::string zip = build_zip(members, options);
  const MemorySource source(zip);
  Result<ZipArchive> archive = ZipArchive::open(source);
  CHECK(archive.is_ok());
  CHECK_EQ(archive.value().entries().size(), std::size_t{10000});
  std::string out, scratch;
  bool all = true;
  for (int i = 0; i < 10000; ++i) {
    const ZipEntry* e = archive.value().find("d/m" + std::to_string(i) + ".txt");
    all = all && e != nullptr && tomes::parse::read_member(source, *e, kCap, &out, &scratch).is_ok() &&
          out == std::to_string(i * 7);
  }
  CHECK(all);
}

TEST_CASE("member names in reasons are printable") {
  CHECK_EQ(tomes::parse::printable_member_name("a\nb\x01\xff" "c"), "a?b??c");
  CHECK_EQ(tomes::parse::printable_member_name("caf\xc3\xa9"), "caf\xc3\xa9");
  CHECK_EQ(tomes::parse::printable_member_name(std::string(200, 'x')), std::string(120, 'x') + "...");
}

int main() { return tomes::test::run_all(); }

TEST_CASE("a central directory over 64 MiB is refused before it is read") {
  // 70 MiB of zeros, then an end record whose directory (offset 0, 65 MiB)
  // lies inside the file: only its size is wrong.
  std::string zip(std::size_t{70} << 20, '\0');
  std::string end("PK\x05\x06", 4);
  const std::uint32_t fields[] = {0, 0x00010001u, 65u << 20, 0};  // disks; entries 1,1; size; offset
  for (std::uint32_t f : fields) {
    for (int i = 0; i < 4; ++i) end.push_back(static_cast<char>(f >> (8 * i)));
  }
  end += std::string(2, '\0');  // comment length
  zip += end;
  CHECK_EQ(open_error(zip), "damaged zip archive: central directory larger than 64 MiB");
}

TEST_CASE("sources: a read past the end, a file that shrank while it was read") {
  const MemorySource memory(std::string_view("abcdef"));
  std::string buffer;
  CHECK_EQ(memory.read(4, 3, &buffer).status().message(), "cannot read: past the end of the archive");
  CHECK(memory.read(4, 2, &buffer).is_ok());
  const std::string dir = tomes::test::temp_dir("test_zip");
  const std::string path = dir + "/shrinks.epub";
  tomes::test::write_file(path, std::string(4096, 'x'));
  auto file = tomes::parse::FileSource::open(path);
  CHECK(file.is_ok());
  if (!file.is_ok()) return;
  CHECK_EQ(file.value()->read(4000, 200, &buffer).status().message(), "cannot read: past the end of the archive");
  tomes::test::write_file(path, std::string(100, 'x'));  // truncated in place after it was opened
  CHECK_EQ(file.value()->read(50, 100, &buffer).status().message(),
           "cannot read: the file shrank while it was read");
  file.value().reset();
  std::remove(path.c_str());
  ::rmdir(dir.c_str());
}
