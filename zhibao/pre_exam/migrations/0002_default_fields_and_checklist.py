"""The center's starting configuration: its three technical fields (生物, 新材料, 新能源) with
IPC ranges and keywords, the formal checklist, the settings row. All of it is data the center
edits in the admin afterwards."""

from django.db import migrations

FIELDS = [
    ("biology", "生物", 10,
     ["A01H", "A01N", "A61K", "A61P", "C07K", "C12M", "C12N", "C12P", "C12Q", "C12R"],
     ["生物", "生物技术", "医药", "药品", "疫苗", "基因", "发酵", "蒙药", "中药", "兽药", "微生物", "细胞", "菌"]),
    ("new_materials", "新材料", 20,
     ["B22F", "C01", "C03C", "C04B", "C08", "C22B", "C22C", "H01F"],
     ["新材料", "材料", "稀土", "永磁", "合金", "陶瓷", "高分子", "石墨", "化工", "冶金", "抛光"]),
    ("new_energy", "新能源", 30,
     ["F03D", "F24S", "H01L31/", "H01M", "H02J", "H02S"],
     ["新能源", "能源", "光伏", "风电", "风力", "储能", "电池", "氢能", "太阳能", "发电", "电力"]),
]

CHECKLIST = [
    ("documents_complete", "申请文件齐全（请求书、说明书、权利要求书、摘要，实用新型及外观设计附图）", "补交缺少的申请文件", []),
    ("request_form", "请求书填写完整，申请人与备案主体一致", "按备案信息填写申请人名称、统一社会信用代码", []),
    ("title_consistent", "发明名称在请求书、说明书中一致且简明（一般不超过25字）", "统一各文件中的发明名称", []),
    ("claims_numbered", "权利要求书按阿拉伯数字顺序编号，引用关系清楚", "重新编号权利要求并修正引用", ["invention", "utility_model"]),
    ("abstract_length", "说明书摘要不超过300字，附摘要附图（有附图时）", "精简摘要并指定摘要附图", ["invention", "utility_model"]),
    ("drawings_clear", "附图清晰，使用制图工具和黑色墨水绘制，无多余文字", "重新绘制或扫描附图", ["utility_model", "design"]),
    ("design_views", "外观设计提交了必要的视图及简要说明", "补交视图或简要说明", ["design"]),
    ("ipc_declared", "分类号属于本中心技术领域及备案领域", "核对IPC分类号", []),
]


def forwards(apps, schema_editor):
    TechnicalField = apps.get_model("pre_exam", "TechnicalField")
    FormalCheckItem = apps.get_model("pre_exam", "FormalCheckItem")
    PreExamConfig = apps.get_model("pre_exam", "PreExamConfig")
    for code, name, order, prefixes, keywords in FIELDS:
        TechnicalField.objects.get_or_create(code=code, defaults={
            "name": name, "order": order, "ipc_prefixes": prefixes, "keywords": keywords})
    for order, (code, label, hint, types) in enumerate(CHECKLIST, start=1):
        FormalCheckItem.objects.get_or_create(code=code, defaults={
            "label": label, "hint": hint, "patent_types": types, "order": order * 10})
    if not PreExamConfig.objects.exists():
        PreExamConfig.objects.create()


class Migration(migrations.Migration):
    dependencies = [("pre_exam", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
