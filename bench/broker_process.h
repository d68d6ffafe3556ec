// BrokerProcess: kclient-broker running as a child process, so that a benchmark's own CPU time
// (getrusage) is the client's alone. Start spawns it with an ephemeral loopback port and waits
// for the line where it prints its bootstrap.servers; the destructor stops it (SIGTERM, wait).
// Thread-safety: one owner thread.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

extern char** environ;

namespace kclient::bench {

class BrokerProcess {
 public:
  // nullptr (with the reason on stderr) when the broker does not come up within 30 s.
  static std::unique_ptr<BrokerProcess> Start(const std::string& binary, std::vector<std::string> extra_args = {}) {
    int out[2];
    if (::pipe2(out, O_CLOEXEC) != 0) return nullptr;
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> args = {binary, "--port", "0", "--host", "127.0.0.1"};
    args.insert(args.end(), extra_args.begin(), extra_args.end());
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    auto process = std::unique_ptr<BrokerProcess>(new BrokerProcess);
    const int rc = ::posix_spawn(&process->pid_, binary.c_str(), &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    process->out_ = out[0];
    if (rc != 0) {
      std::fprintf(stderr, "cannot start %s: %s\n", binary.c_str(), std::strerror(rc));
      process->pid_ = 0;
      return nullptr;
    }
    std::string seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
      pollfd pfd{process->out_, POLLIN, 0};
      if (::poll(&pfd, 1, 100) <= 0) continue;
      char buf[512];
      const ssize_t n = ::read(process->out_, buf, sizeof buf);
      if (n <= 0) break;  // exited
      seen.append(buf, static_cast<size_t>(n));
      const auto at = seen.find("bootstrap.servers=");
      const auto end = at == std::string::npos ? std::string::npos : seen.find('\n', at);
      if (end != std::string::npos) {
        process->bootstrap_ = seen.substr(at + 18, end - at - 18);
        return process;
      }
    }
    std::fprintf(stderr, "%s printed no bootstrap line within 30 s\n", binary.c_str());
    return nullptr;
  }

  ~BrokerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      int status = 0;
      ::waitpid(pid_, &status, 0);
    }
    if (out_ >= 0) ::close(out_);
  }

  const std::string& bootstrap_servers() const { return bootstrap_; }

 private:
  BrokerProcess() = default;
  pid_t pid_ = 0;
  int out_ = -1;
  std::string bootstrap_;
};

}  // namespace kclient::bench
