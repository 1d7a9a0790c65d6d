"""Meaning for the corpus grammar: who does what, where, to what, how many, and which clauses a connective joins.

The lexicon (``lexicon.py``) says which words are grammatical together; this module says which are *sensible*
together, the way a linguist writes the selectional restrictions of a generation grammar. Plain data and two
small lookups, no randomness; the clause kinds (``kinds.py``) and the phrases (``noun_phrase.py``) consult it, and
``benchmarks/audit_corpus.py`` (with ``tests/test_corpus.py``) checks generated sentences against it.

* **Where things happen** (``ACTIVITY_PLACES``): a verb (named by its English key, "read", "look at") takes a place
  phrase only from its list (one swims at the beach or the pool, cooks at home, reads in the library); a verb
  missing from the table takes no place phrase. ``places_for`` adds what "buy" needs: where *that* thing is sold.
* **Animals** (``ANIMAL_ACTS``, ``ANIMAL_SPOTS``, ``DIET``): what each animal does, where (the cat sleeps on
  the bed, the fish swims in the river) and what it eats or drinks.
* **What sits where** (``LOCATION_HOLDS``): which things can be on the table, in the fridge, under the tree.
* **How many** (``MAX_COUNT``): one rides one bicycle and wears one coat; one eats or drinks at most three of a thing.
* **Adjectives that fit** (``ADJ_NOUNS``): sweet cake, hot tea, a fast car; not sweet beer or a long key.
* **Relative clauses** (``RC_VERBS_BANNED``): no "the milk I drank" (a consumed or lost thing is not used again).
* **Connectives** (``CAUSES``, ``ANTONYMS``): which states and events cause which (tired → sleep, rain → stay in,
  hungry → eat), the pairs a contrast may set side by side, and, in ``sentence.py``, the sequences 然后 joins.
"""

from __future__ import annotations

OUTDOOR = ("公园", "海边", "花园")
CITIES = ("北京", "上海")

# Verb key (English base form, plus the particle for 看 "look at" and 找 "look for") → Chinese places where it is
# done. "家" is home. A verb not listed here never takes a place phrase.
ACTIVITY_PLACES = {
    # intransitive verbs
    "work": ("办公室", "学校", "医院", "银行", "商店", "超市", "饭馆", "书店", "图书馆", "火车站") + CITIES,
    "study": ("学校", "图书馆", "家") + CITIES,  # 学习, and 学 + a subject (学英语 study English)
    "rest": ("家", "公园", "花园", "海边"),
    "play": ("公园", "花园", "海边", "家", "学校"),
    "sing": ("家", "公园", "学校"),
    "dance": ("家", "公园", "学校"),
    "swim": ("海边", "游泳池"),
    "run": ("公园", "海边", "学校"),
    "sleep": ("家",),
    "cook": ("家",),
    "cry": (),  # not "they didn't cry at the hospital"
    # transitive verbs
    "read": ("图书馆", "家", "公园", "书店", "火车站"),
    "watch": ("电影院", "家"),
    "look at": ("家",),  # not "looked at a painting in the bookstore"
    "buy": (),  # by object: places_for
    "sell": ("商店",) + CITIES,
    "eat": ("饭馆", "家"),
    "drink": ("饭馆", "家", "办公室"),
    "write": ("家", "办公室", "图书馆", "学校"),
    "draw": ("家", "公园", "学校", "花园"),
    "feed": ("公园", "家", "花园"),
    "wash": ("家",),
    "borrow": ("学校", "办公室"),  # books: places_for
    "take": OUTDOOR + CITIES,  # 拍照片 take photos
    "listen to": ("家", "办公室"),
    "drive": (),
    "ride": ("公园",),
    "lose": ("公园", "学校", "火车站", "电影院", "饭馆", "商店", "超市", "海边"),
    "look for": ("家", "学校", "办公室", "公园"),
    "find": ("家", "学校", "办公室", "公园"),
    "use": ("办公室", "学校", "家", "图书馆"),
    "open": ("家", "办公室"),
    "see": ("公园", "学校", "医院", "火车站", "电影院", "超市", "饭馆", "海边") + CITIES,
    "make": ("家",),
    "steal": ("商店", "超市", "火车站"),
    "fix": ("家",),
    "give": ("学校", "办公室", "家"),
    "lend": ("学校", "图书馆", "办公室"),
    "teach": ("学校",) + CITIES,
    "put": (), "leave": (), "break": ("家",), "bring": (),
}

