"""Designs are classified by Locarno, not IPC: the fields get Locarno ranges, the cases their
declared Locarno codes (IPC codes become optional: a design has none).

The three seeded fields get the Locarno classes their designs are filed in. A design protects a
product's shape or pattern (专利法 第二条第四款), so a field's Locarno range is where its
industry's *products* are classed, not a restatement of its IPC ranges:

- 生物 (biology) → 24 (医疗设备和实验室设备: the medical and laboratory apparatus, instruments,
  test kits and culture equipment of C12M/C12Q/A61K companies) and 28-01 (药品: the shape of
  tablets, pills and capsules — 蒙药, 中药, 兽药 preparations). Not the rest of class 28
  (cosmetics, toilet articles), which is no biology product.
- 新材料 (new materials) → 05-06 (人造或天然材料片材: sheets and films of polymers, graphite,
  composites) and 25-01 (建筑材料: tiles, panels, profiles of ceramics and alloys). A material
  without a fixed shape (powder, ingot, alloy as such) is no design at all (专利审查指南 第一部分
  第三章: 无固定形状的产品不授予外观设计), so these are the forms in which the field's
  organizations do file designs.
- 新能源 (new energy) → 13 (发电、配电或变电设备: generators and wind turbines 13-01,
  batteries, accumulators and inverters 13-02, charging stations and switchgear 13-03) and 23-03
  (供暖设备: solar water heaters and solar-thermal collectors, the designs of the field's F24S
  range). Not class 12: an electric vehicle is a vehicle design, the charging point it uses is
  already in 13-03.

The center edits them in the admin afterwards; a field that already has Locarno ranges keeps
them (defaults.defaults_ensure seeds the same values after a flush).
"""

from django.db import migrations, models

import zhibao.pre_exam.models.config

LOCARNO = {
    "biology": ["24", "28-01"],
    "new_materials": ["05-06", "25-01"],
    "new_energy": ["13", "23-03"],
}

# The formal checklist's classification item speaks of both schemes now.
CHECKLIST_HINTS = {
    "ipc_declared": ("核对IPC分类号", "核对分类号（发明、实用新型为IPC分类号，外观设计为洛迦诺分类号）")
}


def forwards(apps, schema_editor):
    TechnicalField = apps.get_model("pre_exam", "TechnicalField")
    FormalCheckItem = apps.get_model("pre_exam", "FormalCheckItem")
    for code, classes in LOCARNO.items():
        for field in TechnicalField.objects.filter(code=code):
            if not field.locarno_classes:
                field.locarno_classes = classes
                field.save(update_fields=["locarno_classes"])
    for code, (old, new) in CHECKLIST_HINTS.items():
        FormalCheckItem.objects.filter(code=code, hint=old).update(hint=new)


def backwards(apps, schema_editor):
    FormalCheckItem = apps.get_model("pre_exam", "FormalCheckItem")
    for code, (old, new) in CHECKLIST_HINTS.items():
        FormalCheckItem.objects.filter(code=code, hint=new).update(hint=old)


class Migration(migrations.Migration):
    dependencies = [("pre_exam", "0002_default_fields_and_checklist")]

    operations = [
        migrations.AddField(
            model_name="technicalfield",
            name="locarno_classes",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text='Locarno classes or subclasses the field covers for designs, e.g. ["13", "23-03"]; '
                "empty: the field takes no designs.",
                validators=[zhibao.pre_exam.models.config._validate_locarno_classes],
                verbose_name="Locarno classes",
            ),
        ),
        migrations.AddField(
            model_name="preexamcase",
            name="locarno_codes",
            field=models.JSONField(blank=True, default=list, verbose_name="declared Locarno codes"),
        ),
        migrations.AlterField(
            model_name="preexamcase",
            name="ipc_codes",
            field=models.JSONField(blank=True, default=list, verbose_name="declared IPC codes"),
        ),
        migrations.RunPython(forwards, backwards),
    ]
