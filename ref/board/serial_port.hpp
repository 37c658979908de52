// serial_port: a serial line (USB-serial adapter or pseudo-terminal) in raw 8N1 mode at any baud
// rate, standard or not (Linux termios2 / BOTHER), with read time-outs. Linux only.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace flimgru {

class SerialPort {
 public:
  // Opens path (e.g. /dev/ttyUSB0, or the pty the virtual board prints) at baud, raw 8N1, no flow
  // control. Throws flimgru::Error naming the path on failure.
  SerialPort(const std::string& path, unsigned baud);
  ~SerialPort();
  SerialPort(const SerialPort&) = delete;
  SerialPort& operator=(const SerialPort&) = delete;

  void write_all(const uint8_t* data, size_t n);
  void write_all(const std::vector<uint8_t>& v) { write_all(v.data(), v.size()); }
  // Reads what is there, waiting up to timeout_ms for the first byte; returns the count (0 on
  // time-out).
  size_t read_some(uint8_t* buf, size_t cap, int timeout_ms);
  void flush_input();
  unsigned baud() const { return baud_; }
  int fd() const { return fd_; }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  unsigned baud_ = 0;
  int fd_ = -1;
};

}  // namespace flimgru
