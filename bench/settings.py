"""Settings for the benchmark's server: the site's own, with bench/urls.py's two limits added."""

from __future__ import annotations

from portal.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
