"""The lexicon of the zh→en corpus generator (``helpers.corpus``): plain data, no logic.

Every entry pairs a Chinese word with its English forms. The grammar (``noun_phrase.py``,
``clause.py``, ``kinds.py``, ``sentence.py``) picks entries by their tags (which objects a verb takes,
which nouns an adjective fits), so a sentence is grammatical and sensible in both languages. A
leaf module: it imports nothing of ours.

English verb forms are written out in full, in the order
``base 3rd-person-singular past past-participle -ing``, so irregular forms are visible here.
"""

from __future__ import annotations

from typing import NamedTuple


class Noun(NamedTuple):
    zh: str
    sg: str  # singular (count noun) or the mass form ("tea", "shoes")
    pl: str | None  # plural; None for a mass noun, counted with `unit`
    mw: str  # Chinese measure word (一本书, 三杯茶)
    unit: str | None  # mass nouns: English container "cup/cups" (a cup of tea); None for count nouns
    tags: frozenset  # what can be done with it: verbs pick objects by these tags


def _n(zh, sg, pl, mw, tags, unit=None):
    return Noun(zh, sg, pl, mw, unit, frozenset(tags.split()))


# Things, grouped by measure word.
THINGS = [
    _n("书", "book", "books", "本", "obj read buy sell borrow carry give write lose put"),
    _n("杂志", "magazine", "magazines", "本", "obj read buy carry give put"),
    _n("词典", "dictionary", "dictionaries", "本", "obj buy borrow carry give use lose put"),
    _n("小说", "novel", "novels", "本", "obj read buy write borrow give"),
    _n("报纸", "newspaper", "newspapers", "份", "read buy carry put"),
    _n("信", "letter", "letters", "封", "read write give put"),
    _n("电影", "movie", "movies", "部", "watch"),
    _n("手机", "phone", "phones", "部", "obj buy lose fix use steal sell find put"),
    _n("照片", "photo", "photos", "张", "view photo give put"),
    _n("地图", "map", "maps", "张", "view draw buy use"),
    _n("票", "ticket", "tickets", "张", "buy lose give find"),
    _n("桌子", "table", "tables", "张", "obj buy sell fix clean"),
    _n("画", "painting", "paintings", "幅", "view buy sell"),
    _n("苹果", "apple", "apples", "个", "food buy carry give put"),
    _n("橘子", "orange", "oranges", "个", "food buy give"),
    _n("鸡蛋", "egg", "eggs", "个", "food buy"),
    _n("胡萝卜", "carrot", "carrots", "根", "food buy"),
    _n("包", "bag", "bags", "个", "obj buy carry lose sell steal find"),
    _n("钱包", "wallet", "wallets", "个", "obj buy lose steal find"),
    _n("礼物", "gift", "gifts", "个", "buy carry give put"),
    _n("杯子", "cup", "cups", "个", "obj buy wash break put"),
    _n("盒子", "box", "boxes", "个", "obj buy carry open put"),
    _n("椅子", "chair", "chairs", "把", "obj buy fix sell"),
    _n("雨伞", "umbrella", "umbrellas", "把", "obj buy carry lose borrow put steal"),
    _n("钥匙", "key", "keys", "把", "lose find put carry"),
    _n("车", "car", "cars", "辆", "obj drive buy sell fix wash steal"),
    _n("自行车", "bicycle", "bicycles", "辆", "obj ride buy sell fix wash steal lose"),
    _n("衬衫", "shirt", "shirts", "件", "obj wear buy wash"),
    _n("外套", "coat", "coats", "件", "obj wear buy wash lose"),
    _n("毛衣", "sweater", "sweaters", "件", "obj wear buy wash"),
    _n("裙子", "skirt", "skirts", "条", "obj wear buy wash"),
    _n("围巾", "scarf", "scarves", "条", "obj wearacc buy lose"),
    _n("笔", "pen", "pens", "支", "obj buy lose borrow use give find"),
    _n("铅笔", "pencil", "pencils", "支", "obj buy lose borrow use give"),
    _n("电脑", "computer", "computers", "台", "obj buy fix use sell"),
    _n("手表", "watch", "watches", "块", "obj buy lose fix sell steal wearacc put"),
    _n("歌", "song", "songs", "首", "song"),
    _n("窗户", "window", "windows", "扇", "open break clean"),
    # mass nouns: counted with an English container
    _n("茶", "tea", None, "杯", "drink buy", "cup/cups"),
    _n("咖啡", "coffee", None, "杯", "drink buy", "cup/cups"),
    _n("水", "water", None, "杯", "drink", "glass/glasses"),
    _n("牛奶", "milk", None, "杯", "drink buy", "glass/glasses"),
    _n("果汁", "juice", None, "杯", "drink", "glass/glasses"),
    _n("啤酒", "beer", None, "瓶", "drink buy", "bottle/bottles"),
    _n("米饭", "rice", None, "碗", "food", "bowl/bowls"),
    _n("面条", "noodles", None, "碗", "food make", "bowl/bowls"),
    _n("蛋糕", "cake", None, "块", "food buy make give put", "piece/pieces"),
    _n("面包", "bread", None, "块", "food buy", "piece/pieces"),
    _n("巧克力", "chocolate", None, "块", "food buy give", "piece/pieces"),
    _n("鞋", "shoes", None, "双", "obj wear buy", "pair/pairs"),
    _n("花", "flowers", None, "束", "buy give draw", "bunch/bunches"),
    _n("中文", "Chinese", None, "门", "subject"),
    _n("英语", "English", None, "门", "subject"),
    _n("数学", "math", None, "门", "subject"),
    _n("音乐", "music", None, "门", "subject listen"),
]

