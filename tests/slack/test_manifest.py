"""manifest.yml asks for what the app uses: its commands, events, interactivity and scopes, all on /slack/events."""

from __future__ import annotations

import yaml

from assistant.config import ROOT


def test_manifest_matches_the_app():
    manifest = yaml.safe_load((ROOT / "manifest.yml").read_text(encoding="utf-8"))
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {"/ask", "/checkpost", "/report"}
    settings = manifest["settings"]
    assert set(settings["event_subscriptions"]["bot_events"]) == {"app_mention", "message.im", "app_home_opened"}
    assert settings["interactivity"]["is_enabled"] is True
    urls = [c["url"] for c in commands.values()] + [settings["event_subscriptions"]["request_url"],
                                                     settings["interactivity"]["request_url"]]
    assert all(url.startswith("https://") and url.endswith("/slack/events") for url in urls)
    scopes = set(manifest["oauth_config"]["scopes"]["bot"])
    assert {"commands", "chat:write", "app_mentions:read", "im:history", "im:write", "files:read"} <= scopes
    assert manifest["features"]["app_home"]["home_tab_enabled"] is True
    assert len(manifest["display_information"]["description"]) <= 140
    assert all(len(c["description"]) <= 100 for c in commands.values())
