"""The input contract's parts: quoting values, escaping output, bounded YAML, the CLI's last line of defence."""

from __future__ import annotations

import io

import pytest

from eksplan.cli import main as cli
from eksplan.echo import EscapingStream, printable, shown
from eksplan.errors import EksplanError
from eksplan.inputs import InputError, load_json, load_yaml, load_yaml_all, referenced_file
from eksplan.report.fleet import _tasks
from eksplan.report.paths import RESERVED_NAMES, output_folder
from eksplan.spec import load_cluster

from .conftest import ROOT


@pytest.mark.parametrize("value, text", [
    ("m5.lrage", "'m5.lrage'"),
    ("x" * 1000, "'" + "x" * 27 + "..." + "x" * 28 + "' (1,000 characters)"),
    ("\x1b[31mred", "'\\x1b[31mred'"),
    (list(range(100)), "[0, 1, 2, 3, ...] (100 items)"),
    ({"a": 1}, "{'a': 1}"),
    (True, "true"),
    (None, "null"),
    (10**50, "10000000000000000000... (51 digits)"),
    (b"\0" * 200, "b'\\x00\\x00\\x00\\x00\\x00\\x00\\x...\\x00\\x00\\x00\\x00\\x00\\x00\\x00' (200 bytes)"),
])
def test_shown_quotes_short_and_shortens_long(value, text):
    """Short values are their repr; long ones keep their start and end and say their length."""
    assert shown(value) == text


def test_shown_is_cheap_on_a_billion_laughs():
    """A list that aliases would expand nine levels deep is quoted from a few of its items."""
    value = ["lol"] * 9
    for _ in range(8):
        value = [value] * 9
    assert len(shown(value)) < 200


def test_printable_escapes_what_steers_a_terminal():
    """Escape sequences, line breaks, NUL and bidirectional overrides show as escapes."""
    assert printable("a\x1b[2Jb\nc\0d\u202ee") == "a\\x1b[2Jb\\nc\\x00d\\u202ee"
    assert printable("plain café") == "plain café"


def test_escaping_stream_keeps_newlines_and_escapes_controls():
    """The CLI's output stream passes lines through and escapes the control characters inside them."""
    target = io.StringIO()
    stream = EscapingStream(target)
    stream.write("table\n\x1b]0;title\x07 \u2028x\ty\n")
    assert target.getvalue() == "table\n\\x1b]0;title\\x07 \\u2028x\ty\n"


def test_merge_keys_follow_the_yaml_merge_type():
    """Own keys override merged ones; earlier mappings in a merged list override later ones."""
    document = load_yaml("a: &a {x: 1, y: 1}\nb: &b {x: 2, z: 2}\nc:\n  <<: [*a, *b]\n  y: 3\n", "m.yaml")
    assert document["c"] == {"x": 1, "y": 3, "z": 2}


def test_yaml_dates_are_text_and_documents_are_counted_together():
    """No implicit dates; the value limit covers every document of a file together."""
    assert load_yaml("d: 2024-01-05\n", "d.yaml") == {"d": "2024-01-05"}
    assert load_yaml_all("a: 1\n---\nb: 2\n", "d.yaml") == [{"a": 1}, {"b": 2}]
    many = "---\n".join("[" + ", ".join(["1"] * 900) + "]\n" for _ in range(120))
    with pytest.raises(InputError, match=r"^d.yaml: line 221, column 2669: more than 100,000 values"):
        load_yaml_all(many, "d.yaml")


def test_json_refuses_what_python_would_accept():
    """NaN, Infinity, duplicate keys and whole numbers past 64 bits are errors; the rest is json."""
    assert load_json('{"a": [1, 2.5, "x", null, true]}', "c.json") == {"a": [1, 2.5, "x", None, True]}
    for text, message in [('{"a": NaN}', "NaN is not a number"), ('{"a": 1, "a": 2}', "duplicate key 'a'"),
                          ('[18446744073709551616]', "'18446744073709551616' is out of range")]:
        with pytest.raises(InputError, match=rf"^c.json: {message}"):
            load_json(text, "c.json")


