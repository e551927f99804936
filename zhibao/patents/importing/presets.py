"""Corpus fields an import column can fill, the built-in presets, and automatic mapping.

A mapping is {source column header: corpus field}. The built-in presets name the layouts the
center receives every week: the 61-column export of the Chinese patent databases ("cn_export")
and the platform's own JSON lines ("zhibao_jsonl"). Any other CSV or Excel file is mapped from
its headers by the aliases below (English field names and the usual Chinese headers); users
adjust the proposal and may save it as an ImportPreset.
"""

import re

from django.utils.translation import gettext_lazy as _

# Corpus field → label shown in the mapping step. Fields not on the Patent model are inputs
# the normaliser turns into model fields (the address into regions, priority dates …).
FIELDS = {
    "publication_number": _("Publication number"),
    "application_number": _("Application number"),
    "grant_number": _("Grant number"),
    "patent_type": _("Patent type"),
    "title": _("Title"),
    "abstract": _("Abstract"),
    "first_claim": _("First claim"),
    "applicants": _("Applicants"),
    "applicant_address": _("Applicant address"),
    "applicant_type": _("Applicant type"),
    "current_holders": _("Current rights holders"),
    "province_code": _("Province code (e.g. 河南(41))"),
    "province": _("Province"),
    "city": _("City"),
    "county": _("County"),
    "league_code": _("League code"),
    "banner_code": _("Banner / county code"),
    "inventors": _("Inventors"),
    "agency": _("Patent agency"),
    "agents": _("Patent agents"),
    "ipc_main": _("Main IPC"),
    "ipc_codes": _("IPC codes"),
    "cpc_main": _("Main CPC"),
    "cpc_codes": _("CPC codes"),
    "priorities": _("Priorities"),
    "priority_dates": _("Priority dates"),
    "application_date": _("Application date"),
    "publication_date": _("Publication date"),
    "grant_date": _("Grant date"),
    "legal_status": _("Legal status"),
    "legal_status_raw": _("Legal status as published"),
    "legal_events": _("Legal events"),
    "citation_count": _("Citations"),
    "cited_patents": _("Cited patents"),
    "family": _("Family members"),
    "family_size": _("Family size"),
    "transfer_count": _("Transfers"),
    "licence_count": _("Licences"),
    "pledge_count": _("Pledges"),
    "claims_count": _("Claims"),
}
REQUIRED_FIELDS = ("publication_number", "title")

