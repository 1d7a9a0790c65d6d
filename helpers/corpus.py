"""A seeded generator of Chinese–English sentence pairs with gold word alignments.

The course's translation task. A small grammar (the package ``helpers.grammar``: sentence,
clause and noun-phrase levels over a lexicon) builds each sentence once, as a tree of phrases,
and realises it in both languages at the same time, so every Chinese character knows which
English words it produced: the gold alignment comes for free and is exact. The constructions are
the ones that make attention interesting, because the two word orders differ:

* time and place before the verb in Chinese, after it in English
  (我昨天在公园看了书。 → I read a book in the park yesterday.);
* relative clauses before the noun in Chinese, after it in English, nested up to twice
  (我昨天买的书 → the book I bought yesterday);
* questions: 吗 at the end ↔ an auxiliary at the front; wh-words in place ↔ wh-words first;
* measure words, plurals and a/an; 了 过 正在 会 and 不/没 against English tense and do-support;
* 把 and 被, 比 comparatives, and clauses joined with 然后, 但是, 因为…所以…, 如果…就….

Representation. ``Pair.zh`` is a plain string of Chinese characters (no spaces, Chinese numerals,
ending in 。 or ？); ``Pair.en`` is a natural English sentence ("I read a book in the park
yesterday."). English tokens are ``en_tokens(en)`` (lower-cased; "don't" and "tom's" are one
token, punctuation is its own token). ``Pair.alignment`` is a sorted tuple of
(Chinese character index, English token index) links.

Alignment convention: every English content word (noun, verb, adjective, pronoun, number, adverb,
wh-word) is linked to all the Chinese characters it translates, character by character (公园 →
park gives two links). Chinese function characters are linked to the English word whose meaning
they carry: 了 → the past-tense verb, 过 → have/has (and "ever" in a question), 会 → will, 正在 → am/is/are, 不/没 →
don't/didn't/isn't…, 吗 → the fronted auxiliary of a yes/no question (Did/Do/Will/Is…), a measure
word → the numeral or demonstrative before it, 的 → 's, who/that or the adjective it ends (a relative
clause without who/that, "the book I bought" for 我买的书, leaves its 的 unaligned), 被 → was
and by, 比 → than, 有 → have/has or "there is", 在 and a localiser (上, 里, …) → the preposition,
如果/因为/但是/然后/所以 → if/because/but/then/so. English words with no Chinese counterpart are left
unaligned (exactly the set ``FUNCTION_WORDS``): articles a/an/the (except "a" from 一), do/does/did
in wh-questions, infinitive and purpose "to", "it" of the weather, "and" of "and then" and of "went to the shop and
bought" (去商店买了), "that" (or "which", before "that friend …") opening a relative clause whose subject holds
another, and copulas where there is no 是. Chinese 把, 就 and the 所以 of 因为…所以… stay unaligned. Final 。/？ is
linked to the final ./?, a Chinese comma to an English comma.

Regenerate the course data: ``python -m helpers.corpus --out data/zh_en`` (see ``build_splits``);
the train split is written gzip-compressed (``train.tsv.gz``), the others as plain ``.tsv``. In a
notebook, ``load_split("train")`` reads a split from ``DATA_DIR`` (the repository's ``data/zh_en``,
or the folder named by the environment variable ``COURSE_DATA_DIR``).
"""

from __future__ import annotations

import collections
import gzip
import hashlib
import io
import os
import random
import re
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import grammar

__all__ = ["EN_TOKEN_PATTERN", "en_tokens", "Pair", "generate_pairs", "realise", "build_splits", "write_splits",
           "read_split", "construction_counts", "CONSTRUCTIONS", "FUNCTION_WORDS", "HELD_OUT_NOUNS", "LONG_THRESHOLD",
           "SPLIT_SIZES", "DEFAULT_SEED", "KINDS", "load_split", "DATA_DIR", "DATA_DIR_ENV_VAR", "SPLIT_FILES",
           "manifest_text", "current_manifest"]

