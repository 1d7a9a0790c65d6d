"""Tokenizers and vocabularies: round-trips, fixed special ids, clear errors, BPE."""

import json
import warnings

import pytest
import torch

from helpers.tokenize import (
    BOS_ID, EN_TOKEN_PATTERN, EOS_ID, PAD_ID, SPECIALS, UNK, UNK_ID, UnknownTokenWarning, Vocab,
    build_vocabs, decode_sentence, detokenize, detokenize_en, detokenize_zh, encode_sentence,
    load_bpe, save_bpe, tokenize, tokenize_en, tokenize_zh, train_bpe,
)

EN_SENTENCES = [
    "I read a book in the park yesterday.",
    "Don't you like it?",
    "What did you buy?",
    "She has never eaten a mango.",
    "He is reading three books.",
    "They will go to the museum tomorrow.",
    "The book I bought yesterday is red.",
    "Did you see the cat?",
    "My brother is taller than my sister.",
    "The cup was broken by the child.",
    "He put the letter on the table.",
    "I'm not going to school today.",
    "We didn't watch the movie.",
    "Where did he put the two pens?",
    "An old man bought an umbrella.",
    "Who ate my apple?",
    "Is she a teacher?",
    "Yes, I do.",
    "No. We don't.",
    "It's 5 o'clock.",
    "I'll call you at 2:30.",
    "It costs 3.5 dollars.",
    "A well-known writer lives here.",
    "We live in the 21st century.",
    "The students' books are here.",
    'He said "no."',
    "Has the girl ever seen a panda?",
    "I haven't read the book that you bought.",
]


def test_special_tokens_have_fixed_ids():
    assert SPECIALS == ("<pad>", "<bos>", "<eos>", "<unk>")
    assert (PAD_ID, BOS_ID, EOS_ID, UNK_ID) == (0, 1, 2, 3)
    v = Vocab.build([["a"]])
    assert [v.token_to_id(s) for s in SPECIALS] == [0, 1, 2, 3]


def test_en_token_pattern_is_the_corpus_regex():
    assert EN_TOKEN_PATTERN == r"[a-z]+(?:'[a-z]+)?|[0-9]+|[^\sa-z0-9]"


def test_tokenize_zh_is_character_level_without_whitespace():
    assert tokenize_zh("我 爱\t你。") == ["我", "爱", "你", "。"]
    assert tokenize("我爱你", "zh") == ["我", "爱", "你"]
    assert detokenize_zh(["我", "爱", "你", "。"]) == "我爱你。"


def test_tokenize_en_lowercases_and_splits_punctuation():
    assert tokenize_en("Don't go!") == ["don't", "go", "!"]
    assert tokenize_en("I read 3 books, Tom.") == ["i", "read", "3", "books", ",", "tom", "."]
    assert tokenize_en("It doesn’t matter.") == ["it", "doesn't", "matter", "."]  # typographic apostrophe


@pytest.mark.parametrize("sentence", EN_SENTENCES)
def test_detokenize_en_round_trips(sentence):
    assert detokenize_en(tokenize_en(sentence)) == sentence


def test_detokenize_en_capitalises_proper_nouns_and_sentences():
    toks = tokenize_en("Tom's dog is bigger than Mary's. Is it?")
    assert detokenize_en(toks) == "Tom's dog is bigger than mary's. Is it?"
    assert detokenize_en(toks, proper_nouns={"mary"}) == "Tom's dog is bigger than Mary's. Is it?"
    assert detokenize(["i", "see", "."], "en") == "I see."


def test_vocab_ids_are_deterministic():
    lists = [["b", "a", "c"], ["a", "b"], ["b", "a", "d", "d"]]
    v = Vocab.build(lists)
    assert v.tokens == list(SPECIALS) + ["a", "b", "d", "c"]  # by frequency desc, ties alphabetical
    assert Vocab.build(reversed(lists)) == v
    assert Vocab.build(lists, min_freq=2).tokens[4:] == ["a", "b", "d"]
    assert len(Vocab.build(lists, max_size=6)) == 6


def test_vocab_encode_decode_round_trip():
    v = Vocab.build([tokenize_zh("我昨天在公园看了书。")])
    toks = tokenize_zh("我在公园看书。")
    ids = v.encode(toks, add_bos=True, add_eos=True)
    assert ids[0] == BOS_ID and ids[-1] == EOS_ID
    assert v.decode(ids) == toks
    assert v.decode(torch.tensor(ids + [PAD_ID, PAD_ID])) == toks  # tensors, padding
    assert v.decode(ids + [v.token_to_id("书")]) == toks  # stops at <eos>
    assert v.decode(ids, strip_special=False)[0] == "<bos>"
    assert v.id_to_token(v.token_to_id("我")) == "我"


