"""BM25 keyword search with English stemming and a small table of the guidance's own synonyms."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

import numpy as np
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
    """Okapi BM25 as one sparse matrix of per-term weights, so a query costs a few column sums even at 100,000
    paragraphs (the weights are computed once, when the knowledge base loads)."""

    def __init__(self, docs: list[list[str]], *, k1: float = 1.4, b: float = 0.75) -> None:
        from scipy.sparse import csc_matrix

        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        rows, cols, tfs = [], [], []
        for i, doc in enumerate(docs):
            for term, f in Counter(doc).items():
                rows.append(i)
                cols.append(self.vocab.setdefault(term, len(self.vocab)))
                tfs.append(f)
        lengths = np.array([len(d) for d in docs], dtype=np.float64)
        avg = lengths.mean() if len(docs) else 0.0
        n = len(docs)
        df = np.bincount(np.array(cols, dtype=np.int64), minlength=len(self.vocab)) if cols else np.zeros(0)
        idf = np.log(1 + (n - df + 0.5) / (df + 0.5))
        self.idf = {term: float(idf[j]) for term, j in self.vocab.items()}
        tf = np.array(tfs, dtype=np.float64)
        norm = k1 * (1 - b + b * lengths[np.array(rows, dtype=np.int64)] / max(avg, 1e-9)) if rows else tf
        weights = idf[np.array(cols, dtype=np.int64)] * tf * (k1 + 1) / (tf + norm) if rows else tf
        self.matrix = csc_matrix((weights, (rows, cols)), shape=(n, len(self.vocab)), dtype=np.float32)
        self.size = n

    def scores(self, query: list[str]) -> list[float]:
        """BM25 score of every document for the query terms."""
        columns = [self.vocab[t] for t in dict.fromkeys(query) if t in self.vocab]
        if not columns:
            return [0.0] * self.size
        return np.asarray(self.matrix[:, columns].sum(axis=1)).ravel().tolist()
