from zhibao.core.text import sanitize_html


def test_scripts_handlers_and_javascript_urls_are_removed():
    dirty = ('<p onclick="steal()">专利<script>alert(1)</script><a href="javascript:alert(1)">x</a>'
             '<img src=x onerror=alert(1)><a href="https://cnipa.gov.cn">国知局</a></p>')
    clean = sanitize_html(dirty)
    assert "script" not in clean and "onclick" not in clean and "onerror" not in clean and "javascript" not in clean
    assert '<a href="https://cnipa.gov.cn" rel="noopener noreferrer nofollow">国知局</a>' in clean
    assert clean.startswith("<p>专利")


def test_length_is_capped():
    assert len(sanitize_html("a" * 100, max_length=10)) == 10
