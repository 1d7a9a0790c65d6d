"""The data card of the generated corpus (``describe(splits, seed)`` → ``data/zh_en/README.md``) and the command
``python -m helpers.corpus --out data/zh_en`` that writes the splits with it (``main``).

How the files were made, their sizes, the lengths of the sentences and how often each construction occurs, as
Markdown. ``python -m helpers.corpus --out data/zh_en`` writes it beside the splits, and a test checks that the
committed README is exactly what ``describe`` gives for the committed data.
"""

from __future__ import annotations

import argparse
import collections
import random
import time
from pathlib import Path

from . import corpus as _corpus
from .corpus import (CONSTRUCTIONS, DEFAULT_SEED, EN_TOKEN_PATTERN, GZIP_LEVEL, HELD_OUT_NOUNS, LONG_MAX,
                     LONG_THRESHOLD, MANIFEST, SPLIT_FILES, _gzip_bytes, _tsv_bytes, build_splits, construction_counts,
                     en_tokens, manifest_text, write_splits)
from .results import ResultError, load_result

__all__ = ["describe", "main"]

def _stats(pairs):
    zl = sorted(len(p.zh) for p in pairs)
    el = sorted(len(en_tokens(p.en)) for p in pairs)
    q = lambda xs, f: xs[min(len(xs) - 1, int(f * len(xs)))]  # noqa: E731
    return zl, el, q