EN_TOKEN_PATTERN = r"[a-z]+(?:'[a-z]+)?|[0-9]+|[^\sa-z0-9]"
_EN_RE = re.compile(EN_TOKEN_PATTERN)

DEFAULT_SEED = 2024
SPLIT_SIZES = {"train": 30000, "valid": 1000, "test": 1000, "test_long": 500, "test_novel": 500}
# The file of each split: train is gzip-compressed (6.2 MB of text), the small ones stay readable.
SPLIT_FILES = {"train": "train.tsv.gz", "valid": "valid.tsv", "test": "test.tsv", "test_long": "test_long.tsv",
               "test_novel": "test_novel.tsv"}
GZIP_LEVEL = 9  # fixed, with mtime 0 and no file name in the header: same zlib → same bytes
LONG_THRESHOLD = 32  # Chinese characters (with punctuation): train/valid/test ≤ this < test_long
LONG_MAX = 80
# Nouns never used in the 把 or 被 frames in train/valid/test; test_novel uses them only there.
HELD_OUT_NOUNS = ("雨伞", "手表", "蛋糕", "自行车")
# English words that may be left unaligned (see the module docstring).
FUNCTION_WORDS = frozenset("a an the do does did to it and that which is am are was were be".split())
KINDS = grammar.CLAUSE_KINDS  # the clause kinds `realise` builds (and "coordination")
CONSTRUCTIONS = tuple("""past_le neg_mei present neg_bu future_hui progressive_zhengzai experiential_guo never time
place freq_adverb q_yesno q_what q_who q_where q_why q_how_many numeral_measure demonstrative possessive adjective
relative_clause relative_nested transitive intransitive motion purpose want like ditransitive ba bei comparative
adjective_predicate copula existential possess weather coord_then coord_but coord_because coord_so conditional
coordination_np coord_and time_fronted""".split())

# Where `load_split` looks: the folder named by $COURSE_DATA_DIR if set, else the repository's data/zh_en.
DATA_DIR_ENV_VAR = "COURSE_DATA_DIR"


def _env_data_dir() -> Path | None:
    value = os.environ.get(DATA_DIR_ENV_VAR)
    return Path(os.path.expanduser(value)) if value else None


REPO_DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "zh_en"  # the committed splits
DATA_DIR = _env_data_dir() or REPO_DATA_DIR


def en_tokens(sentence: str) -> list[str]:
    """Split an English sentence into lower-cased tokens with ``EN_TOKEN_PATTERN``: "I don't like Tom's cat." →
    ['i', "don't", 'like', "tom's", 'cat', '.']."""
    if not isinstance(sentence, str):
        raise TypeError(f"en_tokens expects a str, got {type(sentence).__name__}")
    return _EN_RE.findall(sentence.lower())


@dataclass(frozen=True)
class Pair:
    """One sentence pair. ``alignment``: sorted (zh char index, en token index) links."""

    zh: str
    en: str
    alignment: tuple[tuple[int, int], ...]
    construction: tuple[str, ...] = ()

    def alignment_str(self) -> str:
        return " ".join(f"{i}-{j}" for i, j in self.alignment)


# Sentences → Pairs, and the public API. The grammar itself is in helpers/grammar/.

def _pair(zh_pieces, en_pieces, question, tags) -> Pair:
    """A Pair from a sentence the grammar built (``grammar.assemble`` reads off the alignment)."""
    zh, en, words, alignment = grammar.assemble(zh_pieces, en_pieces, question)
    if en_tokens(en) != [w.lower() for w in words]:  # the grammar must only build regex-clean tokens
        raise AssertionError(f"English tokens of {en!r} do not match the pieces {words}")
    return Pair(zh, en, alignment, tuple(sorted(set(tags))))