ANIMALS = [
    _n("猫", "cat", "cats", "只", "animal feed draw see buy"),
    _n("狗", "dog", "dogs", "只", "animal feed draw see buy"),
    _n("鸟", "bird", "birds", "只", "animal feed draw see"),
    _n("兔子", "rabbit", "rabbits", "只", "animal feed draw see buy"),
    _n("马", "horse", "horses", "匹", "animal feed draw see ride"),
    _n("鱼", "fish", "fish", "条", "animal feed draw see buy food"),
]

# People: common nouns (occupations first: 是 sentences use them as predicates).
PEOPLE = [
    _n("老师", "teacher", "teachers", "个", "person owned job"),
    _n("医生", "doctor", "doctors", "个", "person job"),  # not 我的医生 "my doctor" in a story
    _n("学生", "student", "students", "个", "person job"),
    _n("司机", "driver", "drivers", "个", "person job"),
    _n("工程师", "engineer", "engineers", "个", "person job"),
    _n("警察", "police officer", "police officers", "个", "person job"),
    _n("作家", "writer", "writers", "个", "person job"),
    _n("护士", "nurse", "nurses", "个", "person job"),
    _n("厨师", "cook", "cooks", "个", "person job"),
    _n("孩子", "child", "children", "个", "person owned"),
    _n("男孩", "boy", "boys", "个", "person"),
    _n("女孩", "girl", "girls", "个", "person"),
    _n("朋友", "friend", "friends", "个", "person owned"),
    _n("邻居", "neighbor", "neighbors", "个", "person owned"),
]


class Pronoun(NamedTuple):
    zh: str
    subj: str
    obj: str
    poss: str
    agr: str  # "1s" (I), "3s" (he, she, it), "pl" (we, you, they): picks am/is/are, has/have, -s


PRONOUNS = [
    Pronoun("我", "I", "me", "my", "1s"),
    Pronoun("你", "you", "you", "your", "pl"),
    Pronoun("他", "he", "him", "his", "3s"),
    Pronoun("她", "she", "her", "her", "3s"),
    Pronoun("我们", "we", "us", "our", "pl"),
    Pronoun("他们", "they", "them", "their", "pl"),
]
SHE_PLURAL = Pronoun("她们", "they", "them", "their", "pl")  # women only, for referring back (安娜和玛丽…，然后她们…)

NAMES = [("汤姆", "Tom"), ("玛丽", "Mary"), ("杰克", "Jack"), ("安娜", "Anna"), ("小明", "Xiaoming"), ("小红", "Xiaohong"),
         ("大卫", "David"), ("莉莉", "Lily"), ("彼得", "Peter"), ("露西", "Lucy"), ("约翰", "John"), ("艾米", "Amy"),
         ("山姆", "Sam"), ("凯特", "Kate"), ("小刚", "Xiaogang"), ("小丽", "Xiaoli"), ("小军", "Xiaojun")]  # not both 丽丽 and 莉莉: Lili and Lily sound the same

# Family words: after a pronoun they take no 的 (我妈妈 my mother).
KIN = [("妈妈", "mother"), ("爸爸", "father"), ("哥哥", "older brother"), ("姐姐", "older sister"),  # not "my sister"
       # beside "my little sister": one person or two?
       ("弟弟", "little brother"), ("妹妹", "little sister")]
