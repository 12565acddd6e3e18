#include <cstdio>

#include "cli/cli_support.h"
#include "cli/commands.h"
#include "model/model_info.h"
#include "tensor/safetensors.h"

namespace kaif::cli {

void AddModelCommand(CLI::App& app, Runner& run) {
  CLI::App* model = app.add_subcommand("model", "Inspect model checkpoints");
  model->require_subcommand(1);
  auto path = std::make_shared<std::string>();
  CLI::App* info = model->add_subcommand("info", "Architecture, parameters by component, dtypes, size and the weights "
                                                 "hash results files use as the model's identity");
  info->add_option("PATH", *path, "Folder with config.json and model.safetensors (or an index and shards)")->required();
  CLI::App* tensors = model->add_subcommand("tensors", "List every tensor (name, dtype, shape, shard) without reading "
                                                       "weights");
  tensors->add_option("PATH", *path, "A folder, model.safetensors, or model.safetensors.index.json")->required();
  tensors->callback([path, &run] {
    run = [path]() -> int {
      Result<std::unique_ptr<tensor::SafetensorsCheckpoint>> checkpoint = tensor::SafetensorsCheckpoint::Open(*path);
      if (!checkpoint.ok()) return Fail(checkpoint.status());
      std::fputs(tensor::RenderTensorList(**checkpoint).c_str(), stdout);
      return 0;
    };
  });
  info->callback([path, &run] {
    run = [path]() -> int {
      Result<model::ModelInfo> result = model::InspectModel(*path);
      if (!result.ok()) return Fail(result.status());
      std::fputs(model::RenderModelInfo(*result).c_str(), stdout);
      return 0;
    };
  });
}

}  // namespace kaif::cli
