// serial_port: see serial_port.hpp. termios2 (asm/termbits.h) instead of <termios.h>, so that
// any baud rate (12 Mbaud for an FT2232H, say) is set exactly with BOTHER.
#include "serial_port.hpp"

#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <cstring>

#include "error.hpp"

namespace flimgru {

SerialPort::SerialPort(const std::string& path, unsigned baud) : path_(path), baud_(baud) {
  fd_ = ::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) throw file_error(path, std::string("cannot open: ") + std::strerror(errno));
  struct termios2 t;
  if (::ioctl(fd_, TCGETS2, &t) != 0) {
    int e = errno;
    ::close(fd_);
    throw file_error(path, std::string("not a serial port: ") + std::strerror(e));
  }
  t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY);
  t.c_oflag &= ~OPOST;
  t.c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
  t.c_cflag &= ~(CSIZE | PARENB | CSTOPB | CRTSCTS | CBAUD | (CBAUD << IBSHIFT));
  t.c_cflag |= CS8 | CREAD | CLOCAL | BOTHER | (BOTHER << IBSHIFT);
  t.c_ispeed = baud;
  t.c_ospeed = baud;
  t.c_cc[VMIN] = 0;
  t.c_cc[VTIME] = 0;
  if (::ioctl(fd_, TCSETS2, &t) != 0) {
    int e = errno;
    ::close(fd_);
    throw file_error(path, "cannot set " + std::to_string(baud) + " baud: " + std::strerror(e));
  }
  flush_input();
}

SerialPort::~SerialPort() {
  if (fd_ >= 0) ::close(fd_);
}

void SerialPort::write_all(const uint8_t* data, size_t n) {
  size_t done = 0;
  while (done < n) {
    ssize_t w = ::write(fd_, data + done, n - done);
    if (w > 0) {
      done += static_cast<size_t>(w);
    } else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
      struct pollfd p = {fd_, POLLOUT, 0};
      ::poll(&p, 1, 1000);
    } else {
      throw file_error(path_, std::string("write failed: ") + std::strerror(errno));
    }
  }
}

size_t SerialPort::read_some(uint8_t* buf, size_t cap, int timeout_ms) {
  struct pollfd p = {fd_, POLLIN, 0};
  int r = ::poll(&p, 1, timeout_ms);
  if (r < 0 && errno != EINTR) throw file_error(path_, std::string("poll: ") + std::strerror(errno));
  if (r <= 0) return 0;
  ssize_t n = ::read(fd_, buf, cap);
  if (n < 0) {
    if (errno == EAGAIN || errno == EINTR) return 0;
    throw file_error(path_, std::string("read failed: ") + std::strerror(errno));
  }
  return static_cast<size_t>(n);
}

void SerialPort::flush_input() { ::ioctl(fd_, TCFLSH, TCIFLUSH); }

}  // namespace flimgru