# Who is a he and who a she: a later clause refers to them with 他/她 (he/she).
GENDER = {"汤姆": "m", "玛丽": "f", "杰克": "m", "安娜": "f", "小明": "m", "小红": "f",
          "大卫": "m", "莉莉": "f", "彼得": "m", "露西": "f", "约翰": "m", "艾米": "f", "山姆": "m", "凯特": "f",
          "小刚": "m", "小丽": "f", "小军": "m",
          "妈妈": "f", "爸爸": "m", "哥哥": "m", "姐姐": "f", "弟弟": "m", "妹妹": "f", "男孩": "m", "女孩": "f"}


class Adj(NamedTuple):
    zh: str  # predicative (这本书很贵, A比B贵)
    attr: str | None  # attributive Chinese, before the noun (新书, 便宜的书); None: not used attributively
    en: str
    comp: str | None  # comparative; None: not used with 比
    fits: frozenset  # noun tags (or "person") it describes


def _a(zh, attr, en, comp, fits):
    return Adj(zh, attr, en, comp, frozenset(fits.split()))


ADJECTIVES = [
    # for things and animals
    _a("大", "大", "big", "bigger", "animal obj"),
    _a("小", "小", "small", "smaller", "animal obj"),
    _a("新", "新", "new", "newer", "obj"),
    _a("旧", "旧", "old", "older", "obj"),
    _a("贵", None, "expensive", "more expensive", "obj view"),
    _a("便宜", "便宜的", "cheap", "cheaper", "obj"),
    _a("漂亮", "漂亮的", "beautiful", "more beautiful", "wear view animal"),
    _a("干净", "干净的", "clean", "cleaner", "wash"),
    _a("脏", "脏", "dirty", "dirtier", "wash"),
    _a("有意思", "有意思的", "interesting", "more interesting", "read watch"),
    _a("好吃", "好吃的", "delicious", "more delicious", "food"),
    _a("可爱", "可爱的", "cute", "cuter", "animal"),
    _a("快", None, "fast", "faster", "drive ride"),
    _a("热", "热", "hot", "hotter", "drink"),
    _a("甜", "甜", "sweet", "sweeter", "food drink"),
    _a("长", "长", "long", "longer", "song watch"),
    _a("红", "红", "red", None, "wear drive ride"),
    _a("白", "白", "white", None, "wear animal"),
    _a("黑", "黑", "black", None, "wear animal drive"),
    # for people: traits (present tense only) and states ("state": 我昨天很累 I was very tired yesterday)
    _a("高", None, "tall", "taller", "person"),
    _a("矮", None, "short", "shorter", "person"),
    _a("忙", None, "busy", "busier", "person state"),
    _a("累", None, "tired", "more tired", "person state"),
    _a("饿", None, "hungry", "hungrier", "person state"),
    _a("高兴", None, "happy", "happier", "person state"),
    _a("聪明", None, "clever", "cleverer", "person"),  # not "the clever nurse fixed …": said, not used to pick out
    _a("年轻", "年轻的", "young", "younger", "person"),
]

# 一 is "a/an" before a singular noun; 两 (not 二) counts things.
NUMBERS = [("一", "a"), ("两", "two"), ("三", "three"), ("四", "four"), ("五", "five"), ("六", "six"),
           ("七", "seven"), ("八", "eight"), ("九", "nine"), ("十", "ten")]


class Verb(NamedTuple):
    zh: str
    forms: tuple  # base, 3sg, past, past participle, -ing
    part: str  # particle after the verb ("look at", "listen to"); "" if none
    obj: frozenset  # object noun tags
    subj: str  # "person" or "animate" (people and animals)
    flags: frozenset  # "wh": may ask 什么 about its object; "noprog": no 正在; "nohabit": no habits


def _v(zh, forms, obj, part="", subj="person", flags=""):
    return Verb(zh, tuple(forms.split()), part, frozenset(obj.split()), subj, frozenset(flags.split()))


