// files.hpp: whole-or-nothing writes, refusals that name the file, and directories replaced only
// when they are an earlier output of the same kind.
#include <filesystem>
#include <stdexcept>

#include "error.hpp"
#include "files.hpp"
#include "test_helpers.hpp"

namespace flimgru {
namespace {

namespace fs = std::filesystem;
using test::TempDir;

size_t entries(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

TEST(Files, WriteFileReplacesWholeAndLeavesNoTemporary) {
  TempDir d;
  write_file(d / "a.txt", "first");
  write_file(d / "a.txt", "second");
  EXPECT_EQ(test::slurp(d / "a.txt"), "second");
  EXPECT_EQ(entries(d.path), 1u);
}

TEST(Files, AFailedWriteLeavesTheOldFile) {
  TempDir d;
  write_file(d / "a.txt", "kept");
  EXPECT_THROW(write_file(d / "a.txt", [](std::ostream& f) {
                 f << "half";
                 throw std::runtime_error("writer failed");
               }),
               std::runtime_error);
  EXPECT_EQ(test::slurp(d / "a.txt"), "kept");
  EXPECT_EQ(entries(d.path), 1u);
}

TEST(Files, RefusalsNameTheFile) {
  TempDir d;
  fs::create_directories(d / "adir");
  EXPECT_ERROR_MENTIONS(write_file(d / "adir", "x"), "adir", "is a directory");
  EXPECT_ERROR_MENTIONS(write_file(d / "nodir/r.json", "x"), "nodir/r.json", "does not exist");
  EXPECT_ERROR_MENTIONS(read_file_bytes(d / "adir"), "adir", "is a directory");
  EXPECT_ERROR_MENTIONS(read_file_bytes(d / "missing.bin"), "missing.bin", "no such file");
  EXPECT_TRUE(fs::is_directory(d / "adir"));
}

TEST(Files, WriteDirReplacesOnlyItsOwnKind) {
  TempDir d;
  auto fill = [](const std::string& marker, const std::string& text) {
    return [=](const std::string& tmp) {
      write_file(tmp + "/" + marker, text);
      write_file(tmp + "/data.bin", text);
    };
  };
  write_dir(d / "out", "manifest.json", fill("manifest.json", "one"));
  write_dir(d / "out", "manifest.json", fill("manifest.json", "two"));  // an earlier output: replaced
  EXPECT_EQ(test::slurp(d / "out/data.bin"), "two");
  // a directory holding something else is not ours: refused and left exactly as it was
  fs::create_directories(d / "mine");
  test::spit(d / "mine/thesis.tex", "years of work");
  EXPECT_ERROR_MENTIONS(write_dir(d / "mine", "manifest.json", fill("manifest.json", "x")), "mine",
                        "not replacing");
  EXPECT_EQ(test::slurp(d / "mine/thesis.tex"), "years of work");
  EXPECT_EQ(entries(d / "mine"), 1u);
  // a file where the directory should go
  test::spit(d / "afile", "keep");
  EXPECT_ERROR_MENTIONS(write_dir(d / "afile", "manifest.json", fill("manifest.json", "x")), "afile");
  EXPECT_EQ(test::slurp(d / "afile"), "keep");
  // an empty directory may be filled; a failed fill leaves nothing behind
  fs::create_directories(d / "empty");
  EXPECT_THROW(write_dir(d / "empty", "manifest.json",
                         [](const std::string&) { throw std::runtime_error("fill failed"); }),
               std::runtime_error);
  EXPECT_TRUE(fs::is_empty(d / "empty"));
  write_dir(d / "empty", "manifest.json", fill("manifest.json", "ok"));
  EXPECT_EQ(test::slurp(d / "empty/data.bin"), "ok");
  EXPECT_EQ(entries(d.path), 4u);  // out, mine, afile, empty: no temporaries left
}

}  // namespace
}  // namespace flimgru
