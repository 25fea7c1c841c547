"""BM25 keyword search with English stemming and a small table of the guidance's own synonyms."""

from __future__ import annotations

import math
import re
from collections import Counter
from functools import lru_cache

import snowballstemmer

TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# "pre-determination" and "predetermination" are one word; so are "re-tweet" and "retweet".
PREFIX_RE = re.compile(r"\b(pre|re|co|non|anti|cyber|e)-(?=[a-z])")
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his how i if in into is it its itself just me more most my myself no nor not now of
    off on once only or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very was we were what
    when where which while who whom why will with would you your yours yourself yourselves s t don i'm i've it's
    can't won't shouldn't isn't there's what's let's ok okay also may might must shall""".split()
)
# Words that mean the same thing in councillors' questions and in the guidance ("phone" finds "telephone").
SYNONYMS = {
    "telephone": "phone", "mobile": "phone", "phones": "phone", "tweet": "post", "tweets": "post",
    "tweeting": "post", "retweet": "share", "retweeting": "share", "libel": "defamation", "libellous": "defamation",
    "defamatory": "defamation", "councillor": "member", "councillors": "member", "members": "member",
    "cllr": "member", "photo": "image", "photos": "image", "photographs": "image", "photograph": "image",
    "pictures": "image", "picture": "image", "images": "image", "troll": "trolling", "trolls": "trolling",
    "predetermined": "predetermination", "predetermine": "predetermination", "predetermining": "predetermination",
    "facebook": "social", "twitter": "social", "instagram": "social", "x": "", "bio": "profile",
    "logo": "logo", "crest": "logo", "gdpr": "data", "laptop": "device", "ipad": "device", "tablet": "device",
    "devices": "device", "electioneering": "election", "campaigning": "campaign", "purdah": "election",
}


@lru_cache(maxsize=1)
def _stemmer():
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=50_000)
def _normal(word: str) -> str:
    word = SYNONYMS.get(word, word)
    return _stemmer().stemWord(word) if word else ""


def tokenize(text: str, *, keep_stopwords: bool = False) -> list[str]:
    """Lower-case, split, drop stop words, map synonyms and stem."""
    text = PREFIX_RE.sub(r"\1", text.lower().replace("’", "'").replace("**", ""))
    words = TOKEN_RE.findall(text)
    out = []
    for word in words:
        if not keep_stopwords and word in STOPWORDS:
            continue
        norm = _normal(word)
        if norm:
            out.append(norm)
    return out


class BM25:
    """Okapi BM25 over a fixed list of documents (the corpus is small: a plain in-memory index is enough)."""

    def __init__(self, docs: list[list[str]], *, k1: float = 1.4, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.tf = [Counter(d) for d in docs]
        self.lengths = [len(d) for d in docs]
        self.avg = sum(self.lengths) / max(len(docs), 1)
        df = Counter(term for d in docs for term in set(d))
        n = len(docs)
        self.idf = {term: math.log(1 + (n - f + 0.5) / (f + 0.5)) for term, f in df.items()}

    def scores(self, query: list[str]) -> list[float]:
        """BM25 score of every document for the query terms."""
        terms = [t for t in dict.fromkeys(query) if t in self.idf]
        out = []
        for tf, length in zip(self.tf, self.lengths):
            s = 0.0
            norm = self.k1 * (1 - self.b + self.b * length / self.avg)
            for term in terms:
                f = tf.get(term)
                if f:
                    s += self.idf[term] * f * (self.k1 + 1) / (f + norm)
            out.append(s)
        return out