_CLAUSE_WEIGHTS = {"default": (5, 4, 2, 0), "long": (0, 1, 5, 1)}
_TRIES_PER_PAIR, _TRIES_EXTRA = 200, 10_000  # generate_pairs gives up after this many sentences


def _check_int(name, value, minimum):
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{name} must be an int ≥ {minimum}, got {value!r}")


def generate_pairs(n: int, seed: int = DEFAULT_SEED, *, min_len: int | None = None, max_len: int | None = None,
                   exclude=(), novel: bool = False, clause_weights=None) -> list[Pair]:
    """Generate `n` distinct sentence pairs, reproducibly for a given seed.

    min_len / max_len: bounds on the Chinese length in characters (final 。/？ included).
    exclude: Pairs or strings; a pair whose Chinese or English equals one of them is skipped.
    novel: every pair puts a HELD_OUT_NOUNS noun in the 把 or 被 frame (the test_novel split);
        otherwise no pair with 把 or 被 mentions a held-out noun at all.
    clause_weights: relative frequency of sentences with 1, 2, 3, 4 clauses (default: mostly
        1–2 clauses; with min_len > 20, mostly 2–4).
    Within the result no Chinese sentence and no English sentence occurs twice.
    """
    _check_int("n", n, 0)
    _check_int("seed", seed, 0)
    for name, v in (("min_len", min_len), ("max_len", max_len)):
        if v is not None:
            _check_int(name, v, 1)
    if min_len is not None and max_len is not None and min_len > max_len:
        raise ValueError(f"min_len ({min_len}) is larger than max_len ({max_len})")
    if clause_weights is None:
        clause_weights = _CLAUSE_WEIGHTS["long" if min_len and min_len > 20 else "default"]
    if len(clause_weights) != 4 or any(not isinstance(w, (int, float)) or w < 0 for w in clause_weights) \
            or not sum(clause_weights):
        raise ValueError(f"clause_weights must be 4 non-negative numbers (1–4 clauses), got {clause_weights!r}")
    banned = set()
    for x in exclude:
        if isinstance(x, Pair):
            banned.update((x.zh, x.en))
        elif isinstance(x, str):
            banned.add(x)
        else:
            raise ValueError(f"exclude holds Pairs or strings, not {type(x).__name__}")
    rng = random.Random(seed)
    out, seen, tries = [], set(), 0
    while len(out) < n:
        tries += 1
        if tries > _TRIES_PER_PAIR * n + _TRIES_EXTRA:
            raise RuntimeError(f"only {len(out)} of {n} distinct pairs found with min_len={min_len}, "
                               f"max_len={max_len}: relax the bounds or ask for fewer")
        k = rng.choices((1, 2, 3, 4), clause_weights)[0]
        for _ in range(_TRIES_PER_PAIR):  # a grammar Retry keeps k: long sentences fail more often, and must not
            ch = grammar.Chooser(rng, novel=novel, held_out=HELD_OUT_NOUNS)  # thin out for it
            try:
                zh, en, question = grammar.sentence(ch, k, rng.randrange(k) if novel else None)
                break
            except grammar.Retry:
                continue
        else:
            continue
        pair = _pair(zh, en, question, ch.tags)
        size = len(pair.zh)
        if (min_len and size < min_len) or (max_len and size > max_len):
            continue
        if not novel and {"ba", "bei"} & set(pair.construction) and any(h in pair.zh for h in HELD_OUT_NOUNS):
            continue
        if pair.zh in seen or pair.en in seen or pair.zh in banned or pair.en in banned:
            continue
        seen.update((pair.zh, pair.en))
        out.append(pair)
    return out


