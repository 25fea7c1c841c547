"""`assistant teams package`: the Teams app package (manifest.json and two icons, zipped) from settings."""

from __future__ import annotations

import json
import struct
import zipfile

from click.testing import CliRunner

from assistant.cli import cli

APP_ID = "0a1b2c3d-1111-2222-3333-444455556666"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_package_is_a_zip_with_the_manifest_and_two_icons(tmp_path, monkeypatch):
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    monkeypatch.setenv("ASSISTANT_TEAMS_APP_NAME", "Sandwell councillors")
    out = tmp_path / "pkg" / "teams-app.zip"
    result = CliRunner().invoke(cli, ["teams", "package", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as package:
        assert package.testzip() is None
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color, outline = package.read("color.png"), package.read("outline.png")
    assert manifest["id"] == APP_ID and manifest["manifestVersion"] == "1.17"
    assert manifest["name"]["short"] == "Sandwell councillors"
    assert len(manifest["description"]["short"]) <= 80
    bot = manifest["bots"][0]
    assert bot["botId"] == APP_ID and bot["supportsFiles"] is True
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert png_size(color) == (192, 192) and png_size(outline) == (32, 32)
    for url in ("websiteUrl", "privacyUrl", "termsOfUseUrl"):
        assert manifest["developer"][url].startswith("https://")


def test_package_needs_the_app_id(tmp_path, monkeypatch):
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    monkeypatch.delenv("ASSISTANT_TEAMS_APP_ID", raising=False)
    result = CliRunner().invoke(cli, ["teams", "package", "--out", str(tmp_path / "x.zip")])
    assert result.exit_code != 0
    assert "TEAMS_APP_ID" in result.output and not (tmp_path / "x.zip").exists()
