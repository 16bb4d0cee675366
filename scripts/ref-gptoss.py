#!/usr/bin/env python3
# ref-gptoss.py: an independent float64 numpy forward pass of gpt-oss, written
# from the published math (openai/gpt-oss gpt_oss/torch/model.py, HF
# modeling_gpt_oss.py; see the engine spec section 1.2), for checking the C
# engine on small models. No KV cache: every call recomputes the sequence.
#
#   ref-gptoss.py DIR --tokens 1,2,3 [--all-positions]
#       prints {"vocab": V, "positions": [...], "logits": [[...], ...]}
#   ref-gptoss.py DIR --tokens 1,2,3 --greedy N
#       prints the N greedily generated ids, comma-separated
#   --scheme q8 applies the fast precision's rounding (the scheme llama.cpp
#       uses on CPUs) to the float64 pass, to measure what that scheme
#       costs by itself: the inputs of the MXFP4 expert matmuls quantized
#       per block of 32 to int8 with scale amax/127 (GGML's Q8_0, rounded
#       to nearest even), the inputs of the attention and unembedding
#       matmuls rounded to bf16, K and V stored as float16.
import argparse
import json
import math
import os
import sys

import numpy as np

FP4 = np.array([+0.0, +0.5, +1.0, +1.5, +2.0, +3.0, +4.0, +6.0,
                -0.0, -0.5, -1.0, -1.5, -2.0, -3.0, -4.0, -6.0])


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    hdr = json.loads(raw[8:8 + n])
    base = 8 + n
    out = {}
    for name, info in hdr.items():
        if name == "__metadata__":
            continue
        b, e = info["data_offsets"]
        buf = raw[base + b:base + e]
        if info["dtype"] == "BF16":
            u = np.frombuffer(buf, dtype=np.uint16).astype(np.uint32) << 16
            a = u.view(np.float32).astype(np.float64)
        elif info["dtype"] == "U8":
            a = np.frombuffer(buf, dtype=np.uint8)
        else:
            raise ValueError("dtype " + info["dtype"])
        out[name] = a.reshape(info["shape"])
    return out


def load(d):
    with open(os.path.join(d, "config.json")) as f:
        cfg = json.load(f)
    with open(os.path.join(d, "model.safetensors.index.json")) as f:
        idx = json.load(f)
    w = {}
    for shard in sorted(set(idx["weight_map"].values())):
        w.update(read_safetensors(os.path.join(d, shard)))
    return cfg, w


def mxfp4(blocks, scales):
    """[..., G, 16] u8 + [..., G] u8 -> [..., G*32] float64 (out, in)."""
    lo = FP4[blocks & 0x0F]
    hi = FP4[blocks >> 4]
    v = np.empty(blocks.shape[:-1] + (32,))
    v[..., 0::2] = lo
    v[..., 1::2] = hi
    v = v * np.exp2(scales.astype(np.float64) - 127.0)[..., None]
    return v.reshape(blocks.shape[:-2] + (blocks.shape[-2] * 32,))


SCHEME = None


def q8(x):
    """Q8_0 round trip of the last axis, in blocks of 32."""
    if SCHEME != "q8":
        return x
    b = x.reshape(x.shape[:-1] + (-1, 32))
    d = np.abs(b).max(axis=-1, keepdims=True) / 127.0
    q = np.clip(np.rint(np.divide(b, d, out=np.zeros_like(b),
                                  where=d != 0)), -127, 127)
    return (q * d).reshape(x.shape)


def bf16r(x):
    """Rounds to bf16 (nearest even) under the scheme."""
    if SCHEME != "q8":
        return x
    u = np.asarray(x, dtype=np.float32).view(np.uint32).astype(np.uint64)
    u = ((u + 0x7FFF + ((u >> 16) & 1)) >> 16) << 16
    return u.astype(np.uint32).view(np.float32).astype(np.float64)


def f16r(x):
    if SCHEME != "q8":
        return x
    return x.astype(np.float16).astype(np.float64)


def rmsnorm(x, w, eps):
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * w


def rope_tables(cfg, n):
    d = cfg["head_dim"]
    base = float(cfg["rope_theta"])
    rs = cfg.get("rope_scaling") or {}
    freq = base ** (np.arange(0, d, 2, dtype=np.float64) / d)
    inv = 1.0 / freq
    conc = 1.0
    if rs.get("rope_type") == "yarn":
        factor = float(rs["factor"])
        orig = float(rs.get("original_max_position_embeddings",
                            cfg.get("initial_context_length", 4096)))
        bf = float(rs.get("beta_fast", 32.0))
        bs = float(rs.get("beta_slow", 1.0))
        conc = rs.get("attention_factor") or (
            0.1 * math.log(factor) + 1.0 if factor > 1 else 1.0)
        dh = d / 2
        low = dh * math.log(orig / (bf * 2 * math.pi)) / math.log(base)
        high = dh * math.log(orig / (bs * 2 * math.pi)) / math.log(base)
        if rs.get("truncate", True):
            low, high = math.floor(low), math.ceil(high)
        low, high = max(low, 0), min(high, d - 1)
        if low == high:
            high += 0.001
        ramp = np.clip((np.arange(dh) - low) / (high - low), 0, 1)
        mask = 1 - ramp
        inv = (1.0 / (factor * freq)) * (1 - mask) + (1.0 / freq) * mask
    t = np.arange(n, dtype=np.float64)
    f = t[:, None] * inv[None, :]
    return np.cos(f) * conc, np.sin(f) * conc


