"""What the councillor sees: severity that fits the harm, a safer version with no personal detail left in it,
and plain words when no safer version can be made."""

from __future__ import annotations

import dataclasses
import io

import pytest
from rich.console import Console

from assistant.channels.console_checkpost import print_check
from assistant.checking.catalogue import checker_catalogue
from assistant.checking.models import CheckResult, Finding
from assistant.checking.recognisers import DEFAULT, RECOGNISERS, Recognisers
from assistant.checking.rewrite import remove_personal_details, rewrite_notes, safer_rewrite
from assistant.checking.service import PostChecker
from assistant.config import Settings

# Drafts full of personal details, in many voices; the safer version of each must hold none of them.
DRAFTS = [
    "Thanks to Mrs Jones at 14 Mill Lane, B69 3DE for the photo! Her mobile is 07700 900123.",
    "Popped in on Derek Holt, 3 Beech Close about his bins. Ring him on 07700 900456 if you see the lorry.",
    "Missing: Kyle, DOB 14/02/2009, last seen by the precinct. His mum's number is 07700 900765.",
    "her NI number is AB 12 34 56 C and they STILL lost the form!!! email her on sandra.t1965@gmail.com",
    "White van KX19 ABC parked on the pavement outside 41 Hawthorn Road AGAIN 😤",
    "Feel free to drop in, I'm at 8 Foxglove Close, or text me on 07700 900444 x",
    "fella who dumped the mattress lives at 41 Canal Street, DY4 7QJ, reg YD21 HGF, everyone knows him",
    "Diolch i Gwen Roberts, 7 Heol y Felin, am y te. Ffoniwch hi ar 01632 960457.",
    "Happy 100th to Doris, born 3rd May 1925, still at 2 Church View with her cat 🐱",
    "Contact: +44 7700 900111 / 0044 7700 900112 / 07700-900-113 / (01632) 960114",
    "**Leaked**: Mr Patel of 22 Station Road owes £4k. Call 07700 900999.\n\n- shared from the group",
    "Anyone else in B69 3DE had no bins? My neighbour at number 12 says nobody came.",
    "Mrs O'Brien's house at 5 Quarry Rise was burgled; she's 80 and on her own. ring her son on 07700 900321",
    "07700 900123 " * 80,  # past a rule's match limit: the recognisers still clean up the rest
]


@pytest.fixture(scope="module")
def allowed_checker(fake_knowledge):
    catalogue = checker_catalogue(Settings(allowed_numbers="01632 960000"))
    return PostChecker(fake_knowledge, catalogue=catalogue)


@pytest.mark.parametrize("draft", DRAFTS)
def test_the_safer_version_keeps_no_personal_detail(checker, draft):
    hits_before = DEFAULT.personal(draft)
    assert hits_before, "the example should hold personal details"
    rewrite = safer_rewrite(draft, _hits(checker, draft))
    assert rewrite is not None
    for name in RECOGNISERS:
        left = [rewrite[h.start : h.end] for h in DEFAULT.find(name, rewrite) if h.personal]
        assert left == [], f"{name} still finds {left} in: {rewrite}"


def _hits(checker, draft):
    from assistant.checking.engine import run_rules
    from assistant.checking.text import scan_text

    return run_rules(checker.catalogue, scan_text(draft))


def test_the_checker_rewrite_of_a_resident_address_is_high_and_clean(checker):
    result = checker.check("Thanks to Mrs Jones at 14 Mill Lane, B69 3DE for letting us use her drive!")
    finding = next(f for f in result.findings if f.category == "personal_data")
    assert finding.severity == "high" and result.verdict == "high_risk"
    assert finding.quote == "Mrs Jones at 14 Mill Lane, B69 3DE"
    assert "own home address" not in finding.why
    assert result.rewrite == "Thanks to a resident for letting us use her drive!"


def test_allowed_numbers_stay_in_the_safer_version(allowed_checker):
    result = allowed_checker.check("Call the council on 01632 960000, not Dave on 07700 900111.")
    assert [f.quote for f in result.findings] == ["07700 900111"]
    assert result.rewrite == "Call the council on 01632 960000, not Dave on [number removed]."


def test_low_severity_details_are_also_removed(checker):
    result = checker.check("Big pothole outside 41 Hawthorn Road, mind your tyres!")
    assert result.verdict == "ok" and {f.severity for f in result.findings} == {"low"}
    assert result.rewrite == "Big pothole outside [address removed], mind your tyres!"


def test_remove_personal_details_uses_the_configured_allowed_list():
    allowed = Recognisers.configured(["07700 900999"])
    assert remove_personal_details("Ring 07700 900999 or 07700 900998", allowed) == "Ring 07700 900999 or [number removed]"


def test_sentences_flagged_by_other_detectors_are_dropped():
    draft = "Bins are late this week. Cllr Smith is on the take. Sorry everyone."
    flagged = Finding("defamation", "high", draft.index("Cllr"), draft.index(" Sorry"), "", "", (), "")
    assert safer_rewrite(draft, [], extra=[flagged]) == "Bins are late this week. Sorry everyone."


def finding(category, severity, quote="x"):
    return Finding(category, severity, 0, len(quote), quote, "why", (), "fix", source="classifier")


def test_the_councillor_is_told_when_no_safer_version_exists():
    result = CheckResult("high_risk", (finding("defamation", "high", "he is a crook"),), None)
    assert rewrite_notes(result) and "No safer version could be made" in rewrite_notes(result)[0]
    out = io.StringIO()  # the service attaches the notes to the result; every channel renders them
    print_check(dataclasses.replace(result, rewrite_notes=tuple(rewrite_notes(result))), Console(file=out, width=200))
    assert "No safer version could be made" in out.getvalue()
    assert rewrite_notes(CheckResult("ok", (finding("tone", "low"),), None)) == []


def test_the_councillor_is_told_what_the_safer_version_still_holds():
    result = CheckResult("high_risk", (finding("defamation", "high", "he is a crook"),),
                         "Call [number removed]; he is a crook.")
    assert "“he is a crook” (defamation)" in rewrite_notes(result)[0]
