"""The playground's web app: FastAPI, server-rendered pages (Jinja2), htmx for the What-if runs.

Pages (every setting in the URL, so a link restores the page):

* ``/`` and ``/whatif``: pick a scenario, move sliders, see fan charts vs the baseline, the
  attribution by mechanism and a trough/peak table; ``/whatif/scenario.toml`` saves it;
* ``/monitor?asof=YYYY-MM-DD``: the indicators with their history charts, as known that day;
* ``/claims?verdict=&seed=``: the scoreboard and each claim's chart;
* ``/section/<id>``: every other report section registered with the report (forecast,
  backtest, positions ...), listed in the navigation automatically;
* ``/healthz``: ``ok``.

Pages render the report's section markup (``report/templates/_blocks.html.j2``) and figures
(:mod:`bubblemachine.report.figures`), in one language (``?lang=ko|en``; default from the
browser). Safe by default: see :func:`create_app` and ``docs/design/web.md``.
"""

from __future__ import annotations

import ipaddress
import secrets
import threading
from collections.abc import Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

from fastapi import Request  # the web extra; this module is imported only by `serve` and tests
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

from bubblemachine.web.jobs import JobQueue, QueueFull
from bubblemachine.web.whatif import WebError

HERE = Path(__file__).parent
TEMPLATES = HERE / "templates"
STATIC_FILES: dict[str, tuple[Path, str]] = {
    "bm.css": (Path(__file__).parents[1] / "report" / "static" / "bm.css", "text/css"),
    "bm-charts.js": (Path(__file__).parents[1] / "report" / "static" / "bm-charts.js", "text/javascript"),
    "plotly-cartesian.min.js": (Path(__file__).parents[1] / "report" / "static" / "plotly-cartesian.min.js", "text/javascript"),
    "plotly-locale-ko.js": (Path(__file__).parents[1] / "report" / "static" / "plotly-locale-ko.js", "text/javascript"),
    "htmx.min.js": (HERE / "static" / "htmx.min.js", "text/javascript"),
    "bm-web.js": (HERE / "static" / "bm-web.js", "text/javascript"),
}
#: Largest request body accepted (a What-if form is < 2 KB).
MAX_BODY = 16 * 1024
LANGS = ("ko", "en")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "connect-src 'self'; font-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and ``localhost``."""
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class Site:
    """What the app holds between requests: store, catalogs, caches, the run queue."""

    def __init__(self, *, store: Any = None, max_queue: int = 4, timeout: float = 60.0) -> None:
        from bubblemachine.composition import REPORT_SECTIONS
        from bubblemachine.report import registry
        from bubblemachine.report.i18n import Catalog

        if store is None:
            from bubblemachine.data import open_store

            store = open_store()
        self.store = store
        self.providers = list(REPORT_SECTIONS)
        self.catalog = Catalog.load([*registry.catalog_dirs(self.providers), HERE / "i18n"])
        from bubblemachine.scenarios.report import group_messages

        model = self.model()
        self.catalog.add(group_messages(model.attribution), source=f"model {model.name} [attribution]")
        self.jobs = JobQueue(max_queue=max_queue, timeout=timeout)
        self._cache: dict[tuple, Any] = {}
        self._lock = threading.Lock()

    def cached(self, key: tuple, make: Callable[[], Any]) -> Any:
        """``make()`` once per key (sections, claim runs), at most 32 entries."""
        with self._lock:
            if key in self._cache:
                return self._cache[key]
        value = make()
        with self._lock:
            if len(self._cache) >= 32:
                self._cache.pop(next(iter(self._cache)))
            self._cache[key] = value
        return value

    def model(self):
        from bubblemachine.scenarios import runner

        return runner.load("baseline")[1]

    @staticmethod
    def slug(spec: Any) -> str:
        """A provider's page name: its function name without ``_section`` (``backtest``)."""
        return spec.__name__.removesuffix("_section")

    @staticmethod
    def where(spec: Any) -> str:
        """The module a provider lives in (``bubblemachine.report.core``)."""
        return spec.__module__

    def core_specs(self) -> list[Any]:
        return [p for p in self.providers if self.where(p) == "bubblemachine.report.core"]

    def extra_specs(self) -> list[Any]:
        """Providers with no page of their own (forecast, backtest, positions ...)."""
        own = ("bubblemachine.report.core", "bubblemachine.claims.", "bubblemachine.scenarios.")
        return [p for p in self.providers if not self.where(p).startswith(own)]

    def sections(self, specs: list[Any], asof: Any) -> list[Any]:
        """The sections of ``specs`` at ``asof`` (each provider run once per as-of, cached)."""
        from bubblemachine.report.render import collect_sections
        from bubblemachine.report.sections import ReportContext

        out = []
        for spec in specs:
            key = ("section", f"{self.where(spec)}:{self.slug(spec)}", None if asof is None else f"{asof:%Y-%m-%d}")

            def make(spec: Any = spec) -> list[Any]:
                ctx = ReportContext(store=self.store, asof=asof, lang="en", catalog=self.catalog)
                return collect_sections(ctx, [spec])

            out += self.cached(key, make)
        return sorted(out, key=lambda s: s.order)

    def nav_sections(self) -> list[tuple[str, Any]]:
        """(page name, section) of the extra sections computed so far (never waits for one)."""
        out = []
        for spec in self.extra_specs():
            key = ("section", f"{self.where(spec)}:{self.slug(spec)}", None)
            with self._lock:
                secs = self._cache.get(key)
            out += [(self.slug(spec), s) for s in secs or ()]
        return out

    def warm(self) -> None:
        """Compile the model and run the default baseline in the background (first run fast)."""
        from bubblemachine.web import whatif

        def job(progress):
            w = whatif.WhatIf("baseline", seed=int(self.model().run_defaults.seed or 0))
            return whatif.run(w, progress=progress)

        self.jobs.submit("__warmup__", job)

        def extras() -> None:  # the slow sections (backtests, positions) for the navigation
            for spec in self.extra_specs():
                try:
                    self.sections([spec], None)
                except Exception:  # noqa: BLE001 - a broken provider must not stop the server
                    pass

        threading.Thread(target=extras, name="bubblemachine-sections", daemon=True).start()


