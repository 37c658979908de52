// board_process.hpp: the virtual board as a child process for the tests. The constructor starts
// the executable with the given arguments and reads the pseudo-terminal path it prints on its
// first line; the destructor stops it (SIGTERM) and reaps it, also when an assertion failed.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

class BoardProcess {
 public:
  BoardProcess(const char* exe, const std::vector<std::string>& args) {
    int out[2];
    if (pipe(out) != 0) return;
    pid_ = fork();
    if (pid_ == 0) {
      dup2(out[1], 1);
      close(out[0]);
      std::vector<char*> argv{const_cast<char*>(exe)};
      for (const std::string& a : args) argv.push_back(const_cast<char*>(a.c_str()));
      argv.push_back(nullptr);
      execv(exe, argv.data());
      _exit(127);
    }
    close(out[1]);
    fd_ = out[0];
    char c;
    while (pid_ > 0 && read(fd_, &c, 1) == 1 && c != '\n') pty_ += c;
  }
  ~BoardProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
    if (fd_ >= 0) close(fd_);
  }
  BoardProcess(const BoardProcess&) = delete;
  BoardProcess& operator=(const BoardProcess&) = delete;

  // The pseudo-terminal the board listens on; empty if it could not be started.
  const std::string& pty() const { return pty_; }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string pty_;
};