def test_referenced_files_stay_in_the_spec_folder(tmp_path):
    """A reference resolves inside the spec's folder (subfolders too), never outside it."""
    (tmp_path / "aws").mkdir()
    spec = tmp_path / "spec.yaml"
    assert referenced_file(spec, "aws/subnets.json") == tmp_path / "aws" / "subnets.json"
    for reference, message in [("/etc/passwd", "is an absolute path"), ("../x.json", "leads outside the spec's folder"),
                               ("aws/../../x.json", "leads outside the spec's folder")]:
        with pytest.raises(InputError, match=message):
            referenced_file(spec, reference)


def test_describe_subnets_still_reads_the_examples_capture():
    """The example's capture in a subfolder of its spec's folder is read as before."""
    spec = load_cluster(ROOT / "examples" / "payments-prod.yaml")
    assert any(s.available_ips is not None for s in spec.subnets)


# -- the CLI ----------------------------------------------------------------------------------------------------
def _explode(args):
    raise ZeroDivisionError("division by zero")


@pytest.fixture
def broken_command(monkeypatch):
    """``eksplan validate`` made to fail as a bug in eksplan would."""
    from eksplan.cli import validate_cmd

    monkeypatch.setattr(validate_cmd, "run", _explode)


def test_internal_error_is_one_line_and_exit_70(broken_command, capsys):
    """An unexpected exception: one line naming it, how to see the traceback, exit status 70."""
    assert cli.main(["validate", "x.yaml"]) == 70
    out, err = capsys.readouterr()
    assert (out, err) == ("", "eksplan: internal error: ZeroDivisionError: division by zero "
                              "(run with --debug for the traceback)\n")


@pytest.mark.parametrize("argv", [["--debug", "validate", "x.yaml"], ["validate", "x.yaml", "--debug"]])
def test_debug_shows_the_traceback(broken_command, capsys, argv):
    """--debug, before or after the command, prints the traceback and still exits 70."""
    assert cli.main(argv) == 70
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):\n")
    assert err.endswith("eksplan: internal error: ZeroDivisionError: division by zero\n")


def test_errors_print_one_line_each(tmp_path, monkeypatch, capsys):
    """A spec error with several issues prints each on its own line, with the command's prefix."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "spec.yaml").write_text("name: c\nregion: nowhere\n")
    assert cli.main(["plan", "spec.yaml"]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) > 1 and all(line.startswith("eksplan plan: error: spec.yaml: ") for line in lines)


# -- report outputs -------------------------------------------------------------------------------------------
def test_output_folder_is_made_and_checked(tmp_path):
    """-o: made when missing; a file, a folder under a file and an empty name are errors naming -o."""
    assert output_folder(str(tmp_path / "new" / "reports")).is_dir()
    (tmp_path / "file").write_text("")
    for text, message in [(str(tmp_path / "file"), "is a file, not a folder"),
                          (str(tmp_path / "file" / "sub"), "is a file, not a folder"), ("", "empty")]:
        with pytest.raises(EksplanError, match=rf"^-o '.*': .*{message}"):
            output_folder(text)


@pytest.mark.parametrize("name", ["Index", "INDEX", "index", "con", "Com1", "lpt9"])
def test_reports_never_take_a_reserved_name(tmp_path, name):
    """A cluster named Index (or a device name Windows reserves) gets another file name, case-insensitively."""
    from eksplan.spec import load_fleet

    spec = (ROOT / "examples" / "dev-sandbox.yaml").read_text().replace("name: dev-sandbox", f"name: {name}")
    (tmp_path / "spec.yaml").write_text(spec)
    (task,) = _tasks(load_fleet([tmp_path / "spec.yaml"]).clusters, tmp_path / "work")
    assert task.slug.lower() not in RESERVED_NAMES and task.slug == f"{name.lower()}-2"


def test_progress_lines_escape_cluster_names(capsys):
    """report's progress lines show a name's escape sequences and line breaks escaped."""
    from eksplan.cli.report_cmd import progress

    progress("[#] 1/1 \x1b[31mred\nline: ok (0.1 s)")
    assert capsys.readouterr().err == "[#] 1/1 \\x1b[31mred\\nline: ok (0.1 s)\n"