_EATEN_OUT = {"米饭", "面条", "鱼"}  # what one eats at a restaurant (not "a piece of bread")
_BOOKS = {"书", "杂志", "词典", "小说"}
_SUBJECTS = {"英语", "数学", "中文", "音乐"}
_DRUNK_AT = {"饭馆": {"茶", "啤酒", "果汁"}, "家": {"茶", "咖啡", "啤酒", "果汁", "水", "牛奶"},
             "办公室": {"茶", "咖啡", "水"}}
_SOLD_AT = [  # what "buy" needs: (nouns, where they are sold)
    ({"书", "杂志", "词典", "小说", "地图"}, ("书店",)),
    ({"票"}, ("火车站",)),  # not "went to the cinema, bought a ticket, and went home"
    ({"苹果", "橘子", "鸡蛋", "茶", "咖啡", "牛奶", "啤酒", "面包", "巧克力", "蛋糕", "胡萝卜", "鱼", "报纸"},
     ("超市", "商店")),
]


def purpose_places(verb_key: str, noun_zh: str | None = None) -> tuple:
    """Where one *goes* to do `verb_key` to `noun_zh` (去图书馆看书, 去电影院看电影): a stricter list than
    ``places_for`` (one reads at the station while waiting, but does not go there to read)."""
    dest = {"read": ("图书馆",), "watch": ("电影院",), "eat": ("饭馆",), "drink": ("饭馆",), "study": ("学校",),
            "borrow": ("图书馆",), "take": OUTDOOR + CITIES, "feed": ("公园",)}  # not 去书店看照片, 去北京学英语
    if verb_key == "read" and noun_zh not in _BOOKS | {"报纸"}:
        return ()  # one goes to the library for books, not to read a letter
    if verb_key == "buy":
        return places_for(verb_key, noun_zh)
    return tuple(p for p in dest.get(verb_key, ()) if p in places_for(verb_key, noun_zh))


def places_for(verb_key: str, noun_zh: str | None = None) -> tuple:
    """The places where `verb_key` (an ``ACTIVITY_PLACES`` key) is done to `noun_zh`: () means no place phrase."""
    if verb_key == "buy":
        for nouns, where in _SOLD_AT:
            if noun_zh in nouns:
                return where
        return ("商店",)  # not "went to Beijing to buy a chair"
    if verb_key == "eat" and noun_zh is not None and noun_zh not in _EATEN_OUT:
        return ("家",)
    if verb_key == "feed" and noun_zh is not None:  # birds in the park, the cat at home; not "his fish in the park"
        return ("公园", "花园") if noun_zh == "鸟" else () if noun_zh == "马" else ("家",)
    if verb_key == "borrow" and noun_zh in _BOOKS:
        return ("图书馆",)
    if verb_key == "study" and noun_zh in _SUBJECTS:  # 在学校学数学; not "studies math in Beijing"
        return ("学校", "图书馆", "家")
    if verb_key == "drink" and noun_zh is not None:  # water at home or work, not at a restaurant
        return tuple(p for p in ("饭馆", "家", "办公室") if noun_zh in _DRUNK_AT[p])
    return ACTIVITY_PLACES.get(verb_key, ())


# What each animal does (intransitive verb keys) and where: (location noun, localiser) of lexicon.LOCATIONS.
ANIMAL_ACTS = {"猫": ("sleep", "play", "rest"), "狗": ("sleep", "play", "run", "swim", "rest"), "鸟": ("rest",),
               "兔子": ("sleep", "play", "run", "rest"), "马": ("run", "rest"), "鱼": ("swim",)}
