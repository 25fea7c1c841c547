"""Probe: do councils' own documents, added with `index add`, still reach the top 3 next to the seed corpus?

    python scripts/probe_added_documents.py [--adapter FOLDER] [--bank-weight W]

Adds two councils' saved web pages (the test fixtures) to a copy of the corpus, builds a throwaway index and asks
twelve questions that each page answers, without naming the council. The question bank knows only the seed
documents; this checks that it does not bury the others. Prints one line per question and the count found.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ADDED = ("Glanhafren County Council", "Ashcombe Borough Council")
QUESTIONS = [
    "someone sent me threatening comments, what do I do before I delete them?",
    "am I allowed to block residents just because they keep disagreeing with me",
    "can I put up photos of kids from the village fun day",
    "does the guidance apply to whatsapp groups?",
    "can I have a go at an officer online over a botched report",
    "should I check facts before sharing a post about a council decision?",
    "who do I ask if I'm not sure a post is ok?",
    "is it ok to post after a few drinks",
    "how do I make clear it's my personal view not the council's",
    "can I pass on a rumour about a named person",
    "during the election can I campaign from the account the council gave me",
    "what can't I share from a closed committee session",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--adapter", type=Path, default=ROOT / "assistant/models/retrieval")
    parser.add_argument("--bank-weight", type=float, help="override the shipped question-bank weight")
    args = parser.parse_args()

    from assistant.config import Settings
    from assistant.knowledge.base import KnowledgeBase
    from assistant.knowledge.corpus import add_document
    from tests.knowledge.council_fixtures import ASHCOMBE_HTML, GLANHAFREN_HTML

    tmp = Path(tempfile.mkdtemp())
    try:
        corpus = tmp / "corpus"
        shutil.copytree(ROOT / "corpus", corpus)
        for page, council in zip((GLANHAFREN_HTML, ASHCOMBE_HTML), ADDED):
            add_document(corpus, page, council=council)
        kb = KnowledgeBase.from_settings(Settings(corpus_dir=corpus, index_dir=tmp / "index",
                                                  retrieval_adapter_dir=args.adapter))
        kb.build_index()
        retriever = kb.retriever
        if args.bank_weight is not None:
            retriever.weights = (*retriever.weights[:2], args.bank_weight)
        print(f"weights (dense, keyword, bank): {retriever.weights}")
        found = 0
        for question in QUESTIONS:
            hits = retriever.search(question, k=3)
            ok = any(p.council in ADDED for h in hits for p in (h.paragraph, *h.also_in))
            found += ok
            print(f"{'found' if ok else 'MISSED':6}  {question}")
        print(f"added councils' paragraphs in the top 3: {found}/{len(QUESTIONS)}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
