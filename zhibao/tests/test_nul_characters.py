"""A NUL character in a query string or a form is refused with 400, page and API alike (it
would reach PostgreSQL's text comparison as a DataError: the fuzz found it in a filter)."""

import pytest

from zhibao.conftest import login

pytestmark = pytest.mark.django_db


def test_a_nul_in_an_api_filter_is_a_structured_400(examiner):
    response = login(examiner).get("/api/v1/pre-exam/statistics", {"field": "new\x00materials"})
    assert response.status_code == 400
    assert response.json()["code"]


def test_a_nul_in_a_page_filter_is_a_400_page(examiner):
    response = login(examiner).get("/pre-exam/workbench/", {"field": "\x00"})
    assert response.status_code == 400


def test_a_nul_in_a_posted_form_is_refused(alice):
    response = login(alice).post("/pre-exam/filing/new/", {"business_scope": "稀土\x00"})
    assert response.status_code == 400


def test_ordinary_values_pass(examiner):
    from zhibao.pre_exam.defaults import defaults_ensure

    defaults_ensure()  # a transactional test before may have flushed the migration's fields
    assert login(examiner).get("/api/v1/pre-exam/statistics", {"field": "new_materials"}).status_code == 200
