from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def pdf_font_installed(app_configs, **kwargs):
    """The channel's letters are PDF with an embedded Chinese font: without one, qualifying a
    case or sending a correction notice is refused (with this same advice)."""
    from .services.letters import font_path

    if font_path() is None:
        return [checks.Warning(
            "No Chinese font for the pre-examination letters (PDF).",
            hint="Install fonts-noto-cjk (Debian/Ubuntu) or google-noto-sans-cjk-fonts, or set ZHIBAO_PDF_FONT "
                 "to a .ttf/.otf/.ttc file (path#index for a collection).",
            id="zhibao.W101",
        )]
    return []
