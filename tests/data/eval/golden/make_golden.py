"""Writes lm_eval_requests.jsonl: the requests lm-evaluation-harness itself builds for each
of kaif's bundled tasks (its task of the same name) on kaif's sample documents.

    python3 make_golden.py LM_EVAL_CHECKOUT DATA_DIR TASK_LIST > lm_eval_requests.jsonl

LM_EVAL_CHECKOUT holds the lm_eval package (its source, not installed); DATA_DIR is
tests/data/eval/data; TASK_LIST has one task name per line (`kaif eval --list`). Only
lm_eval's request building runs: Hugging Face `datasets` is replaced by a reader of the
sample JSONL files, and the metric libraries lm_eval imports but never calls here are
empty modules. Debian's python3-jinja2, -yaml, -numpy, -tqdm, -dill, -sqlitedict,
-requests and -typing-extensions provide the rest.
"""
import json
import os
import sys
import types


def install_stand_ins(data_dir):
    datasets = types.ModuleType("datasets")
    datasets.__version__ = "2.20.0"

    class Dataset:
        def __init__(self, rows):
            self._rows = rows
            self.features = {k: None for r in rows for k in r}

        def __len__(self):
            return len(self._rows)

        def __iter__(self):
            return iter(self._rows)

        def __getitem__(self, i):
            if isinstance(i, str):
                return [r[i] for r in self._rows]
            if isinstance(i, slice):
                return Dataset(self._rows[i])
            return self._rows[i]

        def map(self, fn, *args, **kwargs):  # as datasets' map: returned columns join the row's
            return Dataset([{**r, **fn(r)} for r in self._rows])

        def filter(self, fn, *args, **kwargs):
            return Dataset([r for r in self._rows if fn(r)])

        def select(self, indices):
            return Dataset([self._rows[i] for i in indices])

    def load_dataset(path, name=None, **kwargs):
        folder = os.path.join(data_dir, path, name) if name else os.path.join(data_dir, path)
        if not os.path.isdir(folder):
            folder = os.path.join(data_dir, path, "default")
        splits = {}
        for f in sorted(os.listdir(folder)):
            if f.endswith(".jsonl"):
                with open(os.path.join(folder, f), encoding="utf-8") as fh:
                    splits[f[: -len(".jsonl")]] = Dataset([json.loads(line) for line in fh if line.strip()])
        return splits

    datasets.Dataset = Dataset
    datasets.DatasetDict = dict
    datasets.DownloadMode = types.SimpleNamespace(REUSE_DATASET_IF_EXISTS="reuse")
    datasets.load_dataset = load_dataset
    sys.modules["datasets"] = datasets
    for name in ("sacrebleu", "evaluate", "pytablewriter"):
        sys.modules[name] = types.ModuleType(name)
    import typing_extensions

    if not hasattr(typing_extensions, "deprecated"):
        typing_extensions.deprecated = lambda *a, **k: (lambda f: f)
    import importlib.metadata

    real_version = importlib.metadata.version
    importlib.metadata.version = lambda name: "0.4.99" if name == "lm_eval" else real_version(name)


def requests_for(manager, name, num_fewshot, limit):
    from lm_eval.tasks import get_task_dict

    task = get_task_dict([name], manager)[name]
    task.set_config(key="num_fewshot", value=num_fewshot)
    task.set_fewshot_seed(seed=1234)
    task.build_all_requests(limit=limit, rank=0, world_size=1)
    docs = {}
    for inst in sorted(task.instances, key=lambda i: (i.doc_id, i.idx)):
        docs.setdefault(inst.doc_id, []).append(list(inst.arguments[:2]) if inst.request_type != "generate_until"
                                                 else [inst.arguments[0], inst.arguments[1].get("until")])
    return task.OUTPUT_TYPE, docs


def main():
    checkout, data_dir, task_list = sys.argv[1:4]
    sys.path.insert(0, checkout)
    install_stand_ins(data_dir)
    from lm_eval.tasks import TaskManager

    manager = TaskManager()
    for name in open(task_list).read().split():
        for num_fewshot in (1, 0):
            try:
                output_type, docs = requests_for(manager, name, num_fewshot, 2)
                break
            except Exception as e:  # no few-shot split: 0-shot
                error = repr(e)
        else:
            print(json.dumps({"task": name, "error": error}), file=sys.stderr)
            continue
        for doc_id, requests in sorted(docs.items()):
            print(json.dumps({"task": name, "num_fewshot": num_fewshot, "output_type": output_type, "doc_id": doc_id,
                              "requests": requests}, ensure_ascii=False))


if __name__ == "__main__":
    main()
