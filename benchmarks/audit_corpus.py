"""Audit the generated corpus for sense: read each pair back with the lexicon and check the rules of
``helpers/grammar/audit.py`` (adjective–noun, verb–place, animals, counts, self-reference, 们, 过, relative
clauses, connectives, attachment ambiguity). Prints the violations per split and rule, a few examples of each,
and optionally random pairs to read; exits with status 1 when any rule is broken.

    python benchmarks/audit_corpus.py                        # the committed corpus, data/zh_en
    python benchmarks/audit_corpus.py --sample 40            # … and 40 random pairs to read
    python benchmarks/audit_corpus.py --review 5050 > r.txt  # … and the 100 numbered pairs of a blind review
    mkdir -p /tmp/old && for f in train.tsv.gz valid.tsv test.tsv test_long.tsv test_novel.tsv; do
        git show REV:data/zh_en/$f > /tmp/old/$f; done
    python benchmarks/audit_corpus.py --data /tmp/old        # an older corpus, for comparison
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.corpus import SPLIT_FILES, read_split  # noqa: E402
from helpers.grammar.audit import RULES, audit  # noqa: E402


# The blind review of issue 14 (benchmarks/README.md): 100 pairs, weighted towards train.
REVIEW_SAMPLE = {"train": 55, "test": 15, "test_long": 20, "test_novel": 10}


def review_sample(data: Path, seed: int) -> str:
    """The 100 numbered pairs a reviewer reads (``REVIEW_SAMPLE`` per split, shuffled), as text: "N. zh" then
    "   en". The same seed and corpus give the same sample."""
    rng, pairs = random.Random(seed), []
    for name, k in REVIEW_SAMPLE.items():
        pairs += rng.sample(read_split(data / SPLIT_FILES[name]), k)
    rng.shuffle(pairs)
    return "".join(f"{i}. {p.zh}\n   {p.en}\n" for i, p in enumerate(pairs, 1))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", default=str(Path(__file__).resolve().parents[1] / "data" / "zh_en"),
                    help="folder with the split files")
    ap.add_argument("--sample", type=int, default=0, help="also print this many random pairs (all splits)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random sample")
    ap.add_argument("--examples", type=int, default=2, help="examples printed per broken rule and split")
    ap.add_argument("--review", type=int, default=None, metavar="SEED",
                    help="print only the blind-review sample drawn with this seed (REVIEW_SAMPLE pairs per split)")
    args = ap.parse_args(argv)
    if args.review is not None:
        print(review_sample(Path(args.data), args.review), end="")
        return 0
    data, total, everything = Path(args.data), 0, []
    print(f"{'split':11s} {'pairs':>6s} " + " ".join(f"{r:>10s}" for r in RULES))
    for name, filename in SPLIT_FILES.items():
        if not (data / filename).is_file():
            print(f"{name}: no {filename} in {data}", file=sys.stderr)
            return 2
        pairs = read_split(data / filename)
        everything += pairs
        found = audit(pairs)
        total += sum(map(len, found.values()))
        print(f"{name:11s} {len(pairs):6d} " + " ".join(f"{len(found[r]):10d}" for r in RULES))
        for rule in RULES:
            for i, msg in found[rule][:args.examples]:
                print(f"    {rule}: {msg} | {pairs[i].zh} | {pairs[i].en}")
    print(f"\n{total} violations in {len(everything):,} pairs")
    for p in random.Random(args.seed).sample(everything, min(args.sample, len(everything))):
        print(f"{p.zh}\t{p.en}")
    return 1 if total else 0


if __name__ == "__main__":
    sys.exit(main())
