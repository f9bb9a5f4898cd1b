"""The HTML report (Korean/English): pluggable sections, translation catalogs, rendering.

Entry point: :func:`bubblemachine.report.render.build_report`. Extension API (sections,
providers, catalogs): :mod:`bubblemachine.report.sections`, :mod:`bubblemachine.report.registry`
and ``docs/design/report.md``.
"""
