"""collectstatic without the npm packages' development builds.

The vendor directories (zhibao/settings.py STATICFILES_DIRS) hold every build a package ships:
ECharts alone is 51 MB of ESM, CommonJS and source-map files that no page loads, and compressing
them (gzip + brotli, whitenoise) made `make run` spend minutes in collectstatic. Pages load the
minified builds only; the unused builds and ECharts' maps are skipped.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig


class ZhibaoStaticFilesConfig(StaticFilesConfig):
    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        "echarts*.map",  # Bootstrap's CSS names its map (the manifest storage checks it): those stay
        "*.esm.*",
        "*.mjs",
        "echarts.js",
        "echarts.common.*",
        "echarts.simple.*",
        "extension",
        "bootstrap.js", "bootstrap.bundle.js", "bootstrap.esm.js",
        "bootstrap-grid*", "bootstrap-reboot*", "bootstrap-utilities*",
        "*.rtl.*",
    ]
