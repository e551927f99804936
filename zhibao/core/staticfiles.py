"""collectstatic without the npm packages' development builds.

The vendor directories (zhibao/settings.py STATICFILES_DIRS) hold every build a package ships:
ECharts alone is 51 MB of ESM, CommonJS and source-map files that no page loads, and compressing
them (gzip + brotli, whitenoise) made `make run` spend minutes in collectstatic. Pages load the
minified builds only; the unused builds and ECharts' maps are skipped.
"""

from django.contrib.staticfiles.finders import FileSystemFinder

SKIPPED = [
    "echarts*.map",  # Bootstrap's CSS names its map (the manifest storage checks it): those stay
    "*.esm.*",
    "*.mjs",
    "echarts.js",
    "echarts.common.*",
    "echarts.simple.*",
    "extension",
    "bootstrap-grid*", "bootstrap-reboot*", "bootstrap-utilities*",
    "*.rtl.*",
]


class LeanFileSystemFinder(FileSystemFinder):
    """STATICFILES_DIRS without the builds in SKIPPED (collectstatic lists files through here)."""

    def list(self, ignore_patterns):
        return super().list([*(ignore_patterns or []), *SKIPPED])
