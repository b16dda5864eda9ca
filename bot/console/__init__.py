"""The staff console at /admin: static pages (plain ES modules, hand-drawn SVG charts, no build
step, no CDN) that call the public admin API under /api/v1 like any script would."""
