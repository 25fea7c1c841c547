"""Two replicas of the app (two `assistant slack` servers, each with its gunicorn workers) sharing one PostgreSQL
database: every report is filed once and every Monitoring Officer notification is sent exactly once."""

from __future__ import annotations

import json
import os
import re
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from app_process import AppProcess
from fake_slack import FakeSlack, SlackSender
from report_forms import MODAL_ANSWERS, fill, submit_view
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from assistant.channels.slack.report_blocks import report_modal
from assistant.incidents.db import normalise_url
from assistant.incidents.form import load_form

pytestmark = [pytest.mark.real, pytest.mark.postgres]

PG_URL = os.environ.get("ASSISTANT_TEST_POSTGRES_URL")
REPORTS = 50
OFFICER = "UMOREPLICA"


@pytest.fixture
def shared_database():
    """A fresh schema on the test PostgreSQL server; yields (URL for the apps, engine for the test's own reads)."""
    if not PG_URL:
        pytest.skip("ASSISTANT_TEST_POSTGRES_URL is not set (scripts/ensure-postgres.sh prints one)")
    base = make_url(normalise_url(PG_URL))
    schema = f"replicas_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.exec_driver_sql(f'CREATE SCHEMA "{schema}"')
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    reader = create_engine(url)
    yield url.render_as_string(hide_password=False), reader
    reader.dispose()
    with admin.begin() as connection:
        connection.exec_driver_sql(f'DROP SCHEMA "{schema}" CASCADE')
    admin.dispose()


def test_two_replicas_file_50_concurrent_reports_and_notify_each_exactly_once(shared_database, app_index_dir,
                                                                               tmp_path):
    url, reader = shared_database
    fake = FakeSlack().start()
    env = {"ASSISTANT_DATABASE_URL": url, "ASSISTANT_MONITORING_OFFICERS": OFFICER,
           "ASSISTANT_MONITORING_OFFICER_CHANNEL": ""}
    replicas = [AppProcess(fake, app_index_dir, tmp_path / f"replica{n}" / "data", env=env, name=f"replica{n}")
                for n in (1, 2)]
    try:
        for replica in replicas:
            replica.wait_healthy()
        senders = [SlackSender(replica.url, fake) for replica in replicas]
        view = report_modal(load_form())
        values = fill(view, MODAL_ANSWERS)

        def report(i: int) -> tuple[int, str]:
            _, status, body = submit_view(senders[i % 2], view, values, f"UREP{i:03d}", f"VREPLICA{i:03d}")
            return status, body

        with ThreadPoolExecutor(max_workers=REPORTS) as pool:
            results = list(pool.map(report, range(REPORTS)))
        assert all(status == 200 and json.loads(body)["response_action"] == "update" for status, body in results)

        def reference_dm(call) -> bool:
            return call.params["channel"].startswith("DUREP") and "INC-" in call.text

        dms = fake.wait_for("chat.postMessage", reference_dm, count=REPORTS, timeout=300)
        fake.wait_for("chat.postMessage", lambda c: c.params["channel"] == f"D{OFFICER}", count=REPORTS, timeout=300)
    finally:
        statuses = [replica.stop() for replica in replicas]  # graceful: whatever was being sent is finished first
        fake.stop()
    assert statuses == [0, 0]

    references = [re.search(r"INC-\d{4}-\d{4}", c.text).group(0) for c in dms]
    assert len(references) == len(set(references)) == REPORTS  # one reference per report, none twice
    notes = fake.find("chat.postMessage", lambda c: c.params["channel"] == f"D{OFFICER}")
    noted = [re.search(r"INC-\d{4}-\d{4}", c.text).group(0) for c in notes]
    assert len(noted) == REPORTS and sorted(noted) == sorted(references)  # exactly one notification each
    with reader.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM incidents")).scalar() == REPORTS
        rows = connection.execute(text("SELECT delivered_at IS NOT NULL, attempts FROM incident_notifications")).all()
    assert len(rows) == REPORTS and all(delivered and attempts == 1 for delivered, attempts in rows)
    for replica in replicas:
        assert "Traceback" not in replica.log()