ANIMAL_SPOTS = {
    "sleep": [("床", "上"), ("椅子", "上"), ("桌子", "下面"), ("盒子", "里"), ("房间", "里"), ("树", "下面")],
    "play": [("房间", "里"), ("树", "下面"), ("桌子", "下面"), ("门", "后面")],
    "rest": [("树", "下面"), ("河", "边"), ("床", "上")],
    "run": [("房子", "后面"), ("河", "边")],
    "swim": [("河", "里")],
}
# What each animal eats and drinks (Chinese nouns).
DIET = {"猫": ("鱼", "牛奶", "水"), "狗": ("面包", "鸡蛋", "水"), "鸟": ("面包", "米饭", "水"),
        "兔子": ("胡萝卜", "苹果", "水"), "马": ("苹果", "胡萝卜", "水"), "鱼": ("面包",)}

_HANDHELD = {"书", "杂志", "词典", "小说", "报纸", "信", "手机", "照片", "地图", "票", "钱包", "钥匙", "笔", "铅笔",
             "手表", "礼物"}
_FOOD = {"苹果", "橘子", "鸡蛋", "蛋糕", "面包", "巧克力", "胡萝卜", "米饭", "面条"}
_DRINKS = {"茶", "咖啡", "水", "牛奶", "果汁", "啤酒"}
_CLOTHES = {"衬衫", "外套", "毛衣", "裙子", "围巾", "鞋"}
# (location noun, localiser) → the Chinese nouns that can be there (there is …, put … there).
LOCATION_HOLDS = {
    ("桌子", "上"): _HANDHELD | _FOOD | _DRINKS | {"杯子", "盒子", "包", "电脑", "花", "猫"},
    ("桌子", "下面"): {"猫", "狗", "包", "鞋", "盒子"},
    ("床", "上"): {"书", "杂志", "小说", "报纸", "手机", "猫", "包"} | _CLOTHES - {"鞋"},
    ("床", "下面"): {"鞋", "盒子", "猫", "狗", "包"},
    ("椅子", "上"): {"包", "外套", "衬衫", "毛衣", "围巾", "书", "猫"},
    ("椅子", "下面"): {"猫", "狗", "鞋", "包"},
    ("盒子", "里"): _HANDHELD - {"报纸", "地图"} | {"巧克力", "蛋糕", "苹果", "橘子", "鸡蛋"},
    ("包", "里"): _HANDHELD | {"苹果", "橘子", "巧克力", "面包", "雨伞"},
    ("冰箱", "里"): _FOOD - {"米饭"} | _DRINKS - {"茶", "咖啡"} | {"鱼"},
    ("书架", "上"): {"书", "杂志", "词典", "小说", "盒子", "杯子", "照片"},
    ("房间", "里"): _HANDHELD | _CLOTHES | {"猫", "狗", "兔子", "鸟", "桌子", "椅子", "电脑", "画", "花", "盒子", "包"},
    ("厨房", "里"): _FOOD | _DRINKS | {"杯子", "猫", "鱼"},
    ("车", "里"): {"包", "雨伞", "书", "手机", "钱包", "外套", "狗", "地图"},
    ("门", "后面"): {"雨伞", "自行车", "狗", "猫", "椅子", "包", "鞋"},
    ("门", "旁边"): {"自行车", "雨伞", "椅子", "狗", "猫", "鞋"},
    ("树", "下面"): {"猫", "狗", "兔子", "马", "自行车", "椅子", "桌子"},
    ("房子", "前面"): {"车", "自行车", "狗", "花"},
    ("房子", "后面"): {"车", "自行车", "狗", "马", "花"},
    ("窗户", "旁边"): {"桌子", "椅子", "猫", "花", "电脑"},
    ("河", "边"): {"马", "狗", "鸟"},
    ("河", "里"): {"鱼"},
}