# Transitive verbs. 看 has three senses, chosen by its object: 看书 read, 看电影 watch, 看照片 look at.
VERBS = [
    _v("看", "read reads read read reading", "read"),
    _v("看", "watch watches watched watched watching", "watch"),
    _v("看", "look looks looked looked looking", "view", part="at"),
    _v("买", "buy buys bought bought buying", "buy", flags="wh"),
    _v("卖", "sell sells sold sold selling", "sell", flags="wh"),
    _v("吃", "eat eats ate eaten eating", "food", subj="animate", flags="wh"),
    _v("喝", "drink drinks drank drunk drinking", "drink", subj="animate", flags="wh"),
    _v("写", "write writes wrote written writing", "write", flags="wh"),
    _v("画", "draw draws drew drawn drawing", "draw", flags="wh"),
    _v("喂", "feed feeds fed fed feeding", "animal"),
    _v("洗", "wash washes washed washed washing", "wash", flags="wh"),
    _v("借", "borrow borrows borrowed borrowed borrowing", "borrow", flags="wh"),
    _v("带", "bring brings brought brought bringing", "carry", flags="wh"),
    _v("穿", "wear wears wore worn wearing", "wear", flags="wh noprog"),  # 正在穿 is "putting on"
    _v("戴", "wear wears wore worn wearing", "wearacc", flags="wh noprog"),  # 戴手表, 戴围巾: not 穿
    _v("拍", "take takes took taken taking", "photo"),
    _v("唱", "sing sings sang sung singing", "song", flags="wh"),
    _v("听", "listen listens listened listened listening", "listen song", part="to", flags="wh"),
    _v("开", "drive drives drove driven driving", "drive"),
    _v("骑", "ride rides rode ridden riding", "ride"),
    _v("丢", "lose loses lost lost losing", "lose", flags="noprog nohabit"),
    _v("找", "look looks looked looked looking", "lose find", part="for", flags="wh nohabit"),
    _v("找到", "find finds found found finding", "lose find", flags="noprog nohabit wh"),
    _v("用", "use uses used used using", "use", flags="wh"),
    _v("打开", "open opens opened opened opening", "open", flags="noprog"),
    _v("看见", "see sees saw seen seeing", "animal person", flags="noprog nohabit"),  # 没看见, not 不看见
    _v("学", "study studies studied studied studying", "subject", flags="wh"),  # 学英语: study English
    _v("做", "make makes made made making", "make", flags="wh"),
    _v("偷", "steal steals stole stolen stealing", "steal", flags="noprog nohabit"),
    _v("修", "fix fixes fixed fixed fixing", "fix", flags="wh"),
]

# 把 frame: 把 + object + these verbs (+了): zh, English verb base (looked up in VERBS / BA_EXTRA)
BA_VERBS = [("吃了", "eat"), ("喝了", "drink"), ("卖了", "sell"), ("洗了", "wash"), ("修好了", "fix"),
            ("丢了", "lose"), ("打破了", "break"), ("拿走了", "take")]
# 被 frame: subject + 被 (+ agent) + these verbs
BEI_VERBS = [("吃了", "eat"), ("卖了", "sell"), ("偷了", "steal"), ("修好了", "fix"),  # not 喝了: "this cup of
             ("打破了", "break"), ("拿走了", "take")]  # coffee was drunk by Peter"
# object tags each 把/被 verb accepts
BA_OBJECTS = {"eat": "food", "drink": "drink", "sell": "sell", "wash": "wash", "fix": "fix", "lose": "lose",
              "break": "break", "take": "carry", "steal": "steal"}
EXTRA_FORMS = {
    "break": ("break", "breaks", "broke", "broken", "breaking"),
    "take": ("take", "takes", "took", "taken", "taking"),
    "put": ("put", "puts", "put", "put", "putting"),
    "leave": ("leave", "leaves", "left", "left", "leaving"),
    "give": ("give", "gives", "gave", "given", "giving"),
    "lend": ("lend", "lends", "lent", "lent", "lending"),
    "teach": ("teach", "teaches", "taught", "taught", "teaching"),
    "go": ("go", "goes", "went", "been", "going"),  # 去过 = "have been to"
    "come": ("come", "comes", "came", "come", "coming"),
    "want": ("want", "wants", "wanted", "wanted", "wanting"),
    "like": ("like", "likes", "liked", "liked", "liking"),
    "have": ("have", "has", "had", "had", "having"),
    "rain": ("rain", "rains", "rained", "rained", "raining"),
    "snow": ("snow", "snows", "snowed", "snowed", "snowing"),
}

# Ditransitive verbs: zh (with the position of 了), English lexeme, object tags
DITRANSITIVE = [("给", "give", "give"), ("送", "give", "give"), ("借给", "lend", "borrow"), ("教", "teach", "subject")]


class Intransitive(NamedTuple):
    zh: str  # 唱歌
    zh_le: str  # with 了: 唱了歌
    zh_guo: str  # with 过: 唱过歌
    forms: tuple
    subj: str


def _iv(zh, le, guo, forms, subj="person"):
    return Intransitive(zh, le, guo, tuple(forms.split()), subj)