def realise(kind: str, choices: dict | None = None, *, seed: int = 0) -> Pair:
    """Build one sentence of a given kind with given choices: the grammar, made testable.

    kind: a clause kind (``sorted(KINDS)``) or "coordination" (two clauses; choose the connector
    with "conn": then/but/so/because/if, and each clause's choices under "c0." and "c1.").
    choices: names of the grammar's decisions → wanted value, e.g.
    ``realise("transitive", {"tam": "past", "subj.type": "pron", "subj.pron": "我", "verb": "read",
    "obj.noun": "书", "obj.det": "bare", "time": "昨天", "place": "公园", "q": "decl"})``
    → 我昨天在公园看了书。 / I read a book in the park yesterday.
    Options are named by their Chinese or English word. Optional parts left out of `choices` are
    left out of the sentence; other unnamed choices are drawn from `seed`.
    """
    if kind not in KINDS and kind != "coordination":
        raise ValueError(f"unknown kind {kind!r}; choose one of {sorted(KINDS) + ['coordination']}")
    choices = dict(choices or {})
    if not all(isinstance(k, str) for k in choices):
        raise ValueError("choice names must be strings such as 'subj.pron'")
    rng = random.Random(seed)
    for _ in range(200):
        ch = grammar.Chooser(rng, fixed=choices, strict=True, held_out=HELD_OUT_NOUNS)
        try:
            if kind == "coordination":
                zh, en, q = grammar.sentence(ch, 2)
            else:
                zh, en, q = grammar.clause(ch, kind)
        except grammar.Retry:
            continue
        unused = sorted(set(choices) - ch.used)
        if unused:
            raise ValueError(f"these choices were not used by a {kind} sentence: {unused}")
        return _pair(zh, en, q, ch.tags)
    raise ValueError(f"no {kind} sentence satisfies {choices}")


def build_splits(seed: int = DEFAULT_SEED, sizes: dict | None = None) -> dict[str, list[Pair]]:
    """The course corpus: train, valid, test (Chinese ≤ LONG_THRESHOLD characters, disjoint),
    test_long (longer than anything in train) and test_novel (held-out nouns in 把/被).

    No Chinese or English sentence occurs in two splits. Same seed → same pairs.
    """
    sizes = {**SPLIT_SIZES, **(sizes or {})}
    if set(sizes) != set(SPLIT_SIZES):
        raise ValueError(f"sizes names the splits {sorted(SPLIT_SIZES)}, got {sorted(sizes)}")
    for name, v in sizes.items():
        _check_int(f"sizes[{name!r}]", v, 0)
    _check_int("seed", seed, 0)
    nv, nt = sizes["valid"], sizes["test"]
    main = generate_pairs(sizes["train"] + nv + nt, seed, max_len=LONG_THRESHOLD)
    random.Random(seed).shuffle(main)
    long = generate_pairs(sizes["test_long"], seed + 1, min_len=LONG_THRESHOLD + 1, max_len=LONG_MAX, exclude=main)
    novel = generate_pairs(sizes["test_novel"], seed + 2, max_len=LONG_THRESHOLD, novel=True, exclude=main + long)
    return {"train": main[nv + nt:], "valid": main[:nv], "test": main[nv:nv + nt], "test_long": long,
            "test_novel": novel}


HEADER = "zh\ten\talignment"


def _tsv_bytes(pairs) -> bytes:
    lines = [HEADER] + [f"{p.zh}\t{p.en}\t{p.alignment_str()}" for p in pairs]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _gzip_bytes(data: bytes) -> bytes:
    """gzip with fixed settings: no file name, mtime 0, level GZIP_LEVEL (reproducible bytes)."""
    buf = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=buf, mtime=0, compresslevel=GZIP_LEVEL) as f:
        f.write(data)
    return buf.getvalue()


def _file_bytes(filename, pairs) -> bytes:
    data = _tsv_bytes(pairs)
    return _gzip_bytes(data) if filename.endswith(".gz") else data


MANIFEST = "text.sha256"  # beside the splits: the sha256 of each split's text (decompressed, "\n" line ends)


