"""Evidence files: content addressing, limits, types, safe names; attached through the engine."""

from __future__ import annotations

import base64
import hashlib
import io
import stat

import pytest
from pypdf import PdfReader

from assistant.errors import InvalidInput
from assistant.incidents.evidence import EvidenceStore, sanitise_filename, sniff_type

from .conftest import answer_until_review

# A real 1x1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)
USER = "U-REPORTER"


@pytest.mark.parametrize(
    ("name", "content_type", "expected"),
    [
        ("../../etc/passwd", "text/plain", "passwd.txt"),
        ("C:\\Users\\jo\\Screen Shot 1.PNG", "image/png", "Screen Shot 1.png"),
        ("<script>alert(1)</script>.png", "image/png", "script.png"),  # "/" ends a directory name
        ("rm -rf *; $(reboot).png", "image/png", "rm -rf _ _(reboot).png"),
        (".hidden.png", "image/png", "hidden.png"),
        ("ünïcödé.jpeg", "image/jpeg", "unicode.jpeg"),
        ("photo.exe", "image/png", "photo.exe.png"),
        ("", "application/pdf", "evidence.pdf"),
        (None, "image/png", "evidence.png"),
        ("a" * 300 + ".png", "image/png", "a" * 116 + ".png"),  # 120 characters at most
    ],
)
def test_file_names_are_sanitised(name, content_type, expected):
    assert sanitise_filename(name, content_type) == expected


def test_types_are_recognised_by_content_not_by_the_declared_type():
    assert sniff_type(PNG) == "image/png"
    assert sniff_type(b"%PDF-1.7 ...") == "application/pdf"
    assert sniff_type(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff_type(b"\x00\x00\x00\x18ftypheic....") == "image/heic"
    assert sniff_type("plain words, £ and é".encode()) == "text/plain"
    assert sniff_type(b"MZ\x90\x00\x03\x00\x00\x00") is None  # a Windows program
    assert sniff_type(b"\x7fELF\x02\x01\x01") is None


def test_store_checks_limits_and_writes_each_content_once(tmp_path):
    store = EvidenceStore(tmp_path / "evidence", max_bytes=1000)
    checked = store.check(PNG, "shot.png", "image/png")
    assert checked.sha256 == hashlib.sha256(PNG).hexdigest() and checked.size == len(PNG)
    sha = store.put(PNG)
    assert store.put(PNG) == sha
    path = store.path(sha)
    assert path == tmp_path / "evidence" / sha[:2] / sha and path.read_bytes() == PNG
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.read(sha) == PNG
    with pytest.raises(InvalidInput, match="largest file"):
        store.check(b"x" * 1001, "big.txt")
    with pytest.raises(InvalidInput, match="empty"):
        store.check(b"", "nothing.png")
    with pytest.raises(InvalidInput, match="cannot be attached") as refused:
        store.check(b"MZ\x90\x00" + bytes(range(256)), "tool.exe", "application/octet-stream")
    assert "PNG" in refused.value.hint
    with pytest.raises(ValueError):
        store.path("../../etc/passwd")
    with pytest.raises(ValueError, match="greater than 0"):
        EvidenceStore(tmp_path, max_bytes=0)


def test_evidence_attached_in_a_conversation_reaches_the_incident_and_its_pdf(service):
    engine = service.conversations
    step = engine.start("slack", USER, display_name="Cllr Jo Bloggs")
    cid = step.conversation_id
    info = engine.attach(cid, PNG, "../Screen Shot.PNG", "image/png", user_id=USER)
    assert info.filename == "Screen Shot.png" and info.sha256 == hashlib.sha256(PNG).hexdigest()
    engine.attach(cid, PNG, "again.png", "image/png", user_id=USER)  # the same content twice: one file
    doc = engine.attach(cid, b"%PDF-1.4 letter", "letter.pdf", "image/png", user_id=USER)
    assert doc.content_type == "application/pdf"  # the content decides, not the declared type

    review = answer_until_review(engine, step, USER)
    assert [e.filename for e in review.evidence] == ["Screen Shot.png", "letter.pdf"]
    done = engine.confirm(cid, user_id=USER)
    with pytest.raises(InvalidInput, match="already been sent"):
        engine.attach(cid, b"more text", "late.txt", user_id=USER)

    mo = service.actor("U-MO")
    detail = service.get(mo, done.reference)
    assert [e.sha256 for e in detail.evidence] == [info.sha256, doc.sha256]
    stored, data = service.evidence_file(mo, done.reference, info.sha256[:10])
    assert data == PNG and stored.filename == "Screen Shot.png"
    reader = PdfReader(io.BytesIO(service.export_pdf(mo, done.reference)))
    assert any(page.images for page in reader.pages)  # the screenshot is at the back of the form
    assert "evidence_downloaded" in [e.action for e in service.get(mo, done.reference).audit]


def test_evidence_size_limit_comes_from_settings(make_service):
    service = make_service(evidence_max_bytes=50)
    cid = service.conversations.start("slack", USER).conversation_id
    with pytest.raises(InvalidInput, match="largest file that can be attached is 0.0 MB"):
        service.conversations.attach(cid, PNG, "shot.png", user_id=USER)


def test_cancelling_deletes_files_no_other_report_uses(service):
    engine = service.conversations
    first = engine.start("slack", USER).conversation_id
    second = engine.start("slack", "U-OTHER").conversation_id
    shared = engine.attach(first, PNG, "a.png", user_id=USER)
    engine.attach(second, PNG, "b.png", user_id="U-OTHER")
    own = engine.attach(first, b"only in the first report", "note.txt", user_id=USER)
    engine.cancel(first, user_id=USER)
    assert service.store.path(shared.sha256).exists()  # still part of the other report
    assert not service.store.path(own.sha256).exists()
