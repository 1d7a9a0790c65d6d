"""How much a generated corpus says per sentence, by English length: a quick proxy for how hard it is to squeeze a
sentence through one vector (issue 14). zlib bits per English sentence, on an equal random sample per length bucket.

    python wip/info_by_length.py old            # the committed train split (its first 8,000 pairs)
    python wip/info_by_length.py NAME [N]       # N pairs (default 6,000) from the grammar as it is now, seed 7

Prints one line: for each bucket, the bits per sentence and its share of the pairs; then 4 examples from each of the
two longest buckets. Comparable only between runs with the same sample size per bucket (600).
"""

import collections
import random
import sys
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from helpers.corpus import en_tokens, generate_pairs, load_split  # noqa: E402

BUCKETS = ["1-8", "9-12", "13-16", "17-20", "21+"]


def bucket(n):
    return "1-8" if n <= 8 else "9-12" if n <= 12 else "13-16" if n <= 16 else "17-20" if n <= 20 else "21+"


def report(pairs, label, per=600):
    by = collections.defaultdict(list)
    for p in pairs:
        by[bucket(len(en_tokens(p.en)))].append(p)
    rng, out = random.Random(0), []
    for b in BUCKETS:
        sample = rng.sample(by[b], min(per, len(by[b])))
        bits = 8 * len(zlib.compress("\n".join(p.en for p in sample).encode(), 9)) / len(sample)
        out.append(f"{b}:{bits:5.0f}b {100 * len(by[b]) / len(pairs):3.0f}%")
    print(f"{label:10s}", "  ".join(out))
    return by


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    if sys.argv[1] == "old":
        report(load_split("train")[:8000], "old")
    else:
        by = report(generate_pairs(int(sys.argv[2]) if len(sys.argv) > 2 else 6000, seed=7), sys.argv[1])
        rng = random.Random(1)
        for b in BUCKETS[-2:]:
            for p in rng.sample(by[b], 4):
                print("   ", p.zh, "|", p.en)
