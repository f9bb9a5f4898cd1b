"""The playground: a local web app (``bubblemachine serve``) over the model, the monitor and the claims.

FastAPI with server-rendered pages (Jinja2, the report's section markup) and htmx (vendored);
see ``docs/design/web.md``. Needs the ``web`` extra (``pip install 'bubblemachine[web]'``).
"""
