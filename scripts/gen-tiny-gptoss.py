#!/usr/bin/env python3
# gen-tiny-gptoss.py: write a gpt-oss checkpoint with random weights in the
# exact Hugging Face layout (config.json, generation_config.json,
# model.safetensors.index.json, zero-based shards; bf16 tensors, MXFP4
# blocks + E8M0 scales), for tests and benchmarks of the engine.
#
#   gen-tiny-gptoss.py OUTDIR [--seed N]
#                      [--preset tiny|tiny2|tiny3|tinyvocab|20b]
#                      [--layers N] [--shards N]
#
# tiny:  hidden 64, 4 layers (sliding/full), 6 experts, top-2, window 8.
# tiny2: other sizes (head_dim 32, 8 experts, top-3, window 5, 3 layers,
#        YaRN with truncate: true).
# tiny3: 3 query heads of 16 (attention width 48, not a multiple of 32),
#        intermediate 96, 5 experts, 2 layers, window 6.
# tinyvocab: hidden 32, 2 layers, the real vocabulary (201088), for the
#        local backend with the real tokenizer (about 26 MB).
# 20b:   the real gpt-oss-20b shapes with --layers layers (default 2);
#        random bytes, meant for benchmarks only.
import argparse
import json
import math
import os
import sys

import numpy as np

PRESETS = {
    "tiny": dict(hidden_size=64, intermediate_size=64, head_dim=16,
                 num_attention_heads=4, num_key_value_heads=2,
                 num_hidden_layers=4, num_local_experts=6,
                 experts_per_token=2, vocab_size=300, sliding_window=8,
                 swiglu_limit=3.0),
    "tiny2": dict(hidden_size=96, intermediate_size=64, head_dim=32,
                  num_attention_heads=6, num_key_value_heads=3,
                  num_hidden_layers=3, num_local_experts=8,
                  experts_per_token=3, vocab_size=257, sliding_window=5,
                  swiglu_limit=7.0, truncate=True),
    # Attention width 48: the o_proj rows end in a 16-element tail.
    "tiny3": dict(hidden_size=64, intermediate_size=96, head_dim=16,
                  num_attention_heads=3, num_key_value_heads=1,
                  num_hidden_layers=2, num_local_experts=5,
                  experts_per_token=2, vocab_size=280, sliding_window=6,
                  swiglu_limit=7.0),
    "tinyvocab": dict(hidden_size=32, intermediate_size=32, head_dim=16,
                      num_attention_heads=2, num_key_value_heads=1,
                      num_hidden_layers=2, num_local_experts=4,
                      experts_per_token=2, vocab_size=201088,
                      sliding_window=8, swiglu_limit=7.0),
    "20b": dict(hidden_size=2880, intermediate_size=2880, head_dim=64,
                num_attention_heads=64, num_key_value_heads=8,
                num_hidden_layers=2, num_local_experts=32,
                experts_per_token=4, vocab_size=201088, sliding_window=128,
                swiglu_limit=7.0),
}


def make_config(p):
    n = p["num_hidden_layers"]
    return {
        "architectures": ["GptOssForCausalLM"],
        "attention_bias": True,
        "attention_dropout": 0.0,
        "eos_token_id": p["vocab_size"] - 2,
        "experts_per_token": p["experts_per_token"],
        "head_dim": p["head_dim"],
        "hidden_act": "silu",
        "hidden_size": p["hidden_size"],
        "initial_context_length": 4096,
        "initializer_range": 0.02,
        "intermediate_size": p["intermediate_size"],
        "layer_types": ["sliding_attention" if i % 2 == 0 else
                        "full_attention" for i in range(n)],
        "max_position_embeddings": 131072,
        "model_type": "gpt_oss",
        "num_attention_heads": p["num_attention_heads"],
        "num_experts_per_tok": p["experts_per_token"],
        "num_hidden_layers": n,
        "num_key_value_heads": p["num_key_value_heads"],
        "num_local_experts": p["num_local_experts"],
        "output_router_logits": False,
        "pad_token_id": p["vocab_size"] - 3,
        "quantization_config": {
            "modules_to_not_convert": [
                "model.layers.*.self_attn", "model.layers.*.mlp.router",
                "model.embed_tokens", "lm_head"],
            "quant_method": "mxfp4"},
        "rms_norm_eps": 1e-05,
        "rope_scaling": {"beta_fast": 32.0, "beta_slow": 1.0,
                         "factor": 32.0,
                         "original_max_position_embeddings": 4096,
                         "rope_type": "yarn",
                         "truncate": p.get("truncate", False)},
        "rope_theta": 150000,
        "router_aux_loss_coef": 0.9,
        "sliding_window": p["sliding_window"],
        "swiglu_limit": p["swiglu_limit"],
        "tie_word_embeddings": False,
        "transformers_version": "4.55.0.dev0",
        "use_cache": True,
        "vocab_size": p["vocab_size"],
    }


