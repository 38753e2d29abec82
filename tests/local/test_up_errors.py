"""``python -m local up`` with a broken stack file: the whole error, as ``preview`` prints it, and nothing started."""

from __future__ import annotations

from pathlib import Path

import pytest

from local import __main__ as cli
from local import engine
from local.engine import runner

ORIGINAL = runner.stack_config


@pytest.fixture
def nothing_starts(monkeypatch):
    """Fail the test if local mode gets as far as starting an emulator."""
    from local.emulators.moto_server import MotoServer

    def refuse(*args, **kwargs):
        raise AssertionError("an emulator was started before the stack file was read")

    monkeypatch.setattr(MotoServer, "start", refuse)


def test_up_prints_every_line_of_a_settings_error_as_preview_does(monkeypatch, capsys, nothing_starts):
    bad = {**ORIGINAL("dev"), "multitier:apiWaf": "sometimes", "multitier:lambdaMemoryMb": 64}
    monkeypatch.setattr(engine, "stack_config", lambda stack, root=engine.PROJECT_ROOT: bad)
    monkeypatch.setattr(runner, "stack_config", lambda stack, root=engine.PROJECT_ROOT: bad)
    assert cli.main(["up", "--stack", "dev"]) == 2
    up_error = capsys.readouterr().err
    assert cli.main(["preview", "--stack", "dev"]) == 2
    preview_error = capsys.readouterr().err
    # (the program gets every value as text: preview quotes the number)
    for line in ("multitier:apiWaf = 'sometimes': Input should be a valid boolean",
                 "Input should be greater than or equal to 128"):
        assert line in up_error and line in preview_error, (up_error, preview_error)
    assert len(up_error.splitlines()) == len(preview_error.splitlines()) == 3


def test_a_stack_file_that_is_not_yaml_is_one_line_with_file_line_and_column(monkeypatch, capsys, tmp_path: Path,
                                                                            nothing_starts):
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  multitier:apiWaf: true\n    aws:region: us-east-1\n")
    monkeypatch.setattr(engine, "stack_config", lambda stack, root=None: ORIGINAL(stack, tmp_path))
    monkeypatch.setattr(runner, "stack_config", lambda stack, root=None: ORIGINAL(stack, tmp_path))
    for command in ("up", "preview"):
        assert cli.main([command, "--stack", "dev"]) == 2
        assert capsys.readouterr().err == "error: Pulumi.dev.yaml:3:15: mapping values are not allowed here\n"


@pytest.mark.parametrize("text, message", [
    ("config:\n  multitier:patterns: [web_app\n", "Pulumi.dev.yaml:3:1: expected ',' or ']', but got '<stream end>'"),
    ("- multitier:apiWaf\n", "Pulumi.dev.yaml: expected a mapping with a `config:` mapping of settings"),
    ("config: [multitier:apiWaf]\n", "Pulumi.dev.yaml: expected a mapping with a `config:` mapping of settings"),
])
def test_the_stack_file_errors_name_where(tmp_path: Path, text: str, message: str):
    (tmp_path / "Pulumi.dev.yaml").write_text(text)
    with pytest.raises(runner.StackFileError) as raised:
        runner.stack_config("dev", tmp_path)
    assert str(raised.value).startswith(message) and "\n" not in str(raised.value)