def _text_sha256(path: Path) -> str:
    """sha256 of a split's text: decompressed, with ``\r\n`` read as ``\n`` (a Windows checkout's line ends)."""
    data = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError, zlib.error) as e:
            raise ValueError(f"{path}: not a valid gzip file ({e}): it is damaged or incomplete. "
                             f"{_regenerate_hint(path.parent)}") from None
    return hashlib.sha256(data.replace(b"\r\n", b"\n")).hexdigest()


def _check_manifest(path: Path, required: bool) -> None:
    """Refuse a split whose text differs from the checksum written beside it (a cut-short or edited file)."""
    manifest = path.parent / MANIFEST
    if not manifest.is_file():
        if required:
            raise ValueError(f"{manifest} is missing, so the corpus cannot be checked. {_regenerate_hint(path.parent)}")
        return
    sums = {}
    for line in manifest.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) != 2 or len(parts[0]) != 64:
            raise ValueError(f"{manifest}: cannot read the line {line!r} (expected '<sha256>  <file>'). "
                             f"{_regenerate_hint(path.parent)}")
        sums[parts[1]] = parts[0]
    if path.name not in sums:
        if required:
            raise ValueError(f"{path.name} is not listed in {manifest}. {_regenerate_hint(path.parent)}")
        return
    if sums[path.name] != _text_sha256(path):
        raise ValueError(f"{path} does not match its checksum in {MANIFEST}: the file is damaged, incomplete or was "
                         f"edited. {_regenerate_hint(path.parent)}")


def _regenerate_hint(directory) -> str:
    command = f"python -m helpers.corpus --out {directory} --seed {DEFAULT_SEED}"
    return f"Regenerate the corpus with `{command}` (run it in the repository root)."


