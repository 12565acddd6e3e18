#include "job/serve_job.h"

#include <fmt/format.h>

#include <csignal>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

#include "job/text_job.h"
#include "net/http_server.h"
#include "serve/openai_service.h"

namespace kaif::job {

Status RunServe(const ServeJob& job) {
  auto log = [&](const std::string& line) {
    if (job.log) job.log(line);
  };
  // Signals first, so that a SIGTERM while the model loads still ends the process cleanly.
  boost::asio::io_context signals_io;
  boost::asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  int received = 0;
  signals.async_wait([&](const boost::system::error_code& ec, int signal) {
    if (!ec) received = signal;
  });

  KAIF_ASSIGN_OR_RETURN(TextModel model, OpenTextModel(job.model, job.tokenizer, job.engine));
  std::filesystem::path dir = model.tokenizer_dir;
  if (!std::filesystem::is_directory(dir)) dir = dir.parent_path();
  std::unique_ptr<tokenizer::ModelChatTemplate> chat;
  if (Result<tokenizer::ModelChatTemplate> loaded = tokenizer::LoadChatTemplate(dir); loaded.ok()) {
    chat = std::make_unique<tokenizer::ModelChatTemplate>(std::move(*loaded));
  } else {
    log("no chat template (" + loaded.status().message() + "): /v1/chat/completions answers 400");
  }
  std::string name = job.served_model_name;
  if (name.empty()) {
    std::filesystem::path path = job.model;
    if (!path.has_filename()) path = path.parent_path();  // "models/llama3/"
    name = path.filename().string();
  }
  serve::OpenAiServiceOptions service_options;
  service_options.model_name = name;
  service_options.log = job.log;
  serve::OpenAiService service(*model.engine, *model.tokenizer, chat.get(), service_options);

  net::HttpServerOptions server_options;
  server_options.host = job.host;
  server_options.port = job.port;
  server_options.handler_threads = job.handler_threads;
  server_options.max_body_bytes = job.max_body_bytes;
  server_options.error_response = serve::ErrorResponse;
  KAIF_ASSIGN_OR_RETURN(std::unique_ptr<net::HttpServer> server,
                        net::HttpServer::Start(server_options, [&service](const net::HttpRequest& request) {
                          return service.Handle(request);
                        }));
  const bool v6 = job.host.find(':') != std::string::npos;
  log(fmt::format("listening on http://{}{}{}:{}/v1 (model {}, window {} tokens, engine threads {})", v6 ? "[" : "", job.host,
                  v6 ? "]" : "", server->port(), name, service.window(), model.engine->threads()));
  signals_io.run();  // until a signal arrives
  log(fmt::format("{}: stopping", received == SIGINT ? "SIGINT" : "SIGTERM"));
  server->Stop();
  return Status::Ok();
}

}  // namespace kaif::job