# The most of one thing a verb takes at once (numerals, 很多, these): default 10.
MAX_COUNT = {"ride": 1, "drive": 1, "wear": 1, "steal": 1, "lose": 1, "look for": 1, "find": 1, "use": 1,
             "open": 2, "break": 2, "fix": 2, "eat": 2, "drink": 2, "wash": 5, "feed": 3, "watch": 2, "sing": 3,
             "listen to": 3, "borrow": 3, "bring": 3, "give": 3, "lend": 3, "draw": 2, "make": 2, "write": 2,
             "read": 2, "take": 3, "see": 5, "look at": 10, "put": 3, "leave": 1, "sell": 3, "buy": 3}

# Adjectives (attributive Chinese) that fit only these nouns; the others fit by the lexicon's tags.
_WEAR = _CLOTHES | {"手表"}
ADJ_NOUNS = {
    "甜": {"橘子", "苹果", "果汁"},  # not "sweet cake": it says nothing
    "热": {"茶", "咖啡", "水", "牛奶"},
    "长": {"裙子", "围巾", "信"},  # not "a long song", "a long movie", 长小说 (a 长篇小说)
    "红": _WEAR - {"手表"} | {"车", "自行车", "苹果", "花", "包", "雨伞"},
    "白": _WEAR - {"手表"} | {"猫", "狗", "兔子", "马", "车", "杯子"},
    "黑": _WEAR | {"猫", "狗", "马", "车", "包", "雨伞", "笔"},
    "可爱": {"猫", "狗", "兔子", "鸟"},
    "年轻": {"老师", "医生", "司机", "工程师", "警察", "作家", "护士", "厨师", "邻居", "朋友"},  # not "young child"
    "漂亮": _WEAR | {"画", "照片", "花", "猫", "鸟", "马"},
    "大": {"包", "盒子", "桌子", "车", "电脑", "狗", "马", "鱼", "苹果", "杯子"},
    "小": {"包", "盒子", "桌子", "车", "电脑", "鱼", "杯子", "手机"},  # not 小猫 "small cat" (a kitten)
    "好吃": {"蛋糕", "面包", "面条", "巧克力"},  # not "delicious carrots", "delicious rice"
    "有意思": {"书", "小说", "杂志", "电影"},  # not "an interesting newspaper" (an article is), "… dictionary"
    "干净": {"杯子", "衬衫"}, "脏": {"杯子", "衬衫", "外套", "鞋"},  # washed, not bought clean
    "便宜": _WEAR | {"包", "自行车", "车", "电脑", "手机", "雨伞", "桌子", "椅子", "票"},  # not "a cheap magazine"
}

# Object relative clauses never use these verbs: the thing would be gone (the milk I drank, the key I lost).
RC_VERBS_BANNED = {"eat", "drink", "steal", "lose", "sell", "break"}
# … and use only these: what makes a thing someone's or tells it apart (the cake my mother made, the book I bought).
RC_VERBS = {"buy", "make", "write", "draw", "take", "fix", "borrow", "bring", "wash", "sing", "watch", "read"}
# Verbs whose object is never someone else's (buy Tom's wallet) or is made new: no possessor, no relative clause.
POSS_BANNED = {"buy", "sell", "make", "write", "draw", "take", "eat", "drink", "study", "give", "lend", "watch", "sing"}
# What anyone does, whatever their job: "that driver draws dogs", "the nurse sings" read as odd facts about a job.
EVERYONE_VERBS = {"eat", "drink", "buy", "read", "watch", "see", "look for", "find", "lose", "bring", "borrow", "give",
                  "lend", "use", "open", "work", "rest", "run", "swim"}
