// A real redis-server for tests: started on a free loopback port in a temp dir, killed and
// restarted on demand, stopped at the end. Tests that only need *a* Redis use the one
// scripts/test started (NIGHTJAR_TEST_REDIS_URL), each in its own namespace.
#ifndef NIGHTJAR_TESTS_REDIS_SERVER_H_
#define NIGHTJAR_TESTS_REDIS_SERVER_H_

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "store/redis_client.h"
#include "util/temp_dir.h"

namespace nightjar {

inline int FreeLoopbackPort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  socklen_t len = sizeof a;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    ::close(fd);
    return -1;
  }
  ::close(fd);
  return ntohs(a.sin_port);
}

class RedisServer {
 public:
  // persistent: append-only file fsynced on every write, so a restart keeps the data.
  explicit RedisServer(bool persistent = false) : persistent_(persistent) {
    port_ = FreeLoopbackPort();
  }
  ~RedisServer() { Kill(); }
  RedisServer(const RedisServer&) = delete;
  RedisServer& operator=(const RedisServer&) = delete;

  // Starts (or restarts) the server; true once it answers PING.
  bool Start() {
    std::vector<std::string> args = {"redis-server",
                                     "--port",
                                     std::to_string(port_),
                                     "--bind",
                                     "127.0.0.1",
                                     "--dir",
                                     dir_.path(),
                                     "--save",
                                     "",
                                     "--appendonly",
                                     persistent_ ? "yes" : "no",
                                     "--appendfsync",
                                     "always",
                                     "--logfile",
                                     dir_.Sub("redis.log"),
                                     "--daemonize",
                                     "no"};
    pid_ = ::fork();
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      ::execvp("redis-server", argv.data());
      ::_exit(127);
    }
    RedisEndpoint e;
    e.port = port_;
    e.connect_timeout = absl::Milliseconds(200);
    for (int i = 0; i < 100; ++i) {
      auto c = RedisConnection::Connect(e);
      if (c.ok() && (*c)->Command({"PING"}).ok()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
  }
  // SIGKILL: no shutdown save, connections reset.
  void Kill() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, nullptr, 0);
    pid_ = -1;
  }
  int port() const { return port_; }
  std::string Uri(const std::string& ns, const std::string& params = "") const {
    return "redis://127.0.0.1:" + std::to_string(port_) + "/0?namespace=" + ns + params;
  }

 private:
  bool persistent_;
  TempDir dir_;
  int port_ = -1;
  pid_t pid_ = -1;
};

// "redis://host:port" of the shared server (scripts/test's, or one started here on first use),
// and a namespace no other test uses.
inline std::string SharedRedisBase() {
  static std::string base = [] {
    const char* env = std::getenv("NIGHTJAR_TEST_REDIS_URL");
    if (env != nullptr && *env != '\0') return std::string(env);
    static RedisServer own;  // stopped at exit
    if (!own.Start()) return std::string("redis://127.0.0.1:1");
    return "redis://127.0.0.1:" + std::to_string(own.port());
  }();
  return base;
}

inline std::string UniqueNamespace() {
  static std::atomic<int> n{0};
  return "t" + std::to_string(::getpid()) + "-" + std::to_string(n++);
}

}  // namespace nightjar

#endif  // NIGHTJAR_TESTS_REDIS_SERVER_H_
