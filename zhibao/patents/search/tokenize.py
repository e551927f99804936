"""Chinese segmentation for the patent index: rjieba with a domain dictionary.

tantivy-py cannot call a Python tokenizer, so text is segmented here and handed to tantivy
already split (tokens joined by spaces, indexed with the "whitespace" tokenizer). Two modes:

* `tokenize_index` uses jieba's search mode, which emits the sub-words of a long word before
  the word itself (锂离子电池 → 离子 锂离子 电池 锂离子电池), so a query for 电池 finds a
  document whose text segments as 锂离子电池;
* `tokenize` (queries) uses the precise mode, so 锂离子电池 stays one, more selective, term.

A quoted phrase is segmented with the index mode, giving the same token sequence the document
got, which is what makes position-based phrase queries work on pre-segmented text.
"""

import re
import threading
import unicodedata

import rjieba

# Domain words jieba's general dictionary splits apart; the IPC titles add more when loaded.
DOMAIN_WORDS = (
    "发明专利", "实用新型", "外观设计", "知识产权", "专利权人", "申请人", "发明人", "权利要求",
    "锂离子电池", "锂电池", "动力电池", "储能电池", "燃料电池", "太阳能电池", "正极材料", "负极材料",
    "电解液", "隔膜", "固态电池", "钠离子电池", "稀土永磁", "稀土永磁体", "永磁电机", "钕铁硼",
    "稀土", "永磁材料", "磁性材料", "牧草", "乳制品", "奶牛", "羊绒", "马铃薯", "燕麦", "沙棘",
    "肉羊", "蒙药", "中药组合物", "风力发电", "光伏组件", "光伏发电", "逆变器", "储能系统",
    "煤化工", "煤气化", "稀土抛光粉", "单晶硅", "多晶硅", "碳化硅", "石墨烯", "氢燃料",
    "新能源汽车", "人工智能", "机器学习", "深度学习", "神经网络", "区块链", "物联网", "云计算",
    "大数据", "图像识别", "无人机", "机器人", "传感器", "控制器", "电路板", "集成电路", "半导体",
    "芯片", "数据处理", "信号处理", "通信网络", "服务器", "电动汽车", "充电桩", "换热器",
    "制备方法", "检测方法", "检测装置", "控制方法", "控制系统", "生产线", "生产工艺",
)

# Single characters and fillers that carry no meaning in a patent title or abstract.
STOP_WORDS = frozenset(
    ["的", "和", "及", "与", "或", "等", "了", "在", "是", "为", "对", "由", "以", "将", "其", "该", "所", "于", "中", "上", "下", "个", "之", "并", "而", "且", "可", "被", "从", "到", "把", "一种", "一个", "所述", "及其", "以及", "其中", "包括", "用于", "进行", "通过", "本发明", "本实用新型", "发明", "实用新型公开", "a", "an", "the", "of", "and", "or", "in", "on", "for", "to", "with", "by", "is", "are"]
)
# Keep 发明/实用新型 searchable as words in queries: only the fillers above are dropped. "发明" is
# a filler in abstracts (本发明公开了…) but TYPE= is the way to ask for the patent type.

# Runs of anything that is not a word character become one space before segmentation (one C
# pass, much cheaper than testing every token); full-width letters and digits are rare, so NFKC
# (slow) runs only when one is present (full-width punctuation is removed by the pass anyway).
_NON_WORD = re.compile(r"[^\w]+")
_FULL_WIDTH = re.compile(r"[\u3000\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")  # letters, digits, space
_DROP = STOP_WORDS | {" ", "_"}
_jieba = rjieba.Jieba()
_loaded = {"domain": False, "ipc": False}
_lock = threading.Lock()
# Short texts that recur (applicant names): their index form, emptied whenever words are added.
_short_cache: dict[str, str] = {}


def _normalize(text: str) -> str:
    """Full-width to half-width, lower case, punctuation to spaces: ＬＥＤ, LED and led are one term."""
    if not text:
        return ""
    if _FULL_WIDTH.search(text):
        text = unicodedata.normalize("NFKC", text)
    return _NON_WORD.sub(" ", text.lower())


def _ensure_dictionary() -> None:
    if _loaded["domain"]:
        return
    with _lock:
        if not _loaded["domain"]:
            for word in DOMAIN_WORDS:
                _jieba.add_word(word, 20000, "n")
            _short_cache.clear()
            _loaded["domain"] = True


def ipc_words(limit: int = 20000) -> list[str] | None:
    """Short terms of the IPC titles (IpcCode table): the classification's vocabulary.

    Titles such as "锂离子电池" or "永磁体" are the words; only short Chinese titles (2–8
    characters, no punctuation) are taken, longer titles are phrases. None when there is no
    table to read (before migrate).
    """
    try:
        from ..models import IpcCode

        titles = list(IpcCode.objects.values_list("title", flat=True)[:limit])
    except Exception:  # no table yet (before migrate) or no database: the built-in words suffice
        return None
    words = []
    for title in titles:
        for part in re.split(r"[，,；;、（）()\s]+", title or ""):
            if 2 <= len(part) <= 8 and re.fullmatch(r"[\u4e00-\u9fff]+", part):
                words.append(part)
    return words


def add_ipc_words(words: list[str]) -> int:
    """Add the IPC terms to this process's dictionary, once; later calls add nothing."""
    _ensure_dictionary()
    with _lock:
        if _loaded["ipc"]:
            return 0
        for word in words:
            _jieba.add_word(word, 5000, "n")
        _short_cache.clear()
        _loaded["ipc"] = True
    return len(words)


def load_ipc_words(limit: int = 20000) -> int:
    """Add the IPC titles' terms (ipc_words) to the dictionary, once per process. Called by the
    engine before indexing when the table has rows; harmless when it is empty."""
    if _loaded["ipc"]:
        return 0
    words = ipc_words(limit)
    return 0 if words is None else add_ipc_words(words)


def tokenize(text: str) -> list[str]:
    """Query-side tokens (precise mode): lower-cased, punctuation and fillers dropped."""
    _ensure_dictionary()
    return [t for t in _jieba.cut(_normalize(text)) if t not in _DROP]


def tokenize_index(text: str) -> list[str]:
    """Index-side tokens (search mode: sub-words and the word, in text order).

    Stop words are kept, as in the index, so that a quoted phrase's token sequence (的 and all)
    lines up with the document's positions; queries never search a stop word on its own.
    """
    _ensure_dictionary()
    return [t for t in _jieba.cut_for_search(_normalize(text)) if not t.isspace()]


def analyze(text: str) -> str:
    """The index form of a title or abstract: search-mode tokens joined by spaces.

    The space tokens jieba returns for punctuation are left in: the whitespace tokenizer skips
    them, and not filtering saves a Python pass over every token (the import rate hinges on it).
    """
    if not text:
        return ""
    _ensure_dictionary()
    return " ".join(_jieba.cut_for_search(_normalize(text)))


def analyze_precise(text: str) -> str:
    """The index form of long, rarely searched text (the first claim): precise mode, cheaper."""
    if not text:
        return ""
    _ensure_dictionary()
    return " ".join(_jieba.cut(_normalize(text)))


def analyze_short(text: str) -> str:
    """analyze() of a short text that recurs across documents (applicant names), cached."""
    hit = _short_cache.get(text)
    if hit is None:
        hit = analyze(text)
        if len(_short_cache) >= 100_000:
            _short_cache.clear()
        _short_cache[text] = hit
    return hit