# Header spellings (compared lower-cased, without spaces, underscores and brackets) → field.
ALIASES = {
    "publication_number": ["publication_number", "publicationnumber", "pubno", "publicationno", "pn", "公开号",
                           "公开公告号", "公告号", "公开号码", "文献号", "公布号"],
    "application_number": ["application_number", "applicationnumber", "appno", "applicationno", "an", "申请号"],
    "grant_number": ["grant_number", "grantnumber", "授权公告号", "授权号"],
    "patent_type": ["patent_type", "patenttype", "type", "kind", "专利类型", "类型"],
    "title": ["title", "标题", "名称", "专利名称", "发明名称", "发明创造名称"],
    "abstract": ["abstract", "摘要", "申请摘要", "摘要文本"],
    "first_claim": ["first_claim", "firstclaim", "claim", "主权项", "首项权利要求", "独立权利要求"],
    "applicants": ["applicants", "applicant", "申请人", "申请专利权人", "专利权人", "申请人名称"],
    "applicant_address": ["applicant_address", "applicantaddress", "address", "申请人地址", "地址"],
    "applicant_type": ["applicant_type", "applicanttype", "申请人类型"],
    "current_holders": ["current_holders", "currentholders", "当前权利人", "当前专利权人"],
    "province_code": ["province_code", "provincecode", "国省代码"],
    "province": ["province", "省份", "省"],
    "city": ["city", "城市", "地市"],
    "county": ["county", "区县"],
    "league_code": ["league_code", "leaguecode"],
    "banner_code": ["banner_code", "bannercode"],
    "inventors": ["inventors", "inventor", "发明人", "发明设计人", "设计人"],
    "agency": ["agency", "专利代理机构", "代理机构"],
    "agents": ["agents", "agent", "专利代理人", "代理人"],
    "ipc_main": ["ipc_main", "ipcmain", "mainipc", "主分类号", "主ipc", "ipc主分类号", "主ipc分类号"],
    "ipc_codes": ["ipc", "ipc_codes", "ipccodes", "ipc_subclasses", "ipcsubclasses", "分类号", "ipc分类号", "ipc分类"],
    "cpc_main": ["cpc_main", "cpcmain", "cpc主分类号"],
    "cpc_codes": ["cpc", "cpc_codes", "cpccodes", "cpc分类号"],
    "priorities": ["priorities", "priority", "优先权", "优先权号"],
    "priority_dates": ["priority_dates", "prioritydates", "priority_date", "优先权日"],
    "application_date": ["application_date", "applicationdate", "appdate", "filing_date", "申请日"],
    "publication_date": ["publication_date", "publicationdate", "pubdate", "公开日", "公开公告日", "公告日"],
    "grant_date": ["grant_date", "grantdate", "授权公告日", "授权日"],
    "legal_status": ["legal_status", "legalstatus", "status", "法律状态", "当前法律状态"],
    "legal_status_raw": ["legal_status_raw", "legalstatusraw"],
    "legal_events": ["legal_events", "legalevents", "法律事件"],
    "citation_count": ["citation_count", "citationcount", "citations", "引证数", "引证次数"],
    "cited_patents": ["cited_patents", "citedpatents", "引证专利"],
    "family": ["family", "同族专利"],
    "family_size": ["family_size", "familysize", "简单同族数量", "同族数量"],
    "transfer_count": ["transfer_count", "transfercount", "专利转移次数", "转让次数"],
    "licence_count": ["licence_count", "licencecount", "license_count", "许可次数"],
    "pledge_count": ["pledge_count", "pledgecount", "质押次数"],
    "claims_count": ["claims_count", "claimscount", "权利要求数", "权利要求数量", "权项数"],
}


def _key(header: str) -> str:
    return re.sub(r"[\s_\-()（）【】\[\]]+", "", str(header)).lower()


_ALIAS_INDEX = {_key(alias): target for target, aliases in ALIASES.items() for alias in aliases}

# The 61-column export of the Chinese patent databases: the columns the corpus keeps. The
# others (序号, 全文链接, 第一发明人 …) repeat these or are not part of the corpus.
CN_EXPORT_MAPPING = {
    "公开号": "publication_number",
    "申请号": "application_number",
    "授权公告号": "grant_number",
    "专利类型": "patent_type",
    "专利名称": "title",
    "申请摘要": "abstract",
    "主权项": "first_claim",
    "申请人": "applicants",
    "申请人地址": "applicant_address",
    "申请人类型": "applicant_type",
    "当前权利人": "current_holders",
    "国省代码": "province_code",
    "发明人": "inventors",
    "专利代理机构": "agency",
    "专利代理人": "agents",
    "主分类号": "ipc_main",
    "分类号": "ipc_codes",
    "CPC主分类号": "cpc_main",
    "CPC分类号": "cpc_codes",
    "优先权": "priorities",
    "优先权日": "priority_dates",
    "申请日": "application_date",
    "公开日": "publication_date",
    "授权公告日": "grant_date",
    "法律状态": "legal_status",
    "法律事件": "legal_events",
    "引证数": "citation_count",
    "引证专利": "cited_patents",
    "同族专利": "family",
    "简单同族数量": "family_size",
    "专利转移次数": "transfer_count",
    "许可次数": "licence_count",
    "质押次数": "pledge_count",
    # Not in the 61-column file; other exports of the same databases (and gen-patents) add it.
    "权利要求数量": "claims_count",
}
# The full header of that export, in its order (gen-patents writes these and 权利要求数量).
CN_EXPORT_HEADERS = [
    "序号", "申请日", "公开日", "授权公告日", "申请人", "发明人", "申请号", "公开号", "授权公告号", "专利类型",
    "专利名称", "授权名称", "申请摘要", "主权项", "申请人地址", "法律状态", "主分类号", "分类号", "国省代码",
    "专利代理人", "专利代理机构", "优先权", "优先权日", "优先权数量", "全文链接", "第一发明人", "第一权利人",
    "申请人类型", "当前发明人", "当前权利人", "当前著录项联系人通讯地址", "当前专利代理人", "当前专利代理机构",
    "变更前代理机构", "法律事件", "引证专利", "非专利引证", "引证数", "同族专利", "专利转移次数", "许可次数",
    "质押次数", "简单同族数量", "转让日期", "失效日期", "质押日期", "许可日期", "无效宣告日期", "CPC主分类号",
    "CPC分类号", "FI主分类号", "FI分类号", "国际申请号", "国际申请日", "国际公开号", "国际公开日", "进入国家日期",
    "颁证日", "审查员", "审查时长", "实质审查日",
]
# What gen-patents writes: the export's 61 columns and the claims count.
GENERATED_HEADERS = [*CN_EXPORT_HEADERS, "权利要求数量"]

