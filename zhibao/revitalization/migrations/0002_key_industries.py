"""The region's key industries as the revitalization plan names them (乳业, 牧草, 稀土, 新能源,
煤化工, 生物医药, 现代畜牧), each with IPC ranges and keywords, and the grading settings row.
Data the center edits in the admin afterwards."""

from django.db import migrations

KEY_INDUSTRIES = [
    ("dairy", "乳业", 10, ["A23C", "A01J", "A23L33/", "C12N1/"],
     ["乳", "奶", "酸奶", "奶酪", "乳酸菌", "益生菌", "驼乳", "牛奶"]),
    ("forage", "牧草", 20, ["A01G22/", "A01D", "A01C", "A23K"],
     ["牧草", "苜蓿", "饲草", "燕麦草", "青贮", "草种", "草原"]),
    ("rare_earth", "稀土", 30, ["C22B59/", "H01F1/", "C09K11/", "C01F17/", "C22C38/"],
     ["稀土", "钕铁硼", "永磁", "镧", "铈", "抛光粉"]),
    ("new_energy", "新能源", 40, ["H01M", "H02J", "H02S", "F03D", "F24S", "H01L31/", "C25B1/"],
     ["新能源", "光伏", "风电", "风力发电", "储能", "电池", "氢能", "太阳能"]),
    ("coal_chemical", "煤化工", 50, ["C10J", "C10G", "C10L", "C07C", "C10B"],
     ["煤化工", "煤气化", "煤焦油", "甲醇", "烯烃", "煤制", "费托"]),
    ("biomedicine", "生物医药", 60, ["A61K", "A61P", "C07K", "C12N", "C12Q"],
     ["生物医药", "药物", "蒙药", "中药", "疫苗", "抗体", "制剂"]),
    ("livestock", "现代畜牧", 70, ["A01K", "A23K"],
     ["养殖", "肉羊", "绒山羊", "肉牛", "饲料", "畜牧"]),
]


def forwards(apps, schema_editor):
    KeyIndustry = apps.get_model("revitalization", "KeyIndustry")
    GradingConfig = apps.get_model("revitalization", "GradingConfig")
    for code, name, order, prefixes, keywords in KEY_INDUSTRIES:
        KeyIndustry.objects.get_or_create(code=code, defaults={
            "name": name, "order": order, "ipc_prefixes": prefixes, "keywords": keywords})
    if not GradingConfig.objects.exists():
        GradingConfig.objects.create()


class Migration(migrations.Migration):
    dependencies = [("revitalization", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
