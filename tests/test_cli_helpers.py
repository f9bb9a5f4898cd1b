"""The contract's building blocks: --set parsing, CSV cells, file-system errors, dates, tidy help."""

from __future__ import annotations

import math
import os

import pytest

from bubblemachine._io import (
    atomic_write_text,
    check_output_dir,
    check_output_file,
    describe,
    ensure_dir,
)
from bubblemachine.cli._common import check_date, csv_value, fmt_number, short_units, split_list
from bubblemachine.cli.sfc import parse_set
from bubblemachine.errors import BubbleMachineError, PathError, ScenarioError


@pytest.mark.parametrize(
    "items, expected",
    [
        (["Gd=25"], {"Gd": 25.0}),
        (["Gd=[1, 2,3]"], {"Gd": (1.0, 2.0, 3.0)}),
        ([" theta = 0.2 ", "Gd=-1e3"], {"theta": 0.2, "Gd": -1000.0}),
        (None, {}),
    ],
)
def test_parse_set_reads_numbers_and_lists(items, expected):
    assert parse_set(items) == expected


@pytest.mark.parametrize(
    "item, needle",
    [
        ("Gd=[1,2", "unclosed list"),
        ("Gd=1,2]", "unclosed list"),
        ("Gd=[1,,2]", "empty item"),
        ("Gd=[]", "the list is empty"),
        ("Gd=", "'' is not a number"),
        ("Gd", "expected name=value"),
        ("=3", "expected name=value"),
        ("Gd=nan", "not a finite number"),
        ("Gd=-inf", "not a finite number"),
        ("Gd=1e400", "not a finite number"),
        ("Gd=[1,x]", "'x' is not a number"),
    ],
)
def test_parse_set_names_the_option_and_the_problem(item, needle):
    with pytest.raises(ScenarioError) as exc:
        parse_set([item])
    assert f"--set {item!r}" in str(exc.value) and needle in str(exc.value)


def test_parse_set_refuses_a_name_given_twice():
    with pytest.raises(ScenarioError, match="--set Gd: given twice"):
        parse_set(["Gd=1", "Gd=2"])


def test_split_list_refuses_a_list_without_items():
    assert split_list(["a, b", "b,c"], option="--series") == ["a", "b", "c"]
    for bad in (",,,", "", " , "):
        with pytest.raises(BubbleMachineError, match=f"--save {bad!r}: no name given"):
            split_list(bad, option="--save")


@pytest.mark.parametrize(
    "value, text",
    [(4.14, "4.14"), (0.1 + 0.2, "0.30000000000000004"), (1e-300, "1e-300"), (float("nan"), ""),
     (None, ""), (3, "3"), (True, "true"), ("x", "x")],
)
def test_csv_cells_are_shortest_round_trip(value, text):
    assert csv_value(value) == text
    if isinstance(value, float) and not math.isnan(value):
        assert float(text) == value  # reads back exactly


def test_numpy_scalars_in_csv_cells():
    np = pytest.importorskip("numpy")
    assert csv_value(np.float64(4.14)) == "4.14" and csv_value(np.int64(7)) == "7"
    assert csv_value(np.float32(0.5)) == "0.5"


@pytest.mark.parametrize(
    "value, text",
    [(0.0, "0"), (6734.11, "6,734.1"), (116620.3, "116,620"), (3.62, "3.620"), (0.3266, "0.3266"),
     (1e-5, "1.000e-05"), (2.5e9, "2.500e+09"), (float("nan"), "nan"), (-12.3456, "-12.346")],
)
def test_numbers_for_narrow_columns(value, text):
    assert fmt_number(value) == text
    assert len(fmt_number(value)) <= 10


def test_short_units():
    assert short_units("USD billions") == "USD bn"
    assert short_units("index (2025-11-14 = 100)") == "index*"
    assert short_units("percent") == "%"
    assert short_units("bananas") == "bananas"


@pytest.mark.parametrize("bad", ["2025-02-30", "2025-1-5", "yesterday", " ", "20250105", "2025-13-01"])
def test_dates_must_be_real_days_in_iso_form(bad):
    with pytest.raises(BubbleMachineError, match=f"--asof: {bad!r} is not a date"):
        check_date(bad, option="--asof")