# What one does to one thing at a time, or that no one counts: "read two novels this morning", "listened to two
# songs", "fed two birds" (a numeral only for what one buys, borrows, gives, takes a photo of, …).
UNCOUNTED = {"read", "watch", "listen to", "make", "feed", "sing", "draw"}
# Plans that name a number (will buy two tickets, will borrow three books); other plans do not count.
COUNTED_PLANS = {"buy", "borrow", "bring", "give", "lend", "sell"}
JOB_VERBS = {"作家": {"write"}, "老师": {"teach"}, "厨师": {"make", "cook"}, "司机": {"drive"}, "学生": {"study"}}
# Nouns too close to set against each other in a contrast ("reads books, but Mary reads novels").
NEAR_SYNONYMS = {frozenset(p) for p in (("书", "小说"), ("书", "杂志"), ("书", "词典"), ("小说", "杂志"), ("衬衫", "外套"),
                                        ("商店", "超市"), ("公园", "花园"))}
# Habits worth denying (他不喝啤酒, 她不开车): the other verbs take no 不 in the present.
NOT_HABITS = {"drink", "eat", "drive", "ride", "watch"}
# Where a family or a group of friends can each do their own thing at one time (a list: 昨天晚上在家，我爸爸看了报纸，
# 我妈妈做了饭), with weights; and the habits said of such a scene (every evening at home, not "every week").
SCENES = {"家": 5, "公园": 2, "海边": 1, "学校": 1, "图书馆": 1, "饭馆": 1, "花园": 1}
SCENE_HABITS = {"每天晚上", "每个周末"}  # not "every morning at home, my brother sings"
# What one of a family does in each scene (verb key → the things it is done to, None for an intransitive verb): a
# list tells what people usually do there (my father read the newspaper, my sister fed the cat), not any action the
# place allows ("I drew rabbits", "Anna fed dogs and fish").
SCENE_ACTS = {
    "家": {"cook": None, "rest": None, "sing": None, "study": _SUBJECTS, "read": {"报纸", "小说", "书", "杂志"},
          "watch": {"电影"}, "listen to": {"音乐", "歌"}, "write": {"信"}, "drink": {"茶", "咖啡"},  # not "my
          # mother drank milk"
          "make": {"面条", "蛋糕"}, "feed": {"猫", "狗", "鱼"}, "draw": {"画"}},  # not 洗了杯子, 修了电脑:
    # "washed a cup", "fixed a computer" (the cups? our computer? the Chinese does not say)
    "公园": {"run": None, "rest": None, "dance": None, "sing": None, "take": {"照片"}, "feed": {"鸟"}, "draw": {"画"},
           "ride": {"自行车"}},
    "海边": {"swim": None, "run": None, "rest": None, "take": {"照片"}, "draw": {"画"}},
    "学校": {"study": _SUBJECTS, "sing": None, "dance": None, "run": None, "draw": {"画"}},
    "图书馆": {"study": _SUBJECTS, "read": {"书", "小说", "杂志", "报纸"}, "borrow": {"书", "小说", "词典", "杂志"}},
    "饭馆": {"eat": {"面条", "米饭", "鱼"}, "drink": {"茶", "啤酒", "果汁"}},
    "花园": {"rest": None, "take": {"照片"}, "draw": {"画"}, "read": {"书", "报纸"}},
}
# Who of a family is at school or in the library with you: brothers and sisters, not "my mother studied English".
SCENE_KIN = {"学校": {"哥哥", "姐姐", "弟弟", "妹妹"}, "图书馆": {"哥哥", "姐姐", "弟弟", "妹妹"}}
# Errands in town and outings for pleasure: "didn't go to X, but went to Y" sets one against its own kind.
ERRANDS = ("商店", "超市", "图书馆", "银行", "书店", "饭馆")
# Where one has "been" (去过): not the office.
BEEN_TO = ("北京", "上海")  # not "has been to the cinema before"
# Animals only: 玩 (play) said of a grown-up reads "fooled around".
ANIMAL_ONLY = {"play"}
# Happenings no one plans (他后天会哭, 他们下个星期不会睡觉): never in the future or in a condition.
INVOLUNTARY = {"cry", "sleep"}
# What one leaves behind somewhere (把雨伞忘在学校了), not an apple in Beijing.
FORGETTABLE = {"雨伞", "钥匙", "手机", "钱包", "包", "书", "手表", "外套", "围巾", "词典"}
# Where one goes for pleasure: what a busy or tired person skips (or, but…, does not skip).
LEISURE = ("公园", "海边", "花园", "电影院", "游泳池")
# Skills: 不会 + these reads "cannot" (他不会游泳 he can't swim), so no "will not" with them.
SKILLS = {"dance", "swim", "sing", "cook", "drive", "ride"}
# Time words too far off for a small act ("will put the watch in the room next year"): only for going places.
FAR_TIMES = {"去年", "明年", "上个月", "下个月"}
# Nouns a contrast may set against each other share one of these classes (tea and coffee, not English and milk).
CONTRAST_CLASSES = ("animal", "food", "drink", "subject", "wear", "read", "watch", "song")
# What a person is known by in a relative clause (the man who sells flowers, the child who drinks milk).
HABIT_VERBS = {"sell", "fix", "make", "write", "draw"}  # not "the friend who drives a car"
HABIT_INTRANSITIVES = {"work", "study"}  # the friend who works at the bank
HABIT_OBJECTS = {"write": {"小说"}, "draw": {"画", "地图"}, "make": {"蛋糕"}, "sell": {"花", "书", "自行车"}}
RC_PEOPLE = {"朋友", "邻居"}
# After these verbs a relative clause names who made the thing: read the letter Tom wrote, ate the cake she made.
MADE_BY_ONLY = {"eat", "read", "look at"}
# where what one looks at or reads can be named by who made it (looked at the painting Mary's father drew)
MADE_THINGS_AT = ("书店", "图书馆")
MADE_BY = {"make", "write", "draw", "take"}  # who are picked out that way (a teacher, a child: by their job, their age)
# What people do as a habit (他每天看报纸), not "he fixes tables" or "she buys boxes".
PRESENT_VERBS = {"read", "watch", "drink", "eat", "listen to", "sing", "write", "draw", "ride", "drive", "study",
                 "feed", "make"}  # not "your sister sells tables every week"
