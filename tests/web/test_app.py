"""The playground's server without a browser: validation, safety, the queue, saved scenarios."""

from __future__ import annotations

import re
import threading
import time
import tomllib

import numpy as np
import pytest

from bubblemachine.web import whatif
from bubblemachine.web.jobs import JobQueue, QueueFull

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def model():
    from bubblemachine.scenarios import runner

    return runner.load("baseline")[1]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    from fastapi.testclient import TestClient

    from bubblemachine.data.store import Store
    from bubblemachine.web.app import create_app

    app = create_app(store=Store(tmp_path_factory.mktemp("web-app")), warm=False)
    with TestClient(app) as c:
        yield c


def test_healthz_and_home(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.text == "ok"
    r = client.get("/?lang=en")
    assert r.status_code == 200 and 'id="whatif-form"' in r.text and "Content-Security-Policy" in r.headers
    assert len(re.findall(r'type="range"', r.text)) == len(whatif.SLIDERS)
    assert "bm_client" in client.cookies  # one id per browser: one run at a time each


def test_sliders_have_units_ranges_and_defaults_inside(model):
    sl = whatif.sliders(model)
    assert 15 <= len(sl) <= 20
    for s in sl:
        assert s.unit and s.low < s.high and s.low <= s.default <= s.high and s.step > 0, s
        assert s.name in model.parameters or s.name in model.exogenous


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"scenario": "../../etc/passwd"}, "scenario"),
        ({"scenario": "shutdown", "p.tga_targte": "900"}, "did you mean tga_target"),
        ({"p.tga_target": "5000"}, "outside its range 0..3000"),
        ({"p.tga_target": "nan"}, "outside its range"),
        ({"p.tga_target": "__import__('os')"}, "expected a number"),
        ({"paths": "1000000"}, "paths"),
        ({"horizon": "2.5"}, "horizon"),
    ],
)
def test_requests_are_validated(model, params, match):
    with pytest.raises(whatif.WebError, match=match):
        whatif.parse_request(params, model)


def test_a_request_round_trips_through_its_url(model):
    w = whatif.parse_request({"scenario": "shutdown", "paths": "250", "p.tga_target": "900", "p.vt_target": "0.1"}, model)
    assert w.overrides == (("tga_target", 900.0),)  # the default (0.10) is dropped
    from urllib.parse import parse_qsl

    assert whatif.parse_request(dict(parse_qsl(w.query())), model) == w


def test_bad_requests_get_a_page_not_a_traceback(client):
    r = client.get("/?p.tga_target=5000")
    assert r.status_code == 400 and "0..3000" in r.text
    r = client.post("/whatif/run", content="scenario=nope", headers=FORM)
    assert r.status_code == 400 and "scenario" in r.text
    r = client.get("/monitor?asof=yesterday")
    assert r.status_code == 400 and "not a date" in r.text
    r = client.get("/claims?verdict=maybe")
    assert r.status_code == 400 and "verdict" in r.text
    assert client.get("/static/../../etc/passwd").status_code == 404
    assert client.get("/section/nothing-here").status_code == 404


def test_oversized_bodies_and_foreign_hosts_are_refused(client):
    r = client.post("/whatif/run", content="x=" + "a" * 20_000, headers=FORM)
    assert r.status_code == 413
    r = client.get("/healthz", headers={"host": "evil.example"})
    assert r.status_code == 400  # DNS rebinding: only loopback names are served


def test_a_run_goes_through_the_queue_and_draws(client):
    r = client.post("/whatif/run", content="scenario=shutdown&paths=60&horizon=63&p.tga_target=900&lang=en", headers=FORM)
    assert r.status_code == 200 and r.headers["hx-push-url"].startswith("/?scenario=shutdown")
    found = re.search(r"/whatif/job/([0-9a-f-]+)", r.text)
    assert found, r.text[:500]
    job = found.group(1)
    for _ in range(600):
        r = client.get(f"/whatif/job/{job}?lang=en")
        if "whatif-result" in r.text or "alert" in r.text:
            break
        assert "<progress" in r.text
        time.sleep(0.1)
    assert "whatif-result" in r.text, r.text[:500]
    for s in whatif.FAN_SERIES:
        assert f'id="plot-play-fan-{s}"' in r.text
    assert 'id="table-play-extremes"' in r.text and "tga_target = 900" in r.text
    # another client cannot read it
    from fastapi.testclient import TestClient

    other = TestClient(client.app)
    assert other.get(f"/whatif/job/{job}").status_code == 404


