"""The query language parser: every field, the boolean grammar, dates, and error positions."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhibao.patents.search.query import (
    And,
    DateRange,
    MatchAll,
    Not,
    Or,
    QuerySyntaxError,
    Term,
    TermSet,
    parse_query,
    text_terms,
)
from zhibao.patents.search.tokenize import analyze, tokenize, tokenize_index


def T(field, value, position, phrase=False):  # noqa: N802 (reads like the node)
    return Term(field, value, phrase, position)


def test_empty_query_matches_all():
    assert parse_query("") == MatchAll()
    assert parse_query("   ") == MatchAll()


def test_bare_words_are_title_and_abstract_and_adjacent_means_and():
    assert parse_query("电池") == T("TIAB", "电池", 0)
    assert parse_query("电池 正极") == And((T("TIAB", "电池", 0), T("TIAB", "正极", 3)))


@pytest.mark.parametrize("text", ["a AND b", "a and b", "a 与 b", "a && b"])
def test_and_spellings(text):
    assert isinstance(parse_query(text), And)


@pytest.mark.parametrize("text", ["a OR b", "a or b", "a 或 b", "a || b"])
def test_or_spellings(text):
    assert isinstance(parse_query(text), Or)


def test_precedence_and_parentheses():
    assert parse_query("a OR b AND c") == Or((T("TIAB", "a", 0), And((T("TIAB", "b", 5), T("TIAB", "c", 11)))))
    assert parse_query("(a OR b) c") == And((Or((T("TIAB", "a", 1), T("TIAB", "b", 6))), T("TIAB", "c", 9)))
    assert parse_query("NOT a") == Not(T("TIAB", "a", 4))
    assert parse_query("a NOT b") == And((T("TIAB", "a", 0), Not(T("TIAB", "b", 6))))
    assert parse_query("a 非 b") == And((T("TIAB", "a", 0), Not(T("TIAB", "b", 4))))


@pytest.mark.parametrize("code", ["TI", "AB", "CL", "TIAB", "PA"])
def test_text_fields(code):
    assert parse_query(f"{code}=电池") == T(code, "电池", len(code) + 1)
    assert parse_query(f"{code.lower()}=电池") == T(code, "电池", len(code) + 1)


def test_chinese_field_names_and_full_width_signs():
    assert parse_query("名称=电池") == T("TI", "电池", 3)
    assert parse_query("TI＝电池") == T("TI", "电池", 3)
    assert parse_query("申请人=伊利 发明人=张三") == And((T("PA", "伊利", 4), T("IN", "张三", 11)))


def test_phrases():
    assert parse_query('"锂离子 电池"') == T("TIAB", "锂离子 电池", 0, phrase=True)
    assert parse_query('TI="牧草收割"') == T("TI", "牧草收割", 3, phrase=True)
    assert parse_query("“乳制品”") == T("TIAB", "乳制品", 0, phrase=True)


def test_field_group():
    assert parse_query("TI=(a OR b)") == Or((T("TI", "a", 4), T("TI", "b", 9)))
    assert parse_query("IPC=(H01M OR G06F 3/01)") == Or((T("IPC", "H01M", 5), T("IPC", "G06F3/01", 13)))


def test_ipc_is_normalised():
    assert parse_query("IPC=H01M") == T("IPC", "H01M", 4)
    assert parse_query("IPC=h01m 10/05") == T("IPC", "H01M10/05", 4)
    assert parse_query("IPC=H01M10/0525") == T("IPC", "H01M10/0525", 4)
    assert parse_query("MIPC=H") == T("MIPC", "H", 5)
    assert parse_query("IPC=H01M 10/05 AND TI=x") == And((T("IPC", "H01M10/05", 4), T("TI", "x", 22)))
    # A main group written without its /00 means the whole group.
    assert parse_query("IPC=C22B59") == T("IPC", "C22B59/00", 4)
    assert parse_query("MIPC=h01f1") == T("MIPC", "H01F1/00", 5)


def test_numbers_are_normalised():
    assert parse_query("PN=cn 218751475 u") == And((T("PN", "CN", 3), T("TIAB", "218751475", 6),
                                                    T("TIAB", "u", 16)))
    assert parse_query("PN=cn218751475u") == T("PN", "CN218751475U", 3)
    assert parse_query("AN=202223220665.2") == T("AN", "CN202223220665.2", 3)
    assert parse_query("AN=202223220665") == T("AN", "CN202223220665.2", 3)


@pytest.mark.parametrize(("text", "lower", "upper"), [
    ("AD=2020", 20200101, 20201231),
    ("AD=2020-05", 20200501, 20200531),
    ("AD=2020-02", 20200201, 20200229),
    ("AD=2020-01-01", 20200101, 20200101),
    ("AD=20200101", 20200101, 20200101),
    ("AD=2020.1.5", 20200105, 20200105),
    ("AD>=2020", 20200101, None),
    ("AD>2020", 20210101, None),
    ("AD<=2020", None, 20201231),
    ("AD<2020-03-01", None, 20200229),
    ("AD>2020-12-31", 20210101, None),
    ("AD=[2019 TO 2022]", 20190101, 20221231),
    ("AD=[2019-06 TO 2020-01-15]", 20190601, 20200115),
    ("AD=[* TO 2020]", None, 20201231),
    ("PD=2021", 20210101, 20211231),
    ("GD>=2021-06-01", 20210601, None),
])
def test_dates(text, lower, upper):
    node = parse_query(text)
    assert isinstance(node, DateRange)
    assert (node.lower, node.upper) == (lower, upper)
    assert node.field == text[:2]


def test_regions_status_and_type():
    assert parse_query("PR=内蒙古自治区") == T("PR", "内蒙古", 3)
    assert parse_query("PR=江苏省") == T("PR", "江苏", 3)
    assert parse_query("CITY=包头市") == T("CITY", "包头", 5)
    assert parse_query("LS=有效") == T("LS", "granted", 3)
    assert parse_query("LS=有权") == T("LS", "granted", 3)
    assert parse_query("LS=审中") == T("LS", "pending", 3)
    assert parse_query("LS=lapsed") == T("LS", "lapsed", 3)
    assert parse_query("LS=无权-未缴年费") == T("LS", "lapsed", 3)
    dead = parse_query("LS=失效")
    assert isinstance(dead, TermSet) and "expired" in dead.values and "granted" not in dead.values
    assert parse_query("TYPE=发明") == T("TYPE", "invention", 5)
    assert parse_query("TYPE=实用新型") == T("TYPE", "utility_model", 5)
    assert parse_query("TYPE=外观设计") == T("TYPE", "design", 5)
    assert parse_query("TYPE=utility_model") == T("TYPE", "utility_model", 5)


@pytest.mark.parametrize(("text", "position", "expected"), [
    ("TI=(电池", 6, '")"'),
    ("(a OR b", 7, '")"'),
    ("a AND", 5, None),
    ("a OR", 4, None),
    ("NOT", 3, None),
    ("()", 1, None),
    ("(a))", 3, None),
    ('"abc', 4, '"'),
    ("TI=", 3, None),
    ("XX=1", 0, None),
    ("电池 ABC=1", 3, None),
    ("AD=2020-13-01", 3, None),
    ("AD=soon", 3, None),
    ("AD=[2019 2022]", 9, '"TO"'),
    ("AD=[2019 TO 2022", 16, '"]"'),
    ("AD=[2022 TO 2019]", 3, None),
    ("IPC=Z99", 4, None),
    ("a AND IPC=H01MX10", 10, None),
    ("TI>2020", 0, "="),
    ("TI=(IPC=H01M)", 4, None),
    ("LS=maybe", 3, None),
    ("TYPE=book", 5, None),
    ("= a", 0, None),
    ("IPC=[2019 TO 2020]", 4, None),
])
def test_errors_report_their_position(text, position, expected):
    with pytest.raises(QuerySyntaxError) as info:
        parse_query(text)
    error = info.value
    assert error.position == position, (text, error.position, error.message)
    assert f"{position + 1}" in error.message  # the message counts characters from 1
    if expected is not None:
        assert error.expected == expected
        assert expected in error.message or expected == "="
    assert str(error) == error.message


def test_text_terms_for_highlighting_skip_negations():
    node = parse_query('电池 NOT 隔膜 TI="正极 材料" IPC=H01M PA=伊利')
    assert text_terms(node) == ["电池", "正极 材料"]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('()[]"=<> ANDORNOT与或非TIPCAD2019-01TO*H01M/电池“')), max_size=40))
def test_random_queries_raise_only_syntax_errors(text):
    try:
        parse_query(text)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= len(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_arbitrary_unicode_raises_only_syntax_errors(text):
    try:
        parse_query(text)
    except QuerySyntaxError as exc:
        assert 0 <= exc.position <= len(text)


def test_tokenize_uses_the_domain_dictionary_and_drops_fillers():
    assert tokenize("一种锂离子电池的隔膜") == ["锂离子电池", "隔膜"]
    assert "稀土永磁" in tokenize("稀土永磁材料") or "稀土永磁体" in tokenize("稀土永磁体")
    assert tokenize("ＬＥＤ灯，H01M") == ["led", "灯", "h01m"]
    assert tokenize("的和及") == []


def test_index_form_has_sub_words_for_recall():
    tokens = tokenize_index("锂离子电池")
    assert "电池" in tokens and "锂离子电池" in tokens
    assert "，" not in analyze("牧草，乳制品").split()


@pytest.mark.parametrize("query, position", [
    ("(" * 300 + "a" + ")" * 300, 40),       # nesting is bounded: a syntax error, not a RecursionError
    ("NOT " * 100 + "a", 160),
    ("AD>9999", 3),                          # years outside 1800–2199 (no date overflow)
    ("AD<0001", 3),
    ("AD=[* TO *]", 3),                      # a range needs one date at least
    ("a" * 5000, 4000),                      # and a query has a length limit
])
def test_hostile_queries_are_syntax_errors(query, position):
    with pytest.raises(QuerySyntaxError) as error:
        parse_query(query)
    assert error.value.position == position
