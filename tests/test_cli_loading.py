"""Commands are loaded on demand, each from its own module."""

from __future__ import annotations


def test_every_command_is_loaded_from_the_module_named_for_it() -> None:
    import importlib

    from hoquiz.cli import COMMAND_MODULES, cli

    for module in set(COMMAND_MODULES.values()):
        importlib.import_module(f"hoquiz.cli.{module}")
    assert {
        name: command.callback.__module__.rsplit(".", 1)[1]  # type: ignore[union-attr]
        for name, command in cli.commands.items()
    } == COMMAND_MODULES


def test_the_fsrs_release_is_read_without_importing_fsrs() -> None:
    import importlib.metadata
    import subprocess
    import sys

    code = (
        "import sys\n"
        "from hoquiz.study.scheduling import fsrs_version\n"
        "print(fsrs_version(), 'fsrs' in sys.modules, 'importlib.metadata' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == [importlib.metadata.version("fsrs"), "False", "False"]