def bf16(a):
    """float array -> uint16 bf16 bits, round to nearest even."""
    u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
    u = u.astype(np.uint64)
    r = (u + 0x7FFF + ((u >> 16) & 1)) >> 16
    return r.astype(np.uint16)


class Tensor:
    def __init__(self, name, dtype, shape, fn):
        self.name, self.dtype, self.shape, self.fn = name, dtype, shape, fn

    def nbytes(self):
        n = 2 if self.dtype == "BF16" else 1
        for s in self.shape:
            n *= s
        return n


def tensors(cfg, rng, fast):
    H = cfg["hidden_size"]
    I = cfg["intermediate_size"]
    d = cfg["head_dim"]
    nq = cfg["num_attention_heads"]
    nkv = cfg["num_key_value_heads"]
    E = cfg["num_local_experts"]
    V = cfg["vocab_size"]

    def normal(shape, std):
        if fast:
            # Benchmarks only: a random block tiled, cheap for 1 GB tensors.
            n = int(np.prod(shape))
            base = bf16(rng.standard_normal(min(n, 1 << 20)) * std)
            return np.resize(base, n).reshape(shape)
        return bf16(rng.standard_normal(shape) * std)

    def ones_ish(shape):
        return bf16(1.0 + 0.1 * rng.standard_normal(shape))

    def blocks(shape):
        return rng.integers(0, 256, size=shape, dtype=np.uint8)

    def scales(shape, lo, hi):
        # E8M0 exponents near 127 - 5: realistic magnitudes for weights.
        return rng.integers(lo, hi + 1, size=shape, dtype=np.uint8)

    out = [Tensor("model.embed_tokens.weight", "BF16", [V, H],
                  lambda: normal([V, H], 1.0))]
    for n in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % n
        sa = p + "self_attn."
        ex = p + "mlp.experts."
        s_attn = 1.0 / math.sqrt(H)
        out += [
            Tensor(p + "input_layernorm.weight", "BF16", [H],
                   lambda: ones_ish([H])),
            Tensor(sa + "q_proj.weight", "BF16", [nq * d, H],
                   lambda: normal([nq * d, H], 2 * s_attn)),
            Tensor(sa + "q_proj.bias", "BF16", [nq * d],
                   lambda: normal([nq * d], 0.1)),
            Tensor(sa + "k_proj.weight", "BF16", [nkv * d, H],
                   lambda: normal([nkv * d, H], 2 * s_attn)),
            Tensor(sa + "k_proj.bias", "BF16", [nkv * d],
                   lambda: normal([nkv * d], 0.1)),
            Tensor(sa + "v_proj.weight", "BF16", [nkv * d, H],
                   lambda: normal([nkv * d, H], s_attn)),
            Tensor(sa + "v_proj.bias", "BF16", [nkv * d],
                   lambda: normal([nkv * d], 0.1)),
            Tensor(sa + "o_proj.weight", "BF16", [H, nq * d],
                   lambda: normal([H, nq * d], 1.0 / math.sqrt(nq * d))),
            Tensor(sa + "o_proj.bias", "BF16", [H],
                   lambda: normal([H], 0.1)),
            Tensor(sa + "sinks", "BF16", [nq],
                   lambda: normal([nq], 1.0)),
            Tensor(p + "post_attention_layernorm.weight", "BF16", [H],
                   lambda: ones_ish([H])),
            Tensor(p + "mlp.router.weight", "BF16", [E, H],
                   lambda: normal([E, H], 1.0 / math.sqrt(H))),
            Tensor(p + "mlp.router.bias", "BF16", [E],
                   lambda: normal([E], 0.3)),
            Tensor(ex + "gate_up_proj_blocks", "U8", [E, 2 * I, H // 32, 16],
                   lambda: blocks([E, 2 * I, H // 32, 16])),
            Tensor(ex + "gate_up_proj_scales", "U8", [E, 2 * I, H // 32],
                   lambda: scales([E, 2 * I, H // 32], 122, 125)),
            Tensor(ex + "gate_up_proj_bias", "BF16", [E, 2 * I],
                   lambda: normal([E, 2 * I], 0.5)),
            Tensor(ex + "down_proj_blocks", "U8", [E, H, I // 32, 16],
                   lambda: blocks([E, H, I // 32, 16])),
            Tensor(ex + "down_proj_scales", "U8", [E, H, I // 32],
                   lambda: scales([E, H, I // 32], 120, 123)),
            Tensor(ex + "down_proj_bias", "BF16", [E, H],
                   lambda: normal([E, H], 0.1)),
        ]
    out += [Tensor("model.norm.weight", "BF16", [H], lambda: ones_ish([H])),
            Tensor("lm_head.weight", "BF16", [V, H],
                   lambda: normal([V, H], 1.0 / math.sqrt(H)))]
    return out


def write_shard(path, ts):
    header = {"__metadata__": {"format": "pt"}}
    off = 0
    for t in ts:
        header[t.name] = {"dtype": t.dtype, "shape": t.shape,
                          "data_offsets": [off, off + t.nbytes()]}
        off += t.nbytes()
    hj = json.dumps(header, separators=(",", ":")).encode()
    hj += b" " * ((8 - len(hj) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(hj).to_bytes(8, "little"))
        f.write(hj)
        for t in ts:
            a = np.ascontiguousarray(t.fn())
            assert a.nbytes == t.nbytes(), t.name
            a.tofile(f)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    ap.add_argument("--layers", type=int)
    ap.add_argument("--shards", type=int, default=3)
    a = ap.parse_args()

    p = dict(PRESETS[a.preset])
    if a.layers:
        p["num_hidden_layers"] = a.layers
    cfg = make_config(p)
    rng = np.random.default_rng(a.seed)
    os.makedirs(a.outdir, exist_ok=True)
    ts = tensors(cfg, rng, a.preset == "20b")

    # Split by bytes into a.shards files; a layer may span two shards.
    total = sum(t.nbytes() for t in ts)
    nsh = max(1, a.shards)
    per = total / nsh
    groups = [[] for _ in range(nsh)]
    acc = 0
    for t in ts:
        groups[min(nsh - 1, int(acc / per))].append(t)
        acc += t.nbytes()
    groups = [g for g in groups if g]
    last = len(groups) - 1
    wmap = {}
    for i, g in enumerate(groups):
        name = "model-%05d-of-%05d.safetensors" % (i, last)
        write_shard(os.path.join(a.outdir, name), g)
        for t in g:
            wmap[t.name] = name
    with open(os.path.join(a.outdir, "model.safetensors.index.json"),
              "w") as f:
        json.dump({"metadata": {"total_size": total}, "weight_map": wmap},
                  f, indent=2)
    with open(os.path.join(a.outdir, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2)
    V = cfg["vocab_size"]
    with open(os.path.join(a.outdir, "generation_config.json"), "w") as f:
        json.dump({"bos_token_id": V - 4, "do_sample": True,
                   "eos_token_id": [V - 2, V - 3], "pad_token_id": V - 3},
                  f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
