"""The Chinese font for charts, found where zhibao.core.pdf finds the one it embeds in PDFs.

One discovery rule for the whole platform (ZHIBAO_PDF_FONT, then the Debian/CentOS/Kylin
paths of Noto Sans CJK and WQY), so a chart and the PDF around it use the same face and a
server without a CJK font fails loudly before any work, instead of drawing boxes (豆腐块).
"""

from functools import lru_cache
from pathlib import Path

from django.utils.translation import gettext as _

from zhibao.core.pdf import bold_font_path, font_path


class ReportError(RuntimeError):
    """The report cannot be made (a missing font, an unusable context); the message says why."""


class ReportFontMissing(ReportError):
    pass


def cjk_font() -> tuple[Path, int]:
    """The CJK font file and face index, or ReportFontMissing naming the package to install."""
    found = font_path()
    if found is None:
        raise ReportFontMissing(_(
            "No Chinese font for navigation reports on this server: install the Debian package "
            "fonts-noto-cjk (or google-noto-sans-cjk-fonts) or set ZHIBAO_PDF_FONT."))
    return found


@lru_cache(maxsize=4)
def _register(path: str, index: int) -> str:
    from matplotlib import font_manager, ft2font

    # addfont registers every face of a .ttc (matplotlib ≥ 3.10); the family name of the face
    # zhibao.core.pdf chose (index 2 of Noto CJK is "Noto Sans CJK SC") is what charts ask for.
    font_manager.fontManager.addfont(path)
    bold = bold_font_path(Path(path))  # the chart titles' bold face, when the bold file is installed
    if bold is not None:
        font_manager.fontManager.addfont(str(bold))
    return ft2font.FT2Font(path, face_index=index).family_name


def chart_font_family() -> str:
    """Register the CJK font with matplotlib once per process and return its family name."""
    path, index = cjk_font()
    return _register(str(path), index)


def chart_rc() -> dict:
    """rcParams for every chart: the CJK family first, DejaVu behind it for symbols it lacks."""
    family = chart_font_family()
    return {
        "font.family": "sans-serif",
        "font.sans-serif": [family, "DejaVu Sans"],
        # U+2212 (the typographic minus) renders from DejaVu fine, but a plain hyphen keeps
        # axis labels in one face.
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.titlesize": 10,
        "axes.labelsize": 9,
        "xtick.labelsize": 8,
        "ytick.labelsize": 8,
        "legend.fontsize": 8,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.edgecolor": "#888888",
        "axes.grid": False,
        "svg.fonttype": "none",
        "savefig.dpi": 150,
    }
