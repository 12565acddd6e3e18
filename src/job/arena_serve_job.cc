#include "job/arena_serve_job.h"

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "arena/arena_config.h"
#include "arena/arena_service.h"
#include "net/http_server.h"
#include "serve/openai_service.h"
#include "util/file.h"
#include "util/hex.h"
#include "util/sha256.h"

namespace kaif::job {
namespace {

std::string Env(const std::string& name) {
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
  return value ? value : "";
}

}  // namespace

Status RunArenaServe(const ArenaServeJob& job) {
  auto log = [&](const std::string& line) {
    if (job.log) job.log(line);
  };
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) received = signal;
  });

  KAIF_ASSIGN_OR_RETURN(arena::ArenaConfig config, arena::ReadArenaConfig(job.config));
  if (job.port >= 0) config.port = job.port;
  arena::ArenaSecrets secrets;
  secrets.admin_token = Env(config.admin_token_env);
  secrets.pow_secret = Env(config.secret_env);
  if (secrets.pow_secret.empty()) {
    // Several processes must share the secret; one process can make its own.
    if (secrets.admin_token.empty()) {
      KAIF_ASSIGN_OR_RETURN(secrets.pow_secret, RandomHex(32));
    } else {
      secrets.pow_secret = Sha256Hex("kaif-arena-pow:" + secrets.admin_token);
    }
    if (secrets.admin_token.empty()) {
      log(config.secret_env + " is not set: this process signs its own challenges (set it when several processes serve one arena)");
    }
  }
  if (secrets.admin_token.empty()) log(config.admin_token_env + " is not set: admin endpoints are off");
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<arena::ArenaStore> store, arena::ArenaStore::Open(config.database));
  std::vector<std::unique_ptr<arena::ChatModel>> models;
  for (const arena::ArenaModelConfig& m : config.models) {
    KAIF_ASSIGN_OR_RETURN(std::unique_ptr<arena::ChatModel> model, arena::OpenChatModel(m, config.backend_timeout_seconds));
    log(fmt::format("{}: {}", m.name, model->identity()));
    models.push_back(std::move(model));
  }
  const std::string host = config.host;
  const int port = config.port;
  const size_t threads = static_cast<size_t>(config.threads);
  const size_t io_threads = static_cast<size_t>(config.io_threads);
  const double idle_timeout = config.idle_timeout_seconds;
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<arena::ArenaService> service,
                        arena::ArenaService::Create(std::move(config), std::move(models), std::move(store), secrets, job.log));
  net::HttpServerOptions options;
  options.host = host;
  options.port = static_cast<uint16_t>(port);
  options.handler_threads = threads;
  options.io_threads = io_threads;
  options.quick = arena::ArenaService::AnswersQuickly;
  options.max_body_bytes = size_t{1} << 20;   // a prompt is at most a few thousand characters
  options.idle_timeout_seconds = idle_timeout;  // slow clients (slowloris) are cut off
  options.max_connections = 4096;
  options.error_response = serve::ErrorResponse;
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpServer> server,
                        net::HttpServer::Start(options, [&service](const net::HttpRequest& r) { return service->Handle(r); }));
  const bool v6 = host.find(':') != std::string::npos;
  log(fmt::format("listening on http://{}{}{}:{}/", v6 ? "[" : "", host, v6 ? "]" : "", server->port()));
  signals_io.run();
  log(fmt::format("{}: stopping", received == SIGINT ? "SIGINT" : "SIGTERM"));
  server->Stop();
  return Status::Ok();
}

Result<std::string> AddArenaExpert(const std::filesystem::path& config_path, const std::string& name) {
  if (name.empty() || name.size() > 128) return Status::InvalidInput("an expert's name is 1..128 characters");
  KAIF_ASSIGN_OR_RETURN(arena::ArenaConfig config, arena::ReadArenaConfig(config_path));
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<arena::ArenaStore> store, arena::ArenaStore::Open(config.database));
  KAIF_ASSIGN_OR_RETURN(std::string token, RandomHex(24));
  KAIF_RETURN_IF_ERROR(store->AddExpert(name, Sha256Hex(token)));
  return token;
}

Status ExportArena(const std::filesystem::path& config_path, const std::filesystem::path& out, const std::string& round) {
  KAIF_ASSIGN_OR_RETURN(arena::ArenaConfig config, arena::ReadArenaConfig(config_path));
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<arena::ArenaStore> store, arena::ArenaStore::Open(config.database));
  KAIF_ASSIGN_OR_RETURN(nlohmann::json exported, arena::ArenaExport(*store, config, round));
  return WriteFileAtomic(out, exported.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
}

}  // namespace kaif::job
