"""A curator's correction or removal of a patent reaches the search index through the reindex
job (web processes never write the index), and staff can rebuild the index from a button."""

import pytest
from django.urls import reverse

from zhibao.conftest import login
from zhibao.core.models import Job
from zhibao.core.services.jobs import job_execute
from zhibao.patents.search import get_engine
from zhibao.patents.services import patent_delete, patent_save

from .test_search_engine import index, make_patent

pytestmark = pytest.mark.django_db(transaction=True)


def run_queued_jobs() -> list[Job]:
    jobs = list(Job.objects.filter(name="patents.reindex", status="queued"))
    for job in jobs:
        job_execute(str(job.pk))
    return [Job.objects.get(pk=job.pk) for job in jobs]


def test_a_corrected_title_is_found_after_the_reindex_job(operator):
    patent = make_patent(title="一种稀土永磁材料")
    index(patent)
    patent.title = "一种高效牧草播种机"
    patent_save(patent=patent, user=operator)
    assert get_engine().count("TI=牧草") == 0  # the web process did not write the index
    [job] = run_queued_jobs()
    assert job.status == "succeeded" and job.result == {"indexed": 1, "removed": 0}
    assert get_engine().count("TI=牧草") == 1
    assert get_engine().count("TI=稀土") == 0


def test_a_deleted_patent_leaves_the_index(operator):
    patent = make_patent()
    index(patent)
    assert get_engine().count(f"PN={patent.publication_number}") == 1
    patent_delete(patent=patent, user=operator)
    [job] = run_queued_jobs()
    assert job.result == {"removed": 1}
    assert get_engine().count(f"PN={patent.publication_number}") == 0


def test_admin_edit_goes_through_the_service(sysadmin):
    patent = make_patent(title="一种稀土永磁材料")
    index(patent)
    sysadmin.is_staff = sysadmin.is_superuser = True  # as the demo's system admin maintains the tables
    sysadmin.save()
    client = login(sysadmin)
    url = reverse("admin:patents_patent_change", args=[patent.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    for name in ("applicants", "inventors", "ipc_codes", "cpc_codes", "priorities", "legal_events", "agents",
                 "current_holders", "cited_patents", "family"):
        data[name] = form[name].value() or "[]"
    data["title"] = "一种羊绒分梳装置"
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    run_queued_jobs()
    assert get_engine().count("TI=羊绒") == 1


def test_staff_rebuild_the_index_from_the_import_page(operator, alice):
    patent = make_patent(title="一种马铃薯收获机")  # in the database, not yet in the index
    assert get_engine().count("TI=马铃薯") == 0
    assert login(alice).post(reverse("patents:reindex")).status_code == 403
    response = login(operator).post(reverse("patents:reindex"))
    job = Job.objects.get(name="patents.reindex")
    assert response.status_code == 302 and response.url == reverse("core:job_detail", args=[job.pk])
    job_execute(str(job.pk))
    job.refresh_from_db()
    assert job.status == "succeeded" and job.result == {"indexed": 1}
    assert get_engine().count("TI=马铃薯") == 1
    assert patent.publication_number in get_engine().publication_numbers("TI=马铃薯")


def test_the_collection_admin_refuses_a_bad_query(sysadmin):
    from zhibao.patents.models import Collection

    sysadmin.is_staff = sysadmin.is_superuser = True
    sysadmin.save()
    client = login(sysadmin)
    response = client.post(reverse("admin:patents_collection_add"), {
        "slug": "bad", "name": "坏", "description": "", "query": "稀土) OR (TIAB=电池",
        "includes": "[]", "excludes": "[]", "is_public": "on", "patent_count": "0"})
    assert response.status_code == 200 and not Collection.objects.filter(slug="bad").exists()
    assert "query" in response.context["adminform"].form.errors