def test_the_saved_toml_reproduces_the_run(model, tmp_path):
    w = whatif.parse_request({"scenario": "shutdown", "paths": "60", "horizon": "63", "p.tga_target": "900"}, model)
    out = whatif.run(w)
    text = whatif.scenario_toml(w, stamp="2026-01-01")
    doc = tomllib.loads(text)
    assert doc["scenario"]["model"] == "ai_liquidity" and doc["shock"][-1]["set"] == {"tga_target": 900.0}
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    from bubblemachine.scenarios import runner

    rerun = runner.run(str(path), paths=60, horizon=63, seed=w.seed, save=["net_liquidity"])
    mean = (rerun.arrays["net_liquidity"] - rerun.arrays["net_liquidity"][:, :1]).mean(axis=0)
    np.testing.assert_allclose(mean, out["run"]["mean_path"]["net_liquidity"], rtol=1e-4, atol=1e-3)
    # the higher TGA target drains liquidity relative to the plain shutdown
    plain = whatif.run(whatif.parse_request({"scenario": "shutdown", "paths": "60", "horizon": "63"}, model))
    assert out["run"]["mean_path"]["net_liquidity"][-1] < plain["run"]["mean_path"]["net_liquidity"][-1] - 10
    # the trough/peak table dates business days from the model's start date (not from 1970)
    assert out["start"] == runner.load("shutdown")[1].calendar["start"] == "2025-11-14"
    table = whatif.blocks(out)[0]
    dates = [r[3] for r in table.rows] + [r[5] for r in table.rows]
    assert all("2025-11-14" <= d <= "2026-03-31" for d in dates), dates


def test_every_key_the_web_templates_use_exists_in_both_languages(client, model):
    from pathlib import Path

    from bubblemachine.report.i18n import LANGS

    cat = client.app.state.site.catalog
    src = "".join(p.read_text(encoding="utf-8") for p in (Path(whatif.__file__).parent / "templates").glob("*.j2"))
    keys = set(re.findall(r"""\bt\(\s*["']([^"']+)["']\s*\)""", src))
    keys |= {f"web.param.{s.name}.{k}" for s in whatif.SLIDERS for k in ("label", "help")}
    keys |= {f"web.horizon.{h}" for h in (63, 126, 252, 504)} | {f"web.job.{s}" for s in ("queued", "running", "cancelled", "timeout")}
    keys |= {f"whatif.scen.{n}" for n in whatif.scenarios()} | {"whatif.scen.custom"}
    assert len(keys) > 60
    assert cat.missing(keys) == {lang: [] for lang in LANGS}


def test_queue_one_run_per_client_a_bounded_queue_and_a_time_cap():
    q = JobQueue(max_queue=2, timeout=0.5)
    gate = threading.Event()
    try:
        first = q.submit("a", lambda p: gate.wait(5) and "first")
        time.sleep(0.1)
        waiting = q.submit("b", lambda p: "b1")
        again = q.submit("b", lambda p: "b2")  # replaces b's waiting run
        assert waiting.status == "cancelled"
        q.submit("c", lambda p: "c")
        with pytest.raises(QueueFull):
            q.submit("d", lambda p: "d")
        gate.set()
        for _ in range(100):
            if again.done:
                break
            time.sleep(0.05)
        assert first.status == "done" and first.result == "first" and again.result == "b2"

        def slow(progress):
            for _ in range(100):
                time.sleep(0.05)
                progress(0.5, "scenario")
            return "never"

        s = q.submit("e", slow)
        for _ in range(100):
            if s.done:
                break
            time.sleep(0.05)
        assert s.status == "timeout" and s.result is None
        err = q.submit("f", lambda p: 1 / 0)
        for _ in range(100):
            if err.done:
                break
            time.sleep(0.05)
        assert err.status == "error" and "ZeroDivisionError" in err.error
    finally:
        gate.set()
        q.close()


def test_serve_refuses_without_the_extra_and_warns_off_loopback(monkeypatch):
    from bubblemachine.web.app import is_loopback

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_an_untouched_slider_sends_its_default(model):
    for s in whatif.sliders(model):
        k = round((s.default - s.input_min) / s.step)
        assert s.input_min + k * s.step == pytest.approx(s.default, rel=1e-12, abs=1e-12), s
        assert s.low - 1e-12 <= s.input_min <= s.default <= s.input_max <= s.high + 1e-12, s


def test_monitor_page_draws_the_core_sections(client):
    """The monitor runs the report's core providers (found by the module they live in)."""
    r = client.get("/monitor?lang=en")
    assert r.status_code == 200
    assert r.text.count('class="plot') >= 3, "no chart: the core providers were not found"
    assert "Net liquidity" in r.text