def rope(x, cos, sin):
    # x [n, heads, d], half-split layout
    h = x.shape[-1] // 2
    x1, x2 = x[..., :h], x[..., h:]
    c, s = cos[:, None, :], sin[:, None, :]
    return np.concatenate([x1 * c - x2 * s, x2 * c + x1 * s], axis=-1)


def forward(cfg, w, toks):
    H = cfg["hidden_size"]
    d = cfg["head_dim"]
    nq = cfg["num_attention_heads"]
    nkv = cfg["num_key_value_heads"]
    k_top = cfg.get("num_experts_per_tok", cfg.get("experts_per_token"))
    lim = float(cfg["swiglu_limit"])
    eps = float(cfg["rms_norm_eps"])
    n = len(toks)
    cos, sin = rope_tables(cfg, n)
    x = w["model.embed_tokens.weight"][np.array(toks)]
    for l in range(cfg["num_hidden_layers"]):
        p = "model.layers.%d." % l
        a = p + "self_attn."
        t = bf16r(rmsnorm(x, w[p + "input_layernorm.weight"], eps))
        q = t @ w[a + "q_proj.weight"].T + w[a + "q_proj.bias"]
        k = t @ w[a + "k_proj.weight"].T + w[a + "k_proj.bias"]
        v = t @ w[a + "v_proj.weight"].T + w[a + "v_proj.bias"]
        q = rope(q.reshape(n, nq, d), cos, sin)
        k = f16r(rope(k.reshape(n, nkv, d), cos, sin))
        v = f16r(v.reshape(n, nkv, d))
        win = cfg["sliding_window"] \
            if cfg["layer_types"][l] == "sliding_attention" else 0
        qi = np.arange(n)[:, None]
        ki = np.arange(n)[None, :]
        allowed = ki <= qi
        if win > 0:
            allowed &= ki > qi - win
        sinks = w[a + "sinks"]
        out = np.zeros((n, nq, d))
        g = nq // nkv
        for h in range(nq):
            s = (q[:, h, :] @ k[:, h // g, :].T) / math.sqrt(d)
            s = np.where(allowed, s, -np.inf)
            s = np.concatenate([s, np.full((n, 1), sinks[h])], axis=1)
            s = s - s.max(axis=1, keepdims=True)
            e = np.exp(s)
            pr = e / e.sum(axis=1, keepdims=True)
            out[:, h, :] = pr[:, :-1] @ v[:, h // g, :]
        o = bf16r(out.reshape(n, nq * d)) @ w[a + "o_proj.weight"].T + \
            w[a + "o_proj.bias"]
        x = x + o
        t = rmsnorm(x, w[p + "post_attention_layernorm.weight"], eps)
        r = t @ w[p + "mlp.router.weight"].T + w[p + "mlp.router.bias"]
        ex = p + "mlp.experts."
        gu_w = mxfp4(w[ex + "gate_up_proj_blocks"],
                     w[ex + "gate_up_proj_scales"])
        dn_w = mxfp4(w[ex + "down_proj_blocks"], w[ex + "down_proj_scales"])
        gu_b = w[ex + "gate_up_proj_bias"]
        dn_b = w[ex + "down_proj_bias"]
        moe = np.zeros((n, H))
        for i in range(n):
            sel = np.argsort(-r[i], kind="stable")[:k_top]
            vals = r[i][sel]
            wt = np.exp(vals - vals.max())
            wt /= wt.sum()
            for e, we in zip(sel, wt):
                gu = gu_w[e] @ q8(t[i]) + gu_b[e]
                gate = np.minimum(gu[0::2], lim)
                up = np.clip(gu[1::2], -lim, lim)
                y = gate / (1 + np.exp(-1.702 * gate)) * (up + 1)
                moe[i] += we * (dn_w[e] @ q8(y) + dn_b[e])
        x = x + moe
    x = bf16r(rmsnorm(x, w["model.norm.weight"], eps))
    return x @ w["lm_head.weight"].T


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--tokens", required=True)
    ap.add_argument("--all-positions", action="store_true")
    ap.add_argument("--greedy", type=int, default=0)
    ap.add_argument("--scheme", choices=["exact", "q8"], default="exact")
    a = ap.parse_args()
    global SCHEME
    SCHEME = a.scheme
    cfg, w = load(a.dir)
    toks = [int(s) for s in a.tokens.split(",")]
    if a.greedy:
        out = []
        for _ in range(a.greedy):
            lg = forward(cfg, w, toks + out)
            out.append(int(np.argmax(lg[-1])))
        print(",".join(str(t) for t in out))
        return 0
    lg = forward(cfg, w, toks)
    pos = list(range(len(toks))) if a.all_positions else [len(toks) - 1]
    json.dump({"vocab": int(lg.shape[1]), "positions": pos,
               "logits": [[float(v) for v in lg[p]] for p in pos]},
              sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