# The platform's JSON lines: the Patent model's own field names, one to one.
JSONL_FIELDS = [
    "publication_number", "application_number", "grant_number", "patent_type", "title", "abstract", "first_claim",
    "applicants", "applicant_type", "current_holders", "province", "province_code", "city", "county",
    "league_code", "banner_code", "inventors", "agency", "agents", "ipc_main", "ipc_codes", "cpc_codes",
    "priorities", "application_date", "publication_date", "grant_date", "legal_status", "legal_status_raw",
    "legal_events", "citation_count", "cited_patents", "family", "family_size", "transfer_count", "licence_count",
    "pledge_count", "claims_count",
]
JSONL_MAPPING = {name: name for name in JSONL_FIELDS}

BUILTIN_PRESETS = {
    "cn_export": {"label": _("Chinese patent database export (61 columns)"), "mapping": CN_EXPORT_MAPPING,
                  "format": "csv"},
    "zhibao_jsonl": {"label": _("Zhibao JSON lines"), "mapping": JSONL_MAPPING, "format": "jsonl"},
}


def preset_mapping(name: str) -> dict[str, str] | None:
    """A built-in preset's mapping, else a saved ImportPreset's, else None."""
    if name in BUILTIN_PRESETS:
        return dict(BUILTIN_PRESETS[name]["mapping"])
    from ..models import ImportPreset

    preset = ImportPreset.objects.filter(name=name).first()
    return dict(preset.mapping) if preset else None


def detect_preset(headers: list[str], fmt: str) -> str:
    """The built-in preset the file's header matches, or "" for a generic file."""
    present = set(headers)
    if len(present & set(CN_EXPORT_MAPPING)) >= 0.8 * len(CN_EXPORT_MAPPING):
        return "cn_export"
    if fmt == "jsonl":
        return "zhibao_jsonl"
    return ""


def propose_mapping(headers: list[str], fmt: str = "csv", preset: str = "") -> dict[str, str]:
    """{header: field} for every header a field is recognised in (the first header wins a field)."""
    preset = preset or detect_preset(headers, fmt)
    known = preset_mapping(preset) if preset else None
    mapping: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        target = known.get(header) if known is not None else _ALIAS_INDEX.get(_key(header))
        if target and target in FIELDS and target not in taken:
            mapping[header] = target
            taken.add(target)
    return mapping


def clean_mapping(mapping: dict, headers: list[str]) -> dict[str, str]:
    """Keep only known headers and fields; a field mapped twice keeps its first header."""
    result, taken = {}, set()
    for header in headers:
        target = mapping.get(header)
        if target in FIELDS and target not in taken:
            result[header] = target
            taken.add(target)
    return result


def missing_required(mapping: dict[str, str]) -> list[str]:
    """Labels of the required fields no column is mapped to."""
    mapped = set(mapping.values())
    return [str(FIELDS[name]) for name in REQUIRED_FIELDS if name not in mapped]