# What is worth saying someone has (有车, 有一只猫), not "these writers have shoes".
# What one likes (喜欢猫, 喜欢音乐), not "likes windows".
LIKE_CLASSES = {"animal", "food", "drink", "subject", "song", "watch", "read"}  # not "we like coats"
LIKED_THAT = {"animal", "song", "watch", "read"}  # 喜欢那首歌, 那只猫; not "likes that glass of juice"
NOT_LIKED = {"信", "票", "报纸", "地图", "水"}  # "he likes letters", "she likes water"
# What one likes doing or wants to do (喜欢游泳, 想休息), not "doesn't like crying", "wants to wash a bicycle".
LIKED_DOING = {"swim", "dance", "sing", "run", "cook", "study"}
WANTED_DOING = LIKED_DOING | {"rest", "sleep"}
LIKED_VERBS = {"read", "watch", "drink", "eat", "listen to", "draw", "ride", "drive", "study", "make", "take"}
WANTED_VERBS = LIKED_VERBS | {"buy", "borrow"}
# Where one likes going (喜欢去公园), not "likes going to the bank"; 饭馆 is "restaurants" there (any restaurant).
LIKED_PLACES = LEISURE + ("图书馆", "书店", "饭馆") + CITIES
# Experiences worth telling (我以前喝过啤酒, 骑过马), not "has looked at a map before".
PERF_VERBS = {"drink", "ride", "drive", "study"}  # not "has she ever watched a movie?", "has eaten carrots before"
PERF_INTRANSITIVES = {"swim", "dance"}  # 他以前跳过舞; not "the boy has slept before"
# What a habit or a pair may not name: beer every morning.
NOT_EVERYDAY = {"啤酒", "胡萝卜"}  # nor carrots every morning
# Big purchases: one at a time (not "bought eight old computers").
BIG_BUYS = {"车", "自行车", "电脑", "手机", "手表", "画", "桌子", "椅子"}
# Not worth telling as an experience: "Tom has never drunk water".
NOT_DENIED = {"水", "米饭", "面包", "鸡蛋"}  # staples: "he doesn't drink water" (but "she doesn't drink coffee")
NOT_EXPERIENCE = {"水", "牛奶", "米饭", "面包", "鸡蛋", "茶", "咖啡", "果汁"}  # not "has drunk tea before"
HAVE_NOUNS = {"车", "自行车", "电脑", "手机", "猫", "狗", "兔子", "鸟", "马", "词典", "手表", "雨伞", "地图", "票"}  # not
# 有鱼 (pet fish? food?)
# What a person may plan not to do (明天我不会工作, 她不会做饭): not "Xiaoming won't sing on Friday".
DENIED_PLANS = {"work", "study", "cook", "rest"}
# Verbs that make an odd wish or pastime (想偷手机, 喜欢丢钥匙): left out of 想 and 喜欢.
WISH_BANNED = {"steal", "lose", "find", "see", "open", "look for", "sell"}  # not "she likes selling chairs"