INTRANSITIVES = [
    _iv("工作", "工作了", "工作过", "work works worked worked working"),
    _iv("学习", "学习了", "学习过", "study studies studied studied studying"),
    _iv("休息", "休息了", "休息过", "rest rests rested rested resting", "animate"),
    _iv("玩", "玩了", "玩过", "play plays played played playing", "animate"),
    _iv("唱歌", "唱了歌", "唱过歌", "sing sings sang sung singing"),
    _iv("跳舞", "跳了舞", "跳过舞", "dance dances danced danced dancing"),
    _iv("游泳", "游了泳", "游过泳", "swim swims swam swum swimming", "animate"),
    _iv("跑步", "跑了步", "跑过步", "run runs ran run running"),
    _iv("睡觉", "睡了觉", "睡过觉", "sleep sleeps slept slept sleeping", "animate"),
    _iv("做饭", "做了饭", "做过饭", "cook cooks cooked cooked cooking"),
    _iv("哭", "哭了", "哭过", "cry cries cried cried crying"),
]


class Place(NamedTuple):
    zh: str
    at: str  # 在X: "in the park"
    to: str  # 去X: "to the park"
    np: str  # the bare noun phrase, for 在 questions and 把…忘在: "the park"


def _p(zh, at, to):
    return Place(zh, at, to, to.split(" ", 1)[1])


PLACES = [
    _p("公园", "in the park", "to the park"),
    _p("学校", "at school", "to school"),
    _p("图书馆", "in the library", "to the library"),
    _p("商店", "in the shop", "to the shop"),
    _p("超市", "at the supermarket", "to the supermarket"),
    _p("饭馆", "in the restaurant", "to the restaurant"),
    _p("办公室", "in the office", "to the office"),
    _p("医院", "at the hospital", "to the hospital"),
    _p("火车站", "at the train station", "to the train station"),
    _p("电影院", "at the cinema", "to the cinema"),
    _p("书店", "in the bookstore", "to the bookstore"),
    _p("银行", "at the bank", "to the bank"),
    _p("花园", "in the garden", "to the garden"),
    _p("海边", "at the beach", "to the beach"),
    _p("游泳池", "at the pool", "to the pool"),
    _p("北京", "in Beijing", "to Beijing"),
    _p("上海", "in Shanghai", "to Shanghai"),
]
HOME = Place("家", "at home", "home", "home")  # 在家 at home, 回家 go home

# Nouns with localisers (桌子上 on the table): noun, English, [(localiser, preposition)]
LOCATIONS = [
    ("桌子", "table", [("上", "on"), ("下面", "under")]),
    ("床", "bed", [("上", "on"), ("下面", "under")]),
    ("椅子", "chair", [("上", "on"), ("下面", "under")]),
    ("盒子", "box", [("里", "in")]),
    ("包", "bag", [("里", "in")]),
    ("冰箱", "fridge", [("里", "in")]),
    ("书架", "shelf", [("上", "on")]),
    ("房间", "room", [("里", "in")]),
    ("厨房", "kitchen", [("里", "in")]),
    ("车", "car", [("里", "in")]),
    ("门", "door", [("后面", "behind"), ("旁边", "next to")]),
    ("树", "tree", [("下面", "under")]),
    ("房子", "house", [("前面", "in front of"), ("后面", "behind")]),
    ("窗户", "window", [("旁边", "next to")]),
    ("河", "river", [("边", "by"), ("里", "in")]),
]

# Time words: zh, English (placed at the end of the English clause)
PAST_TIMES = [("昨天", "yesterday"), ("前天", "the day before yesterday"), ("上个星期", "last week"),
              ("上个月", "last month"), ("去年", "last year"), ("昨天晚上", "last night"),
              ("今天早上", "this morning"), ("星期一", "on Monday"), ("星期六", "on Saturday")]
FUTURE_TIMES = [("明天", "tomorrow"), ("后天", "the day after tomorrow"), ("下个星期", "next week"),
                ("下个月", "next month"), ("明年", "next year"), ("明天晚上", "tomorrow evening"),
                ("今天晚上", "tonight"), ("星期五", "on Friday"), ("星期天", "on Sunday")]
HABIT_TIMES = [("每天", "every day"), ("每天早上", "every morning"), ("每天晚上", "every evening"),
               ("每个星期", "every week"), ("每个周末", "every weekend")]
FREQ_ADVERBS = [("常常", "often"), ("总是", "always"), ("有时候", "sometimes")]  # before the verb in both
NOW = ("现在", "now")
BEFORE = ("以前", "before")
