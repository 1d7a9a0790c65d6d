"""Calibrate the generated zh→en corpus: is it hard enough to show what attention buys?

Trains two GRU encoder–decoders for the same wall-clock budget on the train split and reports
exact match and BLEU by English length on the test and test_long splits:

* ``noattn``: bidirectional GRU encoder → its final state is the decoder's only view of the source
  (initial hidden state, and concatenated to every decoder input, as in Cho et al. 2014);
* ``attn``: the same encoder; a Luong-style decoder (one fused nn.GRU over the teacher-forced
  target) followed by additive (Bahdanau) attention over all encoder outputs.

A throwaway script, self-contained on purpose (the course's models live in helpers/rnn.py).

    python benchmarks/calibrate_corpus.py --seconds 60            # both models, 60 s each
    python benchmarks/calibrate_corpus.py --seconds 60 --models attn
    python benchmarks/calibrate_corpus.py --threads 1 --steps noattn=790,attn=574   # on a busy machine
    python benchmarks/calibrate_corpus.py --threads 1 --steps noattn=790,attn=574 --save corpus_calibration

``--save NAME`` writes the scores by length to ``results/NAME.json`` with their provenance (and the sha256
manifest of the corpus they were measured on): the data card ``data/zh_en/README.md`` renders its "How hard it
is" section from ``results/corpus_calibration.json`` and says so when the corpus has changed since.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.corpus import build_splits, en_tokens, load_split  # noqa: E402

PAD, BOS, EOS, UNK = 0, 1, 2, 3
EMB, HIDDEN = 128, 256  # both models: embedding size and GRU state size
SPECIALS = ["<pad>", "<bos>", "<eos>", "<unk>"]


class Vocab:
    def __init__(self, sequences):
        self.itos = SPECIALS + sorted({t for s in sequences for t in s})
        self.stoi = {t: i for i, t in enumerate(self.itos)}

    def encode(self, seq):
        return [self.stoi.get(t, UNK) for t in seq]


def pad(seqs, value=PAD):
    n = max(map(len, seqs))
    return torch.tensor([s + [value] * (n - len(s)) for s in seqs])


class Encoder(nn.Module):
    def __init__(self, vocab, emb, hidden):
        super().__init__()
        self.emb = nn.Embedding(vocab, emb, padding_idx=PAD)
        self.rnn = nn.GRU(emb, hidden // 2, batch_first=True, bidirectional=True)

    def forward(self, src, lengths):
        packed = nn.utils.rnn.pack_padded_sequence(self.emb(src), lengths, batch_first=True, enforce_sorted=False)
        out, h = self.rnn(packed)
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=True, total_length=src.shape[1])
        return out, torch.cat([h[0], h[1]], -1)  # (B, S, H), (B, H)


class NoAttn(nn.Module):
    def __init__(self, sv, tv, emb=128, hidden=256):
        super().__init__()
        self.enc = Encoder(sv, emb, hidden)
        self.emb = nn.Embedding(tv, emb, padding_idx=PAD)
        self.rnn = nn.GRU(emb + hidden, hidden, batch_first=True)
        self.out = nn.Linear(hidden, tv)

    def forward(self, src, lengths, tgt_in):
        _, ctx = self.enc(src, lengths)
        x = torch.cat([self.emb(tgt_in), ctx[:, None].expand(-1, tgt_in.shape[1], -1)], -1)
        y, _ = self.rnn(x, ctx[None].contiguous())
        return self.out(y)

    @torch.no_grad()
    def greedy(self, src, lengths, max_len):
        _, ctx = self.enc(src, lengths)
        h, tok, outs = ctx[None].contiguous(), torch.full((src.shape[0], 1), BOS), []
        for _ in range(max_len):
            y, h = self.rnn(torch.cat([self.emb(tok), ctx[:, None]], -1), h)
            tok = self.out(y).argmax(-1)
            outs.append(tok)
        return torch.cat(outs, 1)


class Attn(nn.Module):
    def __init__(self, sv, tv, emb=128, hidden=256, att=128):
        super().__init__()
        self.enc = Encoder(sv, emb, hidden)
        self.emb = nn.Embedding(tv, emb, padding_idx=PAD)
        self.rnn = nn.GRU(emb, hidden, batch_first=True)
        self.wq, self.wk, self.v = nn.Linear(hidden, att, bias=False), nn.Linear(hidden, att), nn.Linear(att, 1, bias=False)
        self.comb = nn.Linear(2 * hidden, hidden)
        self.out = nn.Linear(hidden, tv)

    def attend(self, y, mem, keys, mask):
        scores = self.v(torch.tanh(self.wq(y)[:, :, None] + keys[:, None])).squeeze(-1)  # (B, T, S)
        w = scores.masked_fill(~mask[:, None], float("-inf")).softmax(-1)  # mask: True = may attend
        c = w @ mem  # (B, T, H)
        return self.out(torch.tanh(self.comb(torch.cat([y, c], -1))))

    def forward(self, src, lengths, tgt_in):
        mem, h = self.enc(src, lengths)
        y, _ = self.rnn(self.emb(tgt_in), h[None].contiguous())
        return self.attend(y, mem, self.wk(mem), src != PAD)

    @torch.no_grad()
    def greedy(self, src, lengths, max_len):
        mem, h = self.enc(src, lengths)
        keys, mask = self.wk(mem), src != PAD
        h, tok, outs = h[None].contiguous(), torch.full((src.shape[0], 1), BOS), []
        for _ in range(max_len):
            y, h = self.rnn(self.emb(tok), h)
            tok = self.attend(y, mem, keys, mask).argmax(-1)
            outs.append(tok)
        return torch.cat(outs, 1)


def encode_pairs(pairs, sv, tv):
    return [(sv.encode(list(p.zh)), tv.encode(en_tokens(p.en))) for p in pairs]


def batch(items):
    src = [s for s, _ in items]
    tgt = [t for _, t in items]
    return (pad(src), torch.tensor([len(s) for s in src]), pad([[BOS] + t for t in tgt]), pad([t + [EOS] for t in tgt]))


def train(model, data, seconds, bs, lr, seed, max_steps=None):
    """Train for `seconds` of wall time, or exactly `max_steps` steps when given (a loaded machine)."""
    opt = torch.optim.Adam(model.parameters(), lr=lr)
    rng = random.Random(seed)
    # length-bucketed batches: sort chunks of 50 batches by length, so padding costs little
    t0, steps, losses = time.perf_counter(), 0, []
    done = lambda: steps >= max_steps if max_steps else time.perf_counter() - t0 >= seconds  # noqa: E731
    while not done():
        idx = list(range(len(data)))
        rng.shuffle(idx)
        chunks = [sorted(idx[i:i + bs * 50], key=lambda k: len(data[k][1])) for i in range(0, len(idx), bs * 50)]
        batches = [c[i:i + bs] for c in chunks for i in range(0, len(c), bs)]
        rng.shuffle(batches)
        for b in batches:
            src, lens, tin, tout = batch([data[k] for k in b])
            logits = model(src, lens, tin)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), tout.reshape(-1), ignore_index=PAD)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            steps += 1
            losses.append(loss.item())
            if done():
                break
    return steps, sum(losses[-50:]) / len(losses[-50:]), time.perf_counter() - t0


def evaluate(model, data, tv):
    import sacrebleu

    model.eval()
    hyps, refs = [], []
    for i in range(0, len(data), 250):
        chunk = data[i:i + 250]
        src, lens, _, tout = batch(chunk)
        out = model.greedy(src, lens, max(len(t) for _, t in chunk) + 5)
        for row, (_, ref) in zip(out.tolist(), chunk):
            hyp = row[:row.index(EOS)] if EOS in row else row
            hyps.append(hyp)
            refs.append(ref)
    model.train()
    buckets = {}
    for h, r in zip(hyps, refs):
        buckets.setdefault(len(r), []).append((h, r))
    words = lambda s: " ".join(tv.itos[k] for k in s)  # noqa: E731

    def score(items):
        em = 100 * sum(h == r for h, r in items) / len(items)
        bleu = sacrebleu.corpus_bleu([words(h) for h, _ in items], [[words(r) for _, r in items]], tokenize="none", force=True).score
        return em, bleu, len(items)

    return hyps, refs, buckets, score


def bucketise(buckets, edges):
    out = {}
    for n, items in buckets.items():
        for lo, hi in edges:
            if lo <= n <= hi:
                out.setdefault(f"{lo}–{hi}" if hi < 999 else f"{lo}+", []).extend(items)
    return out


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--models", default="noattn,attn")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--data", default="data/zh_en", help="directory with the splits (generated if missing)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--steps", default="", help="fixed step budgets instead of --seconds, e.g. noattn=790,attn=574")
    ap.add_argument("--n-eval", type=int, default=None, help="score only the first N pairs of each split (smoke runs)")
    ap.add_argument("--save", default="", help="write the scores to results/NAME.json (or to a path ending in .json)")
    args = ap.parse_args(argv)
    stored = {"models": {}}
    torch.set_num_threads(args.threads)
    d = Path(args.data)
    if (d / "test.tsv").exists():
        splits = {k: load_split(k, d) for k in ("train", "test", "test_long")}
    else:
        splits = build_splits()
    sv = Vocab([list(p.zh) for p in splits["train"]])
    tv = Vocab([en_tokens(p.en) for p in splits["train"]])
    data = {k: encode_pairs(v if k == "train" else v[: args.n_eval], sv, tv) for k, v in splits.items()}
    print(f"vocab zh {len(sv.itos)} en {len(tv.itos)}; train {len(data['train'])}")
    edges = {"test": [(1, 8), (9, 12), (13, 16), (17, 20), (21, 999)], "test_long": [(17, 29), (30, 39), (40, 999)]}
    for name in args.models.split(","):
        torch.manual_seed(0)
        model = {"noattn": NoAttn, "attn": Attn}[name](len(sv.itos), len(tv.itos), emb=EMB, hidden=HIDDEN)
        budget = dict(kv.split("=") for kv in args.steps.split(",") if kv)
        steps, loss, secs = train(model, data["train"], args.seconds, args.batch, args.lr, 0,
                                  int(budget[name]) if name in budget else None)
        params = sum(p.numel() for p in model.parameters())
        print(f"\n== {name}: {params / 1e6:.2f} M params, {steps} steps "
              f"({steps * args.batch / len(data['train']):.2f} epochs) in {secs:.0f} s, final loss {loss:.3f}")
        entry = stored["models"][name] = {"params": params, "steps": steps, "seconds": round(secs, 1),
                                          "final_loss": round(loss, 4)}
        for split in ("test", "test_long"):
            t0 = time.perf_counter()
            hyps, refs, buckets, score = evaluate(model, data[split], tv)
            rows = {"all": score(list(zip(hyps, refs)))}   # (EM, BLEU, n), then the same per length bucket
            rows.update((b, score(items)) for b, items in bucketise(buckets, edges[split]).items())
            em, bleu, n = rows["all"]
            print(f"  {split:9s} all: EM {em:5.1f} BLEU {bleu:5.1f} (n={n}, eval {time.perf_counter() - t0:.1f} s)")
            for b in sorted(set(rows) - {"all"}, key=lambda s: int(s.split("–")[0].split("+")[0])):
                print("     ", f"{b} tok: EM {rows[b][0]:5.1f} BLEU {rows[b][1]:5.1f} (n={rows[b][2]})")
            entry[split] = {b: {"em": round(e, 1), "bleu": round(bl, 1), "n": k} for b, (e, bl, k) in rows.items()}
        for h, r in list(zip(hyps, refs))[:2]:
            print("   hyp:", " ".join(tv.itos[k] for k in h))
            print("   ref:", " ".join(tv.itos[k] for k in r))
    if args.save:
        save(args, stored, d)


def save(args, stored, data_dir):
    """Write the scores with their provenance to results/ (see helpers.results)."""
    from helpers.corpus import MANIFEST, current_manifest
    from helpers.results import make_provenance, save_result

    cmd = "python benchmarks/calibrate_corpus.py " + " ".join(
        f"--{k.replace('_', '-')} {v}" for k, v in (("threads", args.threads), ("steps", args.steps),
                                                    ("seconds", args.seconds if not args.steps else ""),
                                                    ("models", args.models), ("save", args.save)) if v)
    stored["provenance"] = make_provenance(
        cmd, [0], {"batch": args.batch, "lr": args.lr, "steps": args.steps, "seconds": args.seconds,
                   "n_eval": args.n_eval, "emb": EMB, "hidden": HIDDEN},
        ["benchmarks/calibrate_corpus.py", "helpers/corpus.py"],
        corpus_manifest=current_manifest(data_dir) if (data_dir / MANIFEST).is_file() else None)
    print("saved", save_result(args.save, stored))


if __name__ == "__main__":
    main()
