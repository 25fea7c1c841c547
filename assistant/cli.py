"""The ``assistant`` command. Sub-commands are imported only when used, so start-up stays fast."""

from __future__ import annotations

import importlib
import logging
import sys

import click

from assistant.errors import UserError

# name -> "module:attribute"; each module is a thin client of the services in assistant.wiring
COMMANDS = {
    "chat": "assistant.commands.serve:chat",
    "ask": "assistant.commands.ask:ask",
    "index": "assistant.commands.index:index",
    "eval": "assistant.commands.evaluate:eval_group",
    "check-post": "assistant.commands.checkpost:check_post",
    "report": "assistant.commands.incidents:report",
    "incidents": "assistant.commands.incidents:incidents",
    "slack": "assistant.commands.serve:slack",
    "teams": "assistant.commands.serve:teams",
    "whatsapp": "assistant.commands.serve:whatsapp",
    "data": "assistant.commands.data:data",
    "train": "assistant.commands.train:train",
    "checker": "assistant.commands.checker:checker",
}


class LazyGroup(click.Group):
    """A click group whose commands are imported on first use."""

    def __init__(self, *args, lazy: dict[str, str], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lazy = lazy

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(set(super().list_commands(ctx)) | set(self.lazy))

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.lazy:
            module, attr = self.lazy[name].split(":")
            return getattr(importlib.import_module(module), attr)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except UserError as exc:
            click.secho(exc.display(), fg="red", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=LazyGroup, lazy=COMMANDS)
@click.version_option(package_name="councillor-assistant")
@click.option("-v", "--verbose", is_flag=True, help="Log progress to stderr (never drafts or incident text).")
def cli(verbose: bool) -> None:
    """Councillors' social-media guidance assistant: cited answers, post checks and incident reports."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    """Console-script entry point."""
    cli(prog_name="assistant")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
