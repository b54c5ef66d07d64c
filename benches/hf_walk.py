"""The same walk Pedigree's `family` makes, with the huggingface_hub client most users reach for:
list each model's children, read each model's info and card, and read every ancestor named in
`base_model`. HF_ENDPOINT points it at the fake Hub. Prints one JSON line with what it did."""
import json
import os
import sys
import time

from huggingface_hub import HfApi, hf_hub_download

api = HfApi(endpoint=os.environ["HF_ENDPOINT"])
roots = sys.argv[1:]
seen, queue, models, errors = set(roots), list(roots), 0, 0
start = time.perf_counter()
infos = {}
while queue:
    model_id = queue.pop(0)
    try:
        for child in api.list_models(filter=f"base_model:{model_id}"):
            if child.id not in seen:
                seen.add(child.id)
                queue.append(child.id)
    except Exception:
        errors += 1
# Every family member, then every ancestor not yet read: info and card.
pending = sorted(seen)
while pending:
    model_id = pending.pop(0)
    try:
        info = api.model_info(model_id)
        models += 1
        if any(s.rfilename == "README.md" for s in (info.siblings or [])):
            hf_hub_download(model_id, "README.md", endpoint=os.environ["HF_ENDPOINT"])
        parents = (info.card_data or {}).get("base_model") if info.card_data else None
        for parent in [parents] if isinstance(parents, str) else (parents or []):
            if isinstance(parent, str) and parent not in seen:
                seen.add(parent)
                pending.append(parent)
    except Exception:
        errors += 1
print(json.dumps({"models": models, "errors": errors, "seconds": time.perf_counter() - start}))