# Pairs a contrast (但是) may set side by side: Chinese adjectives.
ANTONYMS = {"高": "矮", "矮": "高", "贵": "便宜", "便宜": "贵", "大": "小", "小": "大", "新": "旧", "旧": "新",
            "干净": "脏", "脏": "干净"}

# Foods a contrast or a pair may set side by side: fruit for fruit, a dish for a dish; not "ate oranges, but … ate fish".
FOOD_GROUPS = ({"苹果", "橘子"}, {"米饭", "面条", "鱼", "面包", "鸡蛋"}, {"蛋糕", "巧克力"}, {"胡萝卜"})
# Clothes are bought one at a time: not "will buy three white coats".
ONE_AT_A_TIME = _CLOTHES

# Causes and their expected effects (所以, 因为…所以…, 如果…就…; 但是 flips the effect's polarity).
# cause: ("state", Chinese adjective) or ("weather",); effect: (clause kind, polarity, constraints) where the
# constraints use the keys the clause kinds read from ``Chooser.ctx``: verbs, dest, place, same_subj.
CAUSES = {
    ("state", "累"): [("intransitive", True, {"verbs": ("sleep", "rest"), "same_subj": True}),
                     ("motion", False, {"dest": LEISURE, "same_subj": True})],
    ("state", "饿"): [("transitive", True, {"verbs": ("eat",), "same_subj": True, "flip": False}),  # not "hungry,
                     # but didn't eat chocolate"
                     ("intransitive", True, {"verbs": ("cook",), "same_subj": True, "flip": False}),
                     ("motion", True, {"dest": ("饭馆",), "same_subj": True})],  # …但是她没去饭馆
    ("state", "忙"): [("motion", False, {"dest": LEISURE, "same_subj": True}),
                     ("intransitive", False, {"verbs": ("cook", "rest"), "same_subj": True, "flip": False})],
    ("weather",): [("motion", False, {"dest": OUTDOOR}),
                   ("intransitive", True, {"verbs": ("rest", "study", "cook"), "place": "家", "flip": False})],
}
# Causes one can foresee (明天会下雨，所以…; 我明天会很忙，所以…), unlike hunger next week.
FORESEEN = {"weather", "忙", "累"}
# Verbs done on purpose where one went (去图书馆，然后借了书): not stealing, losing, finding or seeing.
PURPOSEFUL_BANNED = WISH_BANNED | {"steal", "break", "cry", "sell", "work", "use", "bring"}
# Actions that start a sequence (买了书，然后回家了): done to something, not found or lost along the way.
SEQUENCE_VERBS = ("buy", "borrow", "read", "watch", "write", "draw", "wash", "fix", "take", "make",
                  "feed", "study", "listen to", "sing")  # not "he will drink water the day after tomorrow"
