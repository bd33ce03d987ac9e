"""Chinese text handling for the assistant: normalisation, segmentation, pinyin, intents.

Pure functions plus a `Segmenter` that owns a rjieba instance with the catalog's own terms
added, because the stock dictionary splits 一件事, 营业执照 and friends the wrong way.
"""

import re
import unicodedata
from functools import lru_cache

import opencc
import rjieba
from pypinyin import lazy_pinyin

MAX_QUERY_CHARS = 200

# Words that carry the asking, not the subject: dropped before ranking.
_STOPWORD_LINES = (
    "我 我们 我家 俺 你 你们 您 他 她 它 想 想要 要 需要 得 该 应该 打算 准备 计划 能 能不能 可以 可不可以 会",
    "办 办理 办个 去办 弄 搞 做 申请 咨询 问 问问 请问 一下 你好 您好 谢谢 麻烦 帮 帮忙 帮我 请 告诉",
    "怎么 怎么办 怎么弄 怎样 如何 什么 啥 哪些 哪个 哪里 哪儿 哪 多少 几 吗 呢 吧 啊 呀 哦 嘛 了 的 地 着 过",
    "个 一个 这个 那个 些 一些 是 有 没有 没 在 去 到 给 和 与 及 跟 还 都 也 就 又 再 才 刚 刚刚 已经 现在",
    "时候 事 事情 情况 手续 东西 相关 方面 有关 这 那 之后 以后 后 前 里 上 下 中 不 很 太 最 更 呀 么 吗 嗯",
    "多久 多长时间 多长 几天 多少钱 收费 费用 要钱 花钱 免费 在哪 在哪儿 在哪里 地点 流程 步骤 材料 资料 带 带什么",
    "所以 因为 但是 然后 如果 或者 还是 还有 的话 一起 一块 一并 同时 全部 所有 其他 等 等等 啊 哈",
)
STOPWORDS = frozenset(w for line in _STOPWORD_LINES for w in line.split())

_T2S = opencc.OpenCC("t2s")
_KEEP = re.compile(r"[\u4e00-\u9fff]+|[a-z0-9]+(?:\.[0-9]+)?")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def clean(text: str | None, limit: int = 10000) -> str:
    """Drop control characters (PostgreSQL's JSON refuses NUL) and bound the length."""
    text = (text or "")[:limit]
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch) != "Cc")


def normalise(text: str) -> str:
    """Full-width → half-width (NFKC), traditional → simplified, lower case, bounded length."""
    text = unicodedata.normalize("NFKC", text or "")[: MAX_QUERY_CHARS * 4]
    return _T2S.convert(text).lower().strip()


def runs(text: str) -> list[str]:
    """The Han, Latin and digit runs of normalised text; emoji, punctuation and markup drop out."""
    return _KEEP.findall(text)


def is_han(text: str) -> bool:
    return bool(_HAN.search(text))


def bigrams(text: str) -> list[str]:
    """Han character bigrams: a second channel that survives segmentation differences."""
    out = []
    for run in runs(text):
        if is_han(run):
            out += [run[i : i + 2] for i in range(len(run) - 1)]
    return out


STOPCHARS = frozenset(w for w in STOPWORDS if len(w) == 1)


def chars(text: str) -> list[str]:
    """Single Han characters, minus function characters: the loosest channel (卖药的店 ≈ 药店)."""
    return [c for run in runs(text) if is_han(run) for c in run if c not in STOPCHARS]


@lru_cache(maxsize=65536)
def pinyin_key(term: str) -> str:
    """Toneless pinyin with no separators: 营业执照 and 营业值照 share ``yingyezhizhao``."""
    return "".join(lazy_pinyin(term))


class Segmenter:
    """rjieba with the catalog's terms as a user dictionary."""

    def __init__(self, terms: set[str]):
        self._jieba = rjieba.Jieba()
        for term in sorted(terms):
            if 2 <= len(term) <= 12 and is_han(term):
                # A high frequency so a catalog term wins over the stock split.
                self._jieba.add_word(term, 50000, None)

    def is_word(self, word: str) -> bool:
        return bool(self._jieba.has_word(word))

    def words(self, text: str) -> list[str]:
        """Search-mode words (long words plus their parts) without stopwords or punctuation."""
        out = []
        for run in runs(text):
            parts = self._jieba.cut_for_search(run) if is_han(run) else [run]
            out += [p for p in parts if p.strip() and p not in STOPWORDS]
        return out
