"""The five seed documents' chunking is frozen: labelled data sets refer to their paragraph ids, texts and offsets.

The digests were taken from the chunker before documents from web pages, PDFs and Word files got their own
rules (bullets split after a lead-in, clutter removal). Any change to how the seeds are split fails here.
"""

from __future__ import annotations

import hashlib
import json

from assistant.knowledge.corpus import chunk_corpus, load_corpus
from tests.conftest import SEEDS_CORPUS

SEED_PARAGRAPHS = 403
# sha256 of json.dumps([[p.id, p.start, p.end, p.label, p.section], ...], ensure_ascii=False)
SEED_DIGEST = "07c7a84e5d94d7293576c9dc915a6dad515ab5692a758d968805e399871c4452"
# the same over every field of every Paragraph (text, number, kind, council, document, source too)
SEED_FULL_DIGEST = "eb966fb683ddf96530eb28f345a91ef816c41017e0c6273dbf7aa98d89d0daa5"


def _digest(rows: list) -> str:
    return hashlib.sha256(json.dumps(rows, ensure_ascii=False).encode()).hexdigest()


def test_seed_documents_are_split_exactly_as_before():
    documents, texts = load_corpus(SEEDS_CORPUS)
    assert [d.doc_id for d in documents] == ["000", "001", "002", "003", "004"]
    paragraphs = chunk_corpus(documents, texts)
    assert len(paragraphs) == SEED_PARAGRAPHS
    assert _digest([[p.id, p.start, p.end, p.label, p.section] for p in paragraphs]) == SEED_DIGEST
    assert _digest([[p.id, p.doc_id, p.council, p.document, p.section, p.number, p.label, p.text, p.start, p.end,
                     p.source, p.kind] for p in paragraphs]) == SEED_FULL_DIGEST
