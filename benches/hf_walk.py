"""The walk Pedigree's `family` makes, with the huggingface_hub client most users reach for, at the
same concurrency (threads): each model's children from `list_models(filter="base_model:<id>",
expand=...)` (none listed for a model whose childrenModelCount is 0), the roots' and ancestors'
info from `model_info(expand=...)`, and each card with `hf_hub_download` at the model's commit.
HF_ENDPOINT points it at the fake Hub. Prints one JSON line with what it did."""
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

from huggingface_hub import HfApi, hf_hub_download

EXPAND = ["sha", "private", "gated", "disabled", "tags", "siblings", "cardData", "createdAt",
          "childrenModelCount"]

endpoint = os.environ["HF_ENDPOINT"]
concurrency = int(sys.argv[1])
roots = sys.argv[2:]
api = HfApi(endpoint=endpoint)
pool = ThreadPoolExecutor(max_workers=concurrency)
start = time.perf_counter()
infos, errors = {}, 0


def info_of(model_id):
    try:
        return api.model_info(model_id, expand=EXPAND)
    except Exception:
        return None


def children_of(model_id):
    try:
        return list(api.list_models(filter=f"base_model:{model_id}", expand=EXPAND))
    except Exception:
        return None


def card_of(info):
    if not any(s.rfilename == "README.md" for s in (info.siblings or [])):
        return True
    try:
        hf_hub_download(info.id, "README.md", revision=info.sha, endpoint=endpoint)
        return True
    except Exception:
        return False


def parents_of(info):
    data = info.card_data.to_dict() if info.card_data else {}
    parents = data.get("base_model")
    parents = [parents] if isinstance(parents, str) else (parents or [])
    return [p for p in parents if isinstance(p, str)]


seen = set(roots)
for root, info in zip(roots, pool.map(info_of, roots)):
    if info is None:
        errors += 1
    else:
        infos[root] = info
# Down, a level at a time: one listing per model that has children.
frontier = [r for r in roots if r in infos and infos[r].children_model_count != 0]
while frontier:
    following = []
    for parent, children in zip(frontier, pool.map(children_of, frontier)):
        if children is None:
            errors += 1
            continue
        for child in children:
            if child.id not in seen:
                seen.add(child.id)
                infos[child.id] = child
                if child.children_model_count != 0:
                    following.append(child.id)
    frontier = following
# Cards of everything read, then ancestors named by the cards, until none is new.
pending = list(infos.values())
while pending:
    errors += sum(1 for ok in pool.map(card_of, pending) if not ok)
    named = sorted({p for info in pending for p in parents_of(info)} - seen)
    seen.update(named)
    pending = []
    for model_id, info in zip(named, pool.map(info_of, named)):
        if info is None:
            errors += 1
        else:
            infos[model_id] = info
            pending.append(info)
print(json.dumps({"models": len(infos), "errors": errors, "seconds": time.perf_counter() - start}))
