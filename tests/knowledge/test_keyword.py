"""Keyword search: stemming and the guidance's synonyms."""

from assistant.knowledge.keyword import BM25, tokenize


def test_phone_finds_telephone_and_stems_match():
    docs = [tokenize("Do not disclose home addresses and telephone numbers."),
            tokenize("Councillors sitting on planning committees must not have predetermined their position.")]
    bm25 = BM25(docs)
    scores = bm25.scores(tokenize("can I post a resident's phone number?"))
    assert scores[0] > 0 and scores[1] == 0
    scores = bm25.scores(tokenize("pre-determination on planning"))
    assert scores[1] > scores[0]


def test_stopwords_dropped_and_hyphenated_prefixes_joined():
    assert tokenize("What is the") == []
    assert tokenize("pre-determination") == tokenize("predetermination")