def create_app(*, store: Any = None, max_queue: int = 4, timeout: float = 60.0, warm: bool = True,
               allowed_hosts: list[str] | None = None):
    """The FastAPI application.

    Args:
        store: the data store (default: the user's store).
        max_queue: runs allowed to wait (beyond: HTTP 503 with a message).
        timeout: seconds a run may take before it is dropped.
        warm: compile the model and run the baseline at start-up.
        allowed_hosts: Host headers accepted (default: loopback names only, which blocks DNS
            rebinding); ``["*"]`` when serving on another interface.
    """
    from fastapi import FastAPI
    from starlette.middleware.gzip import GZipMiddleware
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from bubblemachine import __version__
    from bubblemachine.errors import BubbleMachineError
    from bubblemachine.report.render import TemplateHelpers, template_env

    site = Site(store=store, max_queue=max_queue, timeout=timeout)

    @asynccontextmanager
    async def lifespan(_app):
        yield
        site.jobs.close()

    app = FastAPI(title="Bubble Machine playground", version=__version__, docs_url=None, redoc_url=None,
                  openapi_url=None, lifespan=lifespan)
    app.state.site = site
    app.add_middleware(GZipMiddleware, minimum_size=2048)
    app.add_middleware(TrustedHostMiddleware,
                       allowed_hosts=allowed_hosts or ["127.0.0.1", "localhost", "[::1]", "::1", "testserver"])
    env = template_env(TEMPLATES)
    helpers = {lang: TemplateHelpers(site.catalog, (lang,)) for lang in LANGS}

    @app.middleware("http")
    async def guard(request: Request, call_next):
        size = request.headers.get("content-length")
        if size is not None and (not size.isdigit() or int(size) > MAX_BODY):
            return PlainTextResponse(f"request body too large (at most {MAX_BODY} bytes)", status_code=413)
        fresh = "bm_client" not in request.cookies
        request.state.client_id = request.cookies.get("bm_client") or secrets.token_hex(12)
        response = await call_next(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        if fresh:
            response.set_cookie("bm_client", request.state.client_id, httponly=True, samesite="strict")
        return response

    def lang_of(request: Request) -> str:
        q = request.query_params.get("lang")
        if q in LANGS:
            return q
        return "ko" if request.headers.get("accept-language", "").lower().startswith("ko") else "en"

    def page(request: Request, template: str, *, status: int = 200, **ctx: Any) -> HTMLResponse:
        lang = ctx.pop("lang", None) or lang_of(request)
        h = helpers[lang]
        t = env.get_template(template)
        params = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
        extra = site.nav_sections() if ctx.pop("nav_sections", True) else []
        html = t.render(**h.globals(), lang=lang, langs=LANGS, version=__version__, path=request.url.path,
                        lang_url={lg: f"{request.url.path}?{urlencode([*params, ('lang', lg)])}" for lg in LANGS},
                        extra_sections=extra, **ctx)
        return HTMLResponse(html, status_code=status)

    def figures_json(blocks: list[Any], lang: str) -> str:
        import json

        from bubblemachine.report.figures import figure_payload
        from bubblemachine.report.sections import Chart

        figs = {b.id: figure_payload(b, site.catalog, (lang,)) for b in blocks if isinstance(b, Chart)}
        text = json.dumps(figs, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")

    def error_page(request: Request, exc: Exception, status: int = 400) -> HTMLResponse:
        return page(request, "error.html.j2", status=status, message=str(exc), nav_sections=False)

    def client_of(request: Request) -> str:
        return getattr(request.state, "client_id", None) or request.cookies.get("bm_client") or "?"

    # ------------------------------------------------------------------ basics
    @app.get("/healthz", response_class=PlainTextResponse)
    def healthz() -> str:
        return "ok"

    @app.get("/static/{name}")
    def static(name: str) -> Response:
        entry = STATIC_FILES.get(name)
        if entry is None:
            return PlainTextResponse("not found", status_code=404)
        path, media = entry
        return Response(path.read_bytes(), media_type=media, headers={"Cache-Control": "public, max-age=3600"})

    # ------------------------------------------------------------------ what if
    def whatif_page(request: Request) -> HTMLResponse:
        from bubblemachine.web import whatif

        model = site.model()
        params = dict(request.query_params)
        try:
            w = whatif.parse_request(params, model)
        except BubbleMachineError as exc:
            return error_page(request, exc)
        values = dict(w.overrides)
        lang = lang_of(request)
        sliders = [(s, values.get(s.name, s.default)) for s in whatif.sliders(model)]
        return page(request, "whatif.html.j2", w=w, sliders=sliders, scenarios=whatif.scenarios(),
                    query=w.query(), autorun=True, lang=lang, body_class="wide",
                    paths_choices=(100, 250, 500, 1000, 2000), horizon_choices=(63, 126, 252, 504))

    @app.get("/", response_class=HTMLResponse)
    def home(request: Request) -> HTMLResponse:
        return whatif_page(request)

    @app.get("/whatif", response_class=HTMLResponse)
    def whatif_get(request: Request) -> HTMLResponse:
        return whatif_page(request)

    @app.post("/whatif/run", response_class=HTMLResponse)
    async def whatif_run(request: Request) -> HTMLResponse:
        from bubblemachine.web import whatif

        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("request body too large", status_code=413)
        try:
            fields = dict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=64))
        except (UnicodeDecodeError, ValueError) as exc:
            return PlainTextResponse(f"malformed form: {exc}", status_code=400)
        lang = fields.pop("lang", None) if fields.get("lang") in LANGS else lang_of(request)
        try:
            w = whatif.parse_request(fields, site.model())
            job = site.jobs.submit(client_of(request), lambda progress: whatif.run(w, progress=progress))
            job.meta = w
        except QueueFull as exc:
            return page(request, "_job.html.j2", status=503, job=None, message=str(exc), lang=lang, nav_sections=False)
        except BubbleMachineError as exc:
            return page(request, "_job.html.j2", status=400, job=None, message=str(exc), lang=lang, nav_sections=False)
        resp = page(request, "_job.html.j2", job=job, w=w, lang=lang, message="", nav_sections=False)
        resp.headers["HX-Push-Url"] = f"/?{w.query(lang)}"
        return resp

    @app.get("/whatif/job/{job_id}", response_class=HTMLResponse)
    def whatif_job(request: Request, job_id: str) -> HTMLResponse:
        from bubblemachine.web import whatif

        job = site.jobs.get(job_id)
        lang = lang_of(request)
        if job is None or job.client not in (client_of(request), "__warmup__"):
            return page(request, "_job.html.j2", status=404, job=None, message="no such run", lang=lang, nav_sections=False)
        if job.status == "done":
            w = job.meta
            blocks = whatif.blocks(job.result)
            return page(request, "_result.html.j2", blocks=blocks, figures=figures_json(blocks, lang), job=job, w=w,
                        lang=lang, nav_sections=False)  # fmt: skip
        return page(request, "_job.html.j2", job=job, w=None, lang=lang, message=job.error, nav_sections=False)

    @app.get("/whatif/scenario.toml")
    def whatif_toml(request: Request) -> Response:
        from datetime import UTC, datetime

        from bubblemachine.web import whatif

        try:
            w = whatif.parse_request(dict(request.query_params), site.model())
        except BubbleMachineError as exc:
            return PlainTextResponse(str(exc), status_code=400)
        text = whatif.scenario_toml(w, stamp=f"{datetime.now(UTC):%Y-%m-%d}")
        name = f"{w.scenario}_whatif.toml"
        return Response(text, media_type="application/toml",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # ------------------------------------------------------------------ monitor, claims, sections
    def asof_of(request: Request):
        from bubblemachine.indicators import parse_asof

        raw = request.query_params.get("asof") or None
        return parse_asof(raw[:10] if raw else None)

    @app.get("/monitor", response_class=HTMLResponse)
    def monitor(request: Request) -> HTMLResponse:
        try:
            asof = asof_of(request)
        except BubbleMachineError as exc:
            return error_page(request, exc)
        secs = site.sections(site.core_specs(), asof)
        blocks = [b for s in secs for b in s.blocks]
        return page(request, "sections.html.j2", sections=secs, figures=figures_json(blocks, lang_of(request)),
                    asof=None if asof is None else f"{asof:%Y-%m-%d}", title_key="web.nav.monitor", picker=True)

    @app.get("/claims", response_class=HTMLResponse)
    def claims(request: Request) -> HTMLResponse:
        from bubblemachine.web.claims import claims_page

        try:
            asof = asof_of(request)
            ctx = claims_page(site, asof=asof, verdict=request.query_params.get("verdict") or None,
                              seed=request.query_params.get("seed") or None)
        except BubbleMachineError as exc:
            return error_page(request, exc)
        blocks = [b for s in ctx["sections"] for b in s.blocks]
        return page(request, "claims.html.j2", figures=figures_json(blocks, lang_of(request)), **ctx)

    @app.get("/section/{name}", response_class=HTMLResponse)
    def section(request: Request, name: str) -> HTMLResponse:
        specs = [p for p in site.extra_specs() if site.slug(p) == name]
        if not specs:
            return error_page(request, WebError(f"no section {name[:40]!r}"), status=404)
        try:
            asof = asof_of(request)
            secs = site.sections(specs, asof)
        except BubbleMachineError as exc:
            return error_page(request, exc)
        if not secs:
            return error_page(request, WebError(f"section {name[:40]!r} has nothing to show at this date"), status=404)
        blocks = [b for s in secs for b in s.blocks]
        return page(request, "sections.html.j2", sections=secs, figures=figures_json(blocks, lang_of(request)),
                    asof=None if asof is None else f"{asof:%Y-%m-%d}", title_key=secs[0].title_key, picker=True)

    if warm:
        site.warm()
    return app