def test_unknown_tokens_warn_and_map_to_unk():
    v = Vocab.build([tokenize_zh("我爱你")])
    with pytest.warns(UnknownTokenWarning, match="猫"):
        ids = v.encode(tokenize_zh("我爱猫"))
    assert ids == [v.token_to_id("我"), v.token_to_id("爱"), UNK_ID]
    assert issubclass(UnknownTokenWarning, UserWarning)
    assert v.decode(ids) == ["我", "爱", UNK]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert v.encode(["猫"], on_unknown="ignore") == [UNK_ID]
    with pytest.raises(ValueError, match="猫"):
        v.encode(["猫"], on_unknown="error")
    with pytest.raises(ValueError, match="on_unknown"):
        v.encode(["我"], on_unknown="drop")


def test_encode_sentence_errors_are_clear():
    v = Vocab.build([tokenize_en("I read a book.")])
    assert v.decode(encode_sentence(v, "I read a book.", "en", add_bos=True, add_eos=True)) == ["i", "read", "a", "book", "."]
    for empty in ("", "   \n"):
        with pytest.raises(ValueError, match="empty"):
            encode_sentence(v, empty, "en")
    with pytest.raises(ValueError, match=r"7 tokens long.*max_len=5"):
        encode_sentence(v, "I read a book.", "en", add_bos=True, add_eos=True, max_len=5)
    with pytest.raises(ValueError, match="lang"):
        encode_sentence(v, "I read a book.", "fr")
    with pytest.raises(TypeError, match="str"):
        encode_sentence(v, None, "en")
    with pytest.raises(TypeError, match="list of tokens"):
        v.encode("a sentence")
    with pytest.raises(IndexError, match="0..8"):
        v.id_to_token(99)


def test_vocab_to_dict_from_dict_json():
    v = Vocab.build([tokenize_zh("我爱你"), tokenize_zh("你好")])
    again = Vocab.from_dict(json.loads(json.dumps(v.to_dict())))
    assert again == v and again.tokens == v.tokens
    with pytest.raises(ValueError, match="special tokens"):
        Vocab(["a", "b"])
    with pytest.raises(ValueError, match="to_dict"):
        Vocab.from_dict({"words": []})


def test_build_vocabs_and_decode_sentence():
    class P:  # like corpus.Pair
        zh, en = "我看了书。", "I read a book."

    src, tgt = build_vocabs([("我爱你。", "I love you."), P()])
    assert "书" in src and "book" in tgt and "书" not in tgt
    ids = encode_sentence(tgt, "I love you.", "en", add_eos=True)
    assert decode_sentence(tgt, ids, "en") == "I love you."
    assert decode_sentence(src, encode_sentence(src, "我爱你。", "zh"), "zh") == "我爱你。"


BPE_TEXTS = ["我昨天在公园看了书。", "你买了什么？", "他比我高。", "我们正在吃饭。", "I read a book in the park yesterday.",
             "What did you buy?", "He is taller than me.", "We are eating."] * 20


def test_bpe_round_trips_chinese_and_english(tmp_path):
    tok = train_bpe(BPE_TEXTS, vocab_size=400)
    assert [tok.token_to_id(s) for s in SPECIALS] == [0, 1, 2, 3]
    for s in ["我昨天在公园看了书。", "猫喜欢鱼吗？", "I read a book.", "Unseen words: zebra 42!", "混合 mixed 文本"]:
        assert tok.decode(tok.encode(s).ids) == s
    assert len(tok.encode("我昨天在公园看了书。").ids) < len("我昨天在公园看了书。".encode())  # merges were learnt
    path = save_bpe(tok, tmp_path / "bpe.json")
    again = load_bpe(path)
    assert again.encode("你买了什么？").ids == tok.encode("你买了什么？").ids
    with pytest.raises(FileNotFoundError, match="train_bpe"):
        load_bpe(tmp_path / "missing.json")


def test_bpe_training_is_deterministic():
    assert train_bpe(BPE_TEXTS, vocab_size=300).to_str() == train_bpe(BPE_TEXTS, vocab_size=300).to_str()


def test_proper_nouns_are_found_and_restored():
    from helpers.tokenize import build_vocabs, decode_sentence, find_proper_nouns

    en = ["Tom went to Beijing.", "The cat saw Mary's dog.", "I think I'm late.", "Because the cat left, Mary sang."]
    assert find_proper_nouns(en) == {"beijing", "mary's", "mary"}
    _, tgt = build_vocabs([("汤姆去了北京。", en[0]), ("猫看见了玛丽的狗。", en[1]),
                           ("我想我迟到了。", en[2]), ("因为猫走了，玛丽唱了歌。", en[3])])
    assert {"beijing", "mary"} <= tgt.proper_nouns
    ids = tgt.encode(["the", "cat", "went", "to", "beijing", "."])
    assert decode_sentence(tgt, ids, "en") == "The cat went to Beijing."
    again = Vocab.from_dict(tgt.to_dict())
    assert again.proper_nouns == tgt.proper_nouns and again == tgt
