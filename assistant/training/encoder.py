"""The packaged MiniLM with a LoRA adapter (peft), trained on the CPU; saved as a small adapter only.

Queries never run this: :class:`assistant.knowledge.embedder.NumpyEmbedder` merges the saved adapter into the
base weights and gives the same vectors without importing torch.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

# Adapt the BERT encoder's dense layers only (not the pooler, which sentence embeddings never use).
TARGET_MODULES = (r".*encoder\.layer\.\d+\.(attention\.self\.(query|key|value)|attention\.output\.dense"
                  r"|intermediate\.dense|output\.dense)")


def seed_everything(seed: int) -> None:
    """Same data, same config, same seed: the same adapter (on one machine and library version)."""
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


class LoraEncoder:
    """Mean-pooled, L2-normalised sentence embeddings from the base model plus a trainable LoRA adapter."""

    def __init__(self, model_dir: Path, *, r: int = 8, alpha: int = 16, dropout: float = 0.05,
                 max_length: int = 256) -> None:
        import torch
        from peft import LoraConfig, get_peft_model
        from transformers import AutoModel, AutoTokenizer

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        torch.set_num_threads(max(1, os.cpu_count() or 1))
        self.max_length = max_length
        self.tokenizer = AutoTokenizer.from_pretrained(str(model_dir), local_files_only=True)
        base = AutoModel.from_pretrained(str(model_dir), local_files_only=True)
        config = LoraConfig(r=r, lora_alpha=alpha, lora_dropout=dropout, target_modules=TARGET_MODULES)
        self.model = get_peft_model(base, config)

    def parameters(self):
        """The trainable (adapter) parameters."""
        return [p for p in self.model.parameters() if p.requires_grad]

    def __call__(self, texts: list[str]):
        import torch

        batch = self.tokenizer(list(texts), padding=True, truncation=True, max_length=self.max_length,
                               return_tensors="pt")
        hidden = self.model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, dim=-1)

    def encode(self, texts: list[str], batch_size: int = 64):
        """Embeddings without gradients, as a NumPy array."""
        import numpy as np
        import torch

        self.model.eval()
        out = []
        with torch.no_grad():
            for start in range(0, len(texts), batch_size):
                out.append(self(texts[start : start + batch_size]).numpy())
        self.model.train()
        return np.concatenate(out) if out else np.zeros((0, 384), dtype=np.float32)

    def save(self, folder: Path) -> None:
        """Write adapter_config.json and adapter_model.safetensors (the base model is never copied)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save_pretrained(str(folder))
        for extra in ("README.md",):  # peft writes a model-card stub that names a hub; we keep our own provenance
            (folder / extra).unlink(missing_ok=True)
