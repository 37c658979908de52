// files: the one way flimgru reads and writes files and directories. A read names the file and
// the problem (a directory, a missing or unreadable file); a write is whole or not at all, every
// write checked, and nothing is replaced that the user did not ask to replace.
//
// open_for_reading(path, &size): an open binary stream and its size; a directory, a missing or an
//   unreadable file is refused with its name. read_file_bytes(path): the whole file.
// write_file(path, fill): fill(stream) writes into a unique temporary beside PATH
//   (PATH.tmp-XXXXXX); every write and the close are checked; the temporary is renamed over PATH.
//   A PATH that is a directory, or whose folder does not exist, is refused with its name. On any
//   failure the temporary is removed and PATH is left as it was.
// write_dir(dir, marker, fill): fill(tmp_dir) fills a unique temporary directory beside DIR; it
//   must write the file MARKER (the file that identifies this kind of output: meta.json of a data
//   set, manifest.json of a ROM set, summary.json of an image) and is then swapped in. An
//   existing DIR is replaced only if it holds MARKER (an earlier output of the same kind) or is
//   empty; anything else is refused and left untouched. check_dir_replaceable() runs that test
//   up front, so a command can refuse before its slow part.
#pragma once
#include <cstdint>
#include <fstream>
#include <functional>
#include <ostream>
#include <string>

namespace flimgru {

std::ifstream open_for_reading(const std::string& path, uint64_t* size = nullptr);
std::string read_file_bytes(const std::string& path);

void write_file(const std::string& path, const std::function<void(std::ostream&)>& fill);
void write_file(const std::string& path, const std::string& bytes);
// Throws unless PATH could be written by write_file (its folder exists, it is not a directory).
void check_file_writable(const std::string& path);

void check_dir_replaceable(const std::string& dir, const std::string& marker);
void write_dir(const std::string& dir, const std::string& marker,
               const std::function<void(const std::string& tmp_dir)>& fill);

}  // namespace flimgru