def describe(splits: dict, seed: int) -> str:
    """The data README (Markdown): provenance, sizes, lengths, vocabularies, constructions."""
    rows = []
    for name, pairs in splits.items():
        zl, el, q = _stats(pairs)
        rows.append(f"| {name} | {len(pairs):,} | {zl[0]}–{q(zl, .5)}–{zl[-1]} | {el[0]}–{q(el, .5)}–{el[-1]} |")
    train = splits["train"]
    zh_chars = {c for p in train for c in p.zh}
    en_vocab = {t for p in train for t in en_tokens(p.en)}
    hist = collections.Counter(min(len(en_tokens(p.en)) // 5 * 5, 30) for p in train)
    hist_rows = " | ".join(f"{k}–{k + 4}: {hist[k]:,}" if k < 30 else f"30+: {hist[k]:,}" for k in sorted(hist))
    counts = construction_counts(train)
    long_counts = construction_counts(splits["test_long"])
    cons = "\n".join(f"| {c} | {counts[c]:,} | {long_counts[c]:,} |" for c in CONSTRUCTIONS)
    long_lists = round(100 * long_counts["coord_and"] / len(splits["test_long"]))
    doc = _corpus.__doc__.split("Alignment convention:")[1].split("Regenerate")[0].strip()
    doc = doc[0].upper() + doc[1:]
    files = []
    for name, filename in SPLIT_FILES.items():
        data = _tsv_bytes(splits[name])
        if filename.endswith(".gz"):  # rounded: the exact size depends on the zlib library
            size = f"{len(_gzip_bytes(data)) / 1e6:.1f} MB gzip-compressed ({len(data):,} bytes of text)"
        else:
            size = f"{len(data):,} bytes"
        files.append(f"| `{filename}` | {name} | {len(splits[name]):,} | {size} |")
    return f"""# Generated Chinese–English corpus

Made by `helpers/corpus.py` with the grammar in `helpers/grammar/` (sentences, clauses, noun phrases, the
lexicon and what its words mean), all in this repository: no third-party text. Load a split in a notebook with

```python
from helpers.corpus import load_split
train = load_split("train")  # or valid, test, test_long, test_novel: a list of Pair(zh, en, alignment)
```

(it reads `helpers.corpus.DATA_DIR`, this folder; set the environment variable `COURSE_DATA_DIR` to
read another one), or a single file with `helpers.corpus.read_split("data/zh_en/train.tsv.gz")`.
Regenerate with

```bash
python -m helpers.corpus --out data/zh_en --seed {seed}
```

or from Python: `helpers.corpus.write_splits("data/zh_en", seed={seed})`. The `.tsv` files come
out byte for byte; `train.tsv.gz` decompresses to the same text every time, and has the same bytes
with the same zlib library (gzip level {GZIP_LEVEL}, no file name or time stamp in the header). A test
checks that these files equal a fresh regeneration.

## Files

| file | split | pairs | size |
| --- | --- | --- | --- |
{chr(10).join(files)}

The train split is gzip-compressed to keep the repository small (`gzip -dc train.tsv.gz | head`
shows its first lines); the others are plain text, readable on GitHub. `{MANIFEST}` holds the sha256 of
each split's text: `load_split` refuses a file that does not match it (cut short, damaged or edited) and names
the command above. Each file, once
decompressed: UTF-8 TSV, `\\n` line ends, a header line `zh<TAB>en<TAB>alignment`, then one pair
per line:

* `zh`: Chinese characters, no spaces, Chinese numerals, ending in 。 or ？;
* `en`: a natural English sentence ("I read a book in the park yesterday.");
* `alignment`: `i-j` links, sorted: Chinese character `i` (0-based, punctuation included) translates
  English token `j`, where tokens are `re.findall(r"{EN_TOKEN_PATTERN}", en.lower())`
  (`helpers.corpus.en_tokens`; "don't" and "tom's" are one token, punctuation is its own).

| split | pairs | Chinese characters min–median–max | English tokens min–median–max |
| --- | --- | --- | --- |
{chr(10).join(rows)}

train, valid and test are one deduplicated pool of sentences of at most {LONG_THRESHOLD} Chinese characters,
shuffled and cut. `test_long` holds sentences of {LONG_THRESHOLD + 1}–{max(len(p.zh) for p in splits["test_long"])}
characters (the generator allows up to {LONG_MAX}): longer than anything in train. Most of them ({long_lists} %)
are scene lists (昨天在公园，汤姆的爸爸…，汤姆的哥哥…，汤姆的妹妹…), the grammar's longest sentences; the rest are
chains of 然后 and 但是: a test of length more than of variety. `test_novel` puts the held-out nouns {", ".join(HELD_OUT_NOUNS)} into the 把 and 被
frames: in train, valid and test no sentence using 把 or 被 mentions these nouns at all (train uses
them in other constructions). No Chinese sentence and no English sentence occurs in two splits.

English length of train sentences (tokens, punctuation included): {hist_rows}.

Vocabulary of train: {len(zh_chars)} distinct Chinese characters, {len(en_vocab)} distinct English tokens.

Ten train pairs (the first ten of `train.tsv.gz`):

{chr(10).join(f"* {p.zh} → {p.en}" for p in train[:10])}

## What the sentences mean

The grammar gives its words meaning as well as form (`helpers/grammar/semantics.py`): people and animals do what
they can (a cat sleeps on the bed, a horse eats apples), where it is done (one swims at the beach or the pool,
cooks at home, buys a ticket at the station), to a sensible number of things (one rides one bicycle), with
adjectives that fit (sweet oranges, hot tea); no one is compared with or gives to themselves; a relative clause
picks a thing out the way people do (the novel Tom wrote, the coat my mother bought: `semantics.RC_FOR`) and
never names a thing that is gone (the milk I drank). Connectives connect: 然后 joins one person's sequence of
actions (went to the library, and then borrowed a book), 所以, 因为…所以… and 如果…就… join a cause or condition
to its expected effect (rain → not to the park, tired → sleep), 但是 joins an unexpected effect, two people doing
the same thing differently, or a place and its real alternative (not the beach but the pool); a later clause
refers back with 他/她/…, except a 然后 step, which drops its subject as both languages do
(他去了海边，拍了照片，然后回家了 ↔ He went to the beach, took photos, and then went home). A comma alone lists
what the people of one family (at home: the speaker, you or a named friend, and their family) or of a circle of
friends (in the park, at school, …) did in one scene, said once at the front (昨天晚上在家，我爸爸看了报纸，我妈妈做了饭
↔ Last night at home, my father read the newspaper, and my mother cooked), each doing what people do there
(`semantics.SCENE_ACTS`): no connective, so no claimed relation.

**No attachment ambiguity.** A clause whose object (after the verb, in English) holds a relative clause takes no
place phrase, and its time word goes first in English ("Tomorrow she won't wear the skirt she bought"; at the end,
"won't wear the skirt she bought tomorrow" would read as bought tomorrow). 没V过 is "has never V-ed"; affirmative 过 says "before" ("Have
you ever …?" in a question); 们 marks only definite groups (孩子们 the children), never a generic object.

`python benchmarks/audit_corpus.py` reads the sentences back with the lexicon and checks these rules
(`helpers/grammar/audit.py`); on these splits it finds {_audit_line(splits)}.

## How hard it is

{_hardness(splits)}

## Alignment convention

{doc}

## Constructions

Pairs using each construction (a pair counts once per construction; a sentence uses several):

| construction | train | test_long |
| --- | --- | --- |
{cons}
"""


def _audit_line(splits) -> str:
    from .grammar.audit import audit

    found = collections.Counter()
    for pairs in splits.values():
        found.update({rule: len(v) for rule, v in audit(pairs).items()})
    bad = {rule: n for rule, n in found.items() if n}
    total = sum(map(len, splits.values()))
    if not bad:
        return f"no violation of any of its {len(found)} rules in {total:,} pairs"
    return f"violations in {total:,} pairs: " + ", ".join(f"{rule} {n:,}" for rule, n in sorted(bad.items()))


_CALIBRATE = "python benchmarks/calibrate_corpus.py --threads 1 --steps noattn=790,attn=574 --save corpus_calibration"


def _hardness(splits) -> str:
    """The "How hard it is" section, rendered from results/corpus_calibration.json."""
    try:
        cal = load_result("corpus_calibration")
    except ResultError:
        return f"Not measured yet: run `{_CALIBRATE}`."
    models = cal["models"]
    order = lambda b: int(b.split("–")[0].rstrip("+"))  # noqa: E731  (buckets by their shortest length)
    cols = [(s, b) for s in ("test", "test_long") for b in sorted(set(models["attn"][s]) - {"all"}, key=order)]
    head = " | ".join(f"{'long ' if s == 'test_long' else ''}{b}" for s, b in cols)
    lines = [f"| model | {head} | test_long BLEU |", "| --- |" + " --- |" * (len(cols) + 1)]
    for name, label in (("noattn", "GRU, no attention"), ("attn", "GRU + attention")):
        m = models[name]
        cells = " | ".join(f"{m[s][b]['em']:.0f}" for s, b in cols)
        lines.append(f"| {label} | {cells} | {m['test_long']['all']['bleu']:.0f} |")
    na, at = models["noattn"], models["attn"]
    first, last = cols[0][1], [b for s, b in cols if s == "test"][-1]
    long_ = [b for s, b in cols if s == "test_long" and at["test_long"][b]["n"] >= 100][-1]  # the longest well-filled
    stale = "" if cal["provenance"].get("corpus_manifest") == manifest_text(splits) else (
        "\n\n**Stale:** these scores were measured on an earlier version of the corpus; re-run the command above.")
    cfg = cal["provenance"]["config"]
    return f"""Measured with `{cal["provenance"]["command"]}` (char-level Chinese, word-level English, GRU
encoder–decoders with emb {cfg["emb"]} and hidden {cfg["hidden"]}, Adam {cfg["lr"]:g}, batch {cfg["batch"]}, about one minute of CPU training each, one seed;
`results/corpus_calibration.json`). Exact match (%) by the length of the English reference in tokens, on `test` and
`test_long`:

{chr(10).join(lines)}

Within the training lengths, the model without attention gets {na['test'][first]['em']:.0f} % exact match at {first}
tokens and {na['test'][last]['em']:.0f} % at {last}; with attention, {at['test'][first]['em']:.0f} % and
{at['test'][last]['em']:.0f} %. On `test_long`, longer than anything in training, the model without attention
collapses to {na['test_long']['all']['em']:.0f} % exact match ({na['test_long'][long_]['em']:.0f} % at {long_} tokens)
while attention holds {at['test_long']['all']['em']:.0f} % ({at['test_long'][long_]['em']:.0f} %); BLEU on `test_long` is
{at['test_long']['all']['bleu']:.0f} against {na['test_long']['all']['bleu']:.0f}: hard, but learnable.{stale}"""


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m helpers.corpus", description=_corpus.__doc__.split("\n")[0])
    ap.add_argument("--out", default="data/zh_en", help="directory for the splits and README.md")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED)
    ap.add_argument("--sample", type=int, default=0, help="also print this many random train pairs")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    splits = build_splits(args.seed)
    seconds = time.perf_counter() - t0
    write_splits(args.out, args.seed, splits)
    (Path(args.out) / "README.md").write_text(describe(splits, args.seed), encoding="utf-8", newline="\n")
    print(f"generated {sum(map(len, splits.values())):,} pairs in {seconds:.1f} s → {args.out}")
    for p in random.Random(args.seed).sample(splits["train"], args.sample):
        print(f"{p.zh}\t{p.en}")
    return 0
