"""The Monitoring Officer's log: access control, audit trail, status workflow, exports, logs; SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import dataclasses
import io
import logging

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pypdf import PdfReader

from sqlalchemy import text

from assistant.errors import InvalidInput, NotFound, PermissionDenied
from assistant.incidents.db import VERSION_TABLE
from assistant.incidents.models import Base
from assistant.incidents.service import Actor

from .conftest import SECRET, submit_report

MO, REPORTER, STRANGER = "U-MO", "U-REPORTER", "U-STRANGER"


def actions(service, reference: str) -> list[str]:
    return [entry.action for entry in service.get(service.actor(MO), reference).audit]


def test_migrations_create_exactly_the_models_schema(service):
    with service.db.engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert [d for d in diff if not (d[0] == "remove_table" and d[1].name == VERSION_TABLE)] == []


def test_only_the_reporter_and_monitoring_officers_see_an_incident(service):
    ref = submit_report(service, user_id=REPORTER).reference
    submit_report(service, user_id="U-OTHER-REPORTER")
    mo, reporter, stranger = service.actor(MO), service.actor(REPORTER), service.actor(STRANGER)
    assert mo.is_monitoring_officer and not reporter.is_monitoring_officer

    assert len(service.list_incidents(mo)) == 2
    assert [s.reference for s in service.list_incidents(reporter)] == [ref]
    assert service.list_incidents(stranger) == []
    assert service.get(reporter, ref).audit == ()  # the audit trail is for Monitoring Officers
    for attempt in (lambda: service.get(stranger, ref), lambda: service.export_pdf(stranger, ref),
                    lambda: service.export_csv(stranger, [ref])):
        with pytest.raises(PermissionDenied):
            attempt()
    with pytest.raises(PermissionDenied):
        service.change_status(reporter, ref, "acknowledged")
    with pytest.raises(NotFound):
        service.get(mo, "INC-2026-0999")
    with pytest.raises(NotFound):
        service.get(mo, "not a reference")
    trail = service.get(mo, ref).audit
    denied = [(e.actor_id, e.actor_role, e.detail) for e in trail if e.action == "access_denied"]
    assert denied == [(STRANGER, "user", "view"), (STRANGER, "user", "export_pdf"), (STRANGER, "user", "export_csv"),
                      (REPORTER, "reporter", "change_status")]  # every refusal, with what was attempted


def test_probing_a_reference_that_does_not_exist_is_refused_and_audited_like_any_other(service):
    stranger = service.actor(STRANGER)
    with pytest.raises(PermissionDenied) as refused:
        service.get(stranger, "INC-2026-0999")
    assert "There is no incident" not in refused.value.user_message  # existence is not given away
    with service.db.transaction() as session:
        rows = session.execute(text("SELECT actor_id, action, detail, incident_id FROM incident_audit")).all()
    assert [tuple(r) for r in rows] == [(STRANGER, "access_denied", "view INC-2026-0999", None)]


def test_monitoring_officer_status_comes_from_the_service_alone(make_service):
    service = make_service(monitoring_officers=["U-MO"], monitoring_officer_channel="GMO")
    ref = submit_report(service, user_id=REPORTER).reference
    member = service.actor("U-CHANNEL-MEMBER", in_officer_channel=True)
    assert member.is_monitoring_officer and service.get(member, ref).summary.reference == ref
    assert not service.actor("U-CHANNEL-MEMBER").is_monitoring_officer
    forged = Actor(user_id=STRANGER, is_monitoring_officer=True)  # an adapter deciding for itself
    promoted = dataclasses.replace(service.actor(STRANGER), is_monitoring_officer=True)
    for actor in (forged, promoted):
        with pytest.raises(TypeError, match="IncidentService.actor"):
            service.get(actor, ref)
    without_channel = make_service(monitoring_officers=["U-MO"])
    assert not without_channel.actor("U-X", in_officer_channel=True).is_monitoring_officer  # no channel configured


def test_console_login_matches_a_bare_monitoring_officer_name(make_service):
    service = make_service(monitoring_officers=["alice"])
    assert service.actor("console:alice").is_monitoring_officer
    assert service.actor("alice").is_monitoring_officer
    assert not service.actor("console:bob").is_monitoring_officer
    assert not service.actor("slack:alice").is_monitoring_officer


def test_views_exports_and_status_changes_are_audited(service):
    ref = submit_report(service, user_id=REPORTER).reference
    mo = service.actor(MO)
    service.get(service.actor(REPORTER), ref)
    service.export_pdf(mo, ref)
    service.export_csv(mo)
    service.change_status(mo, ref, "acknowledged", note="Phoned the councillor")
    trail = service.get(mo, ref).audit
    assert [(e.action, e.actor_id, e.actor_role) for e in trail] == [
        ("submitted", REPORTER, "reporter"),
        ("viewed", REPORTER, "reporter"),
        ("exported_pdf", MO, "monitoring_officer"),
        ("exported_csv", MO, "monitoring_officer"),
        ("status_changed", MO, "monitoring_officer"),
        ("viewed", MO, "monitoring_officer"),
    ]
    assert trail[4].detail == "submitted -> acknowledged; note: Phoned the councillor"


def test_status_workflow_refuses_invalid_moves(service):
    ref = submit_report(service).reference
    mo = service.actor(MO)
    with pytest.raises(InvalidInput, match="cannot move to under review"):
        service.change_status(mo, ref, "under review")
    with pytest.raises(InvalidInput, match="not a status"):
        service.change_status(mo, ref, "resolved")
    assert service.change_status(mo, ref, "Acknowledged").status == "acknowledged"
    assert service.change_status(mo, ref, "under-review").status == "under_review"
    with pytest.raises(InvalidInput, match="outcome"):
        service.change_status(mo, ref, "closed")
    closed = service.change_status(mo, ref, "closed", outcome="Posts removed; police informed")
    assert closed.status == "closed" and closed.outcome == "Posts removed; police informed"
    with pytest.raises(InvalidInput, match="It can move to: nothing"):
        service.change_status(mo, ref, "acknowledged")
    assert [s.reference for s in service.list_incidents(mo, status="closed")] == [ref]
    assert service.list_incidents(mo, status="submitted") == []


def test_pdf_export_is_the_completed_form(service):
    ref = submit_report(service).reference
    pdf = service.export_pdf(service.actor(MO), ref)
    assert pdf.startswith(b"%PDF")
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert ref in text and SECRET in text and "What happened?" in text and "CAD 4521" in text


def test_csv_export_has_one_row_per_incident_and_neutralises_formulas(service):
    first = submit_report(service, user_id="U-A").reference
    second = submit_report(service, user_id="U-B", who="=HYPERLINK(\"http://evil\")").reference
    rows = list(csv.DictReader(io.StringIO(service.export_csv(service.actor(MO)))))
    assert [r["reference"] for r in rows] == [first, second]
    assert rows[0]["status"] == "submitted" and SECRET in rows[0]["what_happened"]
    assert rows[1]["who"].startswith("'=")
    assert rows[0]["kinds"] == "Abuse, Threat of violence"
    own = list(csv.DictReader(io.StringIO(service.export_csv(service.actor("U-B")))))
    assert [r["reference"] for r in own] == [second]


def test_incident_text_never_reaches_the_logs(make_service, caplog):
    caplog.set_level(logging.DEBUG)  # before the engine exists, so SQLAlchemy would log statements too
    service = make_service()
    done = submit_report(service)
    mo = service.actor(MO)
    service.get(mo, done.reference)
    service.export_pdf(mo, done.reference)
    service.export_csv(mo)
    service.change_status(mo, done.reference, "acknowledged", note=f"note {SECRET}")
    assert done.reference in caplog.text  # the log does say what happened, by reference
    assert SECRET not in caplog.text
    assert "we know where you live" not in caplog.text


def test_an_unreachable_database_is_a_kind_error_at_start_up(tmp_path):
    from assistant.config import Settings
    from assistant.errors import ServiceUnavailable
    from assistant.incidents.service import build_incident_service

    settings = Settings(data_dir=tmp_path, database_url="postgresql://nobody:s3cretpw@127.0.0.1:9/none")
    with pytest.raises(ServiceUnavailable) as outage:
        build_incident_service(settings)
    assert "cannot be reached right now" in outage.value.user_message and "s3cretpw" not in outage.value.display()


def test_pdf_export_works_without_a_unicode_font(service, monkeypatch):
    from assistant.incidents import export

    monkeypatch.setattr(export, "FONT_DIRS", ())  # a fresh machine without fonts-dejavu
    ref = submit_report(service, who="Zażółć gęślą jaźń 😀 @troll").reference
    pdf = service.export_pdf(service.actor(MO), ref)
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert pdf.startswith(b"%PDF") and ref in text and "@troll" in text