# Clothes worn by women only in this lexicon: never on a he.
WORN_BY_WOMEN = {"裙子"}
# Verbs that make their object (take a photo, write a letter): it is new, so never "the photo we looked at".
CREATE_VERBS = {"take", "write", "draw", "make"}
# Verbs that use their object up: one eats an apple or that apple, not Tom's apple or the apple he bought.
CONSUME_VERBS = {"eat", "drink"}
# Verbs that take two things at once (买了苹果和橘子 bought apples and oranges).
AND_VERBS = {"buy", "eat"}  # not "read novels and letters at the library", nor "fed dogs and fish" (the family's
# pets: the dog and the fish, which the Chinese does not say)
# … and the pairs that go together (apples and oranges, rice and fish; not "noodles and bread", "coffee and tea")
AND_PAIRS = {frozenset(p) for p in (("苹果", "橘子"), ("面包", "牛奶"), ("鸡蛋", "面包"), ("米饭", "鱼"), ("茶", "咖啡"),
                                    ("衬衫", "外套"), ("衬衫", "裙子"), ("杯子", "盒子"), ("鸡蛋", "牛奶"))}
AND_EATEN = {frozenset(p) for p in (("苹果", "橘子"), ("鸡蛋", "面包"), ("米饭", "鱼"))}
# Places that are real alternatives ("didn't go to the beach, but went to the pool"; not bank ↔ library).
ALTERNATIVES = {"海边": ("游泳池", "公园"), "游泳池": ("海边",), "公园": ("海边", "电影院"), "电影院": ("公园",),
                "书店": ("图书馆",), "图书馆": ("书店",)}  # not the shop for the supermarket: near the same
# What no one plans for a given day ("will lose the pencil tomorrow", "will see Tom on Friday"): never in the future.
UNPLANNED = {"lose", "find", "steal", "break", "see", "open", "look for"}
# A main verb → the verbs of a relative clause that may pick out its object (read the letter Tom wrote, wore the coat
# my mother bought); a verb not listed takes none (not "washed the cup the young friend bought").
RC_FOR = {"read": {"write"}, "look at": {"draw", "take"},  # not "buy the map we drew", "the novel Peter wrote"
          "borrow": {"buy"},
          "eat": {"make"}, "wear": {"buy"}, "use": {"buy"}, "ride": {"buy", "fix"},
          "drive": {"buy", "fix"}, "lose": {"buy"}, "find": {"buy"}, "look for": {"buy"}, "bring": {"buy", "make"},
          "fix": {"buy"}, "give": {"buy", "make", "draw"}, "lend": {"buy"}, "put": {"buy"}, "leave": {"buy"},
          "take": set(), None: {"buy", "make", "write", "draw", "take"}}
# … and what a relative clause with these verbs may pick out: the letter my mother wrote, not "the novel Peter wrote".
RC_NOUNS = {"write": {"信"}}
# Verbs two people may do to different things in a contrast (我喝茶，但是我哥哥喝咖啡).
CONTRAST_VERBS = {"present": ("drink", "read", "study"),  # tastes: tea or coffee, novels or the newspaper;
                  "past": ("drink", "eat")}  # what each had; not "Peter read a book, but Jack read a letter", "bought
# shoes, but … bought a shirt", nor wear: "wore shoes, but Tom's father wore a sweater"
# Places one goes for one thing only: 去了电影院，然后看了电影 splits the going from what it was for (去电影院看电影).
ONE_PURPOSE = ("电影院", "饭馆")
# Who of a family studies a subject at home: not "my father will study math".
PARENTS = {"妈妈", "爸爸"}
# Weather and passing states are said of the next days, not of next year: these time words only.
STATE_TIMES = {"昨天", "昨天晚上", "今天早上", "今天晚上", "明天", "明天晚上"}  # tired tonight, hungry this morning
NEAR_TIMES = {"昨天", "前天", "昨天晚上", "今天早上", "星期一", "星期六", "明天", "后天", "明天晚上", "今天晚上",
              "星期五", "星期天"}