def write_splits(directory, seed: int = DEFAULT_SEED, splits: dict | None = None) -> dict[str, Path]:
    """Write the five splits into `directory` under the names in ``SPLIT_FILES``: train.tsv.gz,
    valid.tsv, test.tsv, test_long.tsv, test_novel.tsv. Returns split name → path.

    Each file (after decompression for .gz): UTF-8, '\\n' line ends, a header line
    ``zh<TAB>en<TAB>alignment``, then one pair a line; alignment is "i-j i-j …" (Chinese character
    index - English token index, sorted). The gzip file has no name or time stamp in its header, so
    the same splits give the same bytes (with the same zlib). A file of the other format left from
    an older run (train.tsv next to train.tsv.gz) is removed, so each split has one file.
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    splits = build_splits(seed) if splits is None else splits
    paths = {}
    for name, filename in SPLIT_FILES.items():
        paths[name] = directory / filename
        _write_atomically(directory / filename, _file_bytes(filename, splits[name]))
        stale = directory / (f"{name}.tsv" if filename.endswith(".gz") else f"{name}.tsv.gz")
        if stale.is_file():
            stale.unlink()
    _write_atomically(directory / MANIFEST, manifest_text(splits).encode("utf-8"))
    return paths


def current_manifest(data_dir=None) -> str:  # stored results record it: the corpus they were measured on
    return (Path(data_dir or DATA_DIR) / MANIFEST).read_text(encoding="utf-8")


def manifest_text(splits: dict) -> str:  # what write_splits writes to MANIFEST: "<sha256 of the text>  <file>" lines
    return "".join(f"{hashlib.sha256(_tsv_bytes(splits[name])).hexdigest()}  {filename}\n"
                   for name, filename in SPLIT_FILES.items())


def _write_atomically(path: Path, data: bytes) -> None:
    """Write, then rename: an interrupted run leaves the old file or the new one, never half of one."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_bytes(data)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def read_split(path) -> list[Pair]:
    """Read a split written by `write_splits`, plain (``.tsv``) or gzip-compressed (``.tsv.gz``).

    ``Pair.construction`` is empty: it is not stored. A missing, corrupt or malformed file raises
    FileNotFoundError or ValueError naming the file (and the line) at fault.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: no such split file. {_regenerate_hint(path.parent)}")
    raw = path.read_bytes()
    if path.name.endswith(".gz"):
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as e:  # not gzip, truncated, or damaged
            raise ValueError(f"{path}: not a valid gzip file ({e}): it is damaged or incomplete. "
                             f"{_regenerate_hint(path.parent)}") from None
    elif raw[:2] == b"\x1f\x8b":
        raise ValueError(f"{path}: this file is gzip-compressed; name it {path.name}.gz to read it")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise ValueError(f"{path}: not UTF-8 text ({e})") from None
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != HEADER:
        raise ValueError(f"{path}:1: expected the header line {HEADER!r}, found {lines[0]!r}" if lines
                         else f"{path}: the file is empty; expected the header line {HEADER!r}")
    pairs = []
    for lineno, line in enumerate(lines[1:], start=2):
        cols = line.split("\t")
        if len(cols) != 3:
            raise ValueError(f"{path}:{lineno}: expected 3 tab-separated columns (zh, en, alignment), "
                             f"found {len(cols)}")
        zh, en, al = cols
        if not zh or not en:
            raise ValueError(f"{path}:{lineno}: empty Chinese or English sentence")
        n_en, links = len(en_tokens(en)), []
        for item in al.split():
            m = re.fullmatch(r"(\d+)-(\d+)", item)
            if not m:
                raise ValueError(f"{path}:{lineno}: bad alignment link {item!r}; expected 'i-j' with integers")
            i, j = int(m[1]), int(m[2])
            if i >= len(zh) or j >= n_en:
                raise ValueError(f"{path}:{lineno}: alignment link {item} is out of range "
                                 f"({len(zh)} Chinese characters, {n_en} English tokens)")
            links.append((i, j))
        pairs.append(Pair(zh, en, tuple(links)))
    return pairs


def load_split(name: str, data_dir=None) -> list[Pair]:
    """One split of the course corpus by name: ``load_split("train")`` → 30,000 Pairs.

    name: train, valid, test, test_long or test_novel. data_dir: the folder holding the splits;
    default: the folder named by the environment variable ``COURSE_DATA_DIR`` if it is set, else
    ``DATA_DIR`` (the repository's ``data/zh_en``). Reads ``name.tsv.gz`` or ``name.tsv``, whichever
    is there (the one ``write_splits`` writes first). ``Pair.construction`` is empty: not stored.
    """
    if not isinstance(name, str) or name not in SPLIT_FILES:
        raise ValueError(f"unknown split {name!r}; choose one of {', '.join(SPLIT_FILES)}")
    directory = Path(data_dir) if data_dir is not None else _env_data_dir() or DATA_DIR
    names = [SPLIT_FILES[name]] + [f"{name}{ext}" for ext in (".tsv.gz", ".tsv") if f"{name}{ext}" != SPLIT_FILES[name]]
    for filename in names:
        if (directory / filename).is_file():
            _check_manifest(directory / filename, required=directory.resolve() == REPO_DATA_DIR)
            return read_split(directory / filename)
    raise FileNotFoundError(f"split {name!r} not found: no {' or '.join(names)} in {directory}. "
                            f"{_regenerate_hint(directory)}")


def construction_counts(pairs) -> collections.Counter:
    """How many pairs use each construction (a pair counts once per construction)."""
    pairs = list(pairs)
    bad = next((p for p in pairs if not isinstance(p, Pair)), None)
    if bad is not None:
        raise ValueError(f"construction_counts expects Pairs, got {type(bad).__name__}")
    return collections.Counter(c for p in pairs for c in p.construction)


# Command line: python -m helpers.corpus --out data/zh_en (the command itself is in helpers/corpus_card.py)

if __name__ == "__main__":
    # run it from the imported modules, so its Pair class is the one helpers.corpus_card sees (not __main__'s copy)
    from helpers.corpus_card import main

    sys.exit(main())