def test_dates_pass_through():
    assert check_date(" 2024-02-29 ") == "2024-02-29" and check_date(None) is None


def test_output_file_checks_name_the_path_and_the_cause(tmp_path):
    (tmp_path / "afile").write_text("x")
    (tmp_path / "x.csv").mkdir()
    with pytest.raises(PathError, match=r"afile is a file, not a folder"):
        check_output_file(tmp_path / "afile" / "sub" / "r.csv", option="--out")
    with pytest.raises(PathError, match=r"x\.csv: is a folder, not a file"):
        check_output_file(tmp_path / "x.csv", option="--out")
    with pytest.raises(PathError, match=r"--out '': empty file name"):
        check_output_file("", option="--out")
    with pytest.raises(PathError, match=r"must end in \.csv or \.parquet"):
        check_output_file(tmp_path / "r.txt", option="--out", suffixes=(".csv", ".parquet"))
    assert check_output_file(tmp_path / "new" / "deeper" / "r.csv") == tmp_path / "new" / "deeper" / "r.csv"
    with pytest.raises(PathError, match=r"afile: is a file, not a folder"):
        check_output_dir(tmp_path / "afile", option="--out")


def test_writes_under_a_file_are_path_errors(tmp_path):
    (tmp_path / "afile").write_text("x")
    with pytest.raises(PathError, match=r"afile is a file, not a folder"):
        atomic_write_text(tmp_path / "afile" / "r.txt", "hi")
    with pytest.raises(PathError, match="is a folder, not a file"):
        atomic_write_text(tmp_path, "hi")
    with pytest.raises(PathError, match="is a file, not a folder"):
        ensure_dir(tmp_path / "afile")


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permission bits (the corpus covers it with chattr)")
def test_read_only_folder_is_a_path_error(tmp_path):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o555)
    try:
        with pytest.raises(PathError, match="permission denied"):
            check_output_file(ro / "x.csv", option="--out")
        with pytest.raises(PathError, match="permission denied"):
            atomic_write_text(ro / "x.csv", "a")
    finally:
        ro.chmod(0o755)


def test_describe_words_for_common_errors(tmp_path):
    import errno

    assert describe(OSError(errno.EROFS, "x"), tmp_path / "f").endswith("read-only file system")
    assert describe(OSError(errno.ENOSPC, "x"), tmp_path / "f").endswith("no space left on the device")
    assert describe(OSError(errno.EACCES, "x", str(tmp_path / "f"))).endswith("f: permission denied")


def test_home_that_is_a_file_is_a_path_error(tmp_path, monkeypatch):
    from bubblemachine import paths

    (tmp_path / "afile").write_text("x")
    monkeypatch.setenv(paths.ENV_HOME, str(tmp_path / "afile"))
    with pytest.raises(PathError, match="BUBBLEMACHINE_HOME .*afile: is a file, not a folder"):
        paths.home()
    paths.set_home(tmp_path / "afile" / "deeper")
    try:
        with pytest.raises(PathError, match="--home .*lies under .*afile, which is a file"):
            paths.home()
    finally:
        paths.set_home(None)


def test_tidy_help_sets_clean_metavars():
    import typer.main

    from bubblemachine.cli import app

    root = typer.main.get_command(app)
    sim = root.commands["simulate"]
    params = {p.name: p for p in sim.get_params(__import__("typer").Context(sim))}
    assert params["model"].metavar == "MODEL"
    assert params["fmt"].metavar == "[table|json|csv]"
    assert params["solver"].metavar == "[newton|gauss-seidel]"
    assert params["periods"].metavar == "INTEGER" and params["out"].metavar == "TEXT"
    assert params["help"].metavar == ""


def test_serve_on_a_port_in_use_is_one_line(capsys, monkeypatch):
    import socket
    import sys

    pytest.importorskip("fastapi")
    pytest.importorskip("uvicorn")
    from bubblemachine.cli import main

    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        monkeypatch.setattr(sys, "argv", ["bubblemachine", "serve", "--port", str(port)])
        with pytest.raises(SystemExit) as exc:
            main()
    err = capsys.readouterr().err
    assert exc.value.code == 2
    assert err.strip().splitlines() == [f"error: --host 127.0.0.1 --port {port}: cannot listen there (address already in use); "
                                        "pick another --port, or --host 127.0.0.1"]
