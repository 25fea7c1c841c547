"""Every rule's own examples: each `trigger` draft fires the rule, each `pass` draft does not (one parametrised test)."""

from __future__ import annotations

import pytest

from assistant.checking.catalogue import load_catalogue
from assistant.checking.engine import run_rules
from assistant.checking.text import scan_text


def _cases():
    for rule in load_catalogue().rules:
        for n, draft in enumerate(rule.examples.trigger):
            yield pytest.param(rule.id, draft, True, id=f"{rule.id}-trigger-{n}")
        for n, draft in enumerate(rule.examples.pass_):
            yield pytest.param(rule.id, draft, False, id=f"{rule.id}-pass-{n}")


@pytest.mark.parametrize("rule_id, draft, fires", list(_cases()))
def test_rule_examples(rule_id, draft, fires):
    hits = run_rules(load_catalogue(), scan_text(draft))
    fired = [draft[h.start : h.end] for h in hits if h.rule.id == rule_id]
    if fires:
        assert fired, f"{rule_id} should fire on: {draft}"
    else:
        assert not fired, f"{rule_id} should not fire on: {draft} (it matched {fired})"
