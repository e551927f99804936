"""The IPC suggester: ranking, confidences, persistence, the corpus model's reuse, the
command's evaluation (leaving the file's patents out of training) and the real dev figure."""

import csv
import importlib
import json
import zlib
from io import StringIO
from pathlib import Path

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from zhibao.patents.models import Patent
from zhibao.pre_exam import suggest
from zhibao.pre_exam.suggest import IpcSuggester, evaluate, field_for_subclasses, suggester_for_corpus, train

DEV = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "patents" / "cn_title_ipc_dev.csv"
Command = importlib.import_module("zhibao.pre_exam.management.commands.ipc-suggest").Command

SYNTHETIC = [
    ("一种锂离子电池正极材料及其制备方法", ["H01M"]),
    ("锂电池电解液及锂离子电池", ["H01M"]),
    ("一种固态电池隔膜", ["H01M"]),
    ("动力电池负极材料的制备方法", ["H01M"]),
    ("一种光伏逆变器的控制方法", ["H02J", "H02M"]),
    ("储能系统的充电控制电路", ["H02J"]),
    ("一种风力发电储能并网系统", ["H02J"]),
    ("充电桩的充电控制装置", ["H02J"]),
    ("一种图像识别的深度学习方法", ["G06N", "G06V"]),
    ("基于神经网络的数据处理方法", ["G06N"]),
    ("一种机器学习模型的训练方法", ["G06N"]),
    ("深度学习神经网络的训练装置", ["G06N"]),
    ("一种中药组合物及其制备方法", ["A61K"]),
    ("治疗胃病的中药组合物", ["A61K"]),
    ("一种蒙药制剂及其制备方法", ["A61K"]),
    ("含沙棘的药物组合物", ["A61K"]),
]


@pytest.fixture
def synthetic_model():
    return train(SYNTHETIC, epochs=30, min_df=1)


@pytest.fixture
def model_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    suggest._cache.clear()
    yield tmp_path / "models"
    suggest._cache.clear()


_serial = iter(range(100000, 999999))


def make_patent(title, ipc_codes, number=None, abstract=""):
    serial = next(_serial)
    return Patent.objects.create(
        publication_number=number or f"CN{serial}A", application_number=f"CN2021100{serial}.1",
        patent_type="invention", title=title, abstract=abstract, ipc_codes=ipc_codes, ipc_main=ipc_codes[0],
    )


def test_right_subclass_ranks_first(synthetic_model):
    assert synthetic_model.suggest("一种钠离子电池正极材料")[0][0] == "H01M"
    assert synthetic_model.suggest("神经网络模型的训练方法")[0][0] == "G06N"
    assert synthetic_model.suggest("一种中药组合物", "本发明公开了一种治疗胃病的药物。")[0][0] == "A61K"
    assert synthetic_model.suggest("光伏储能的充电控制系统")[0][0] == "H02J"


def test_confidences_sorted_and_between_0_and_1(synthetic_model):
    suggestions = synthetic_model.suggest("一种锂离子电池的充电控制方法", k=5)
    assert len(suggestions) == 5
    confidences = [c for _, c in suggestions]
    assert confidences == sorted(confidences, reverse=True)
    assert all(0 <= c <= 1 for c in confidences) and sum(confidences) <= 1 + 1e-6
    assert len({s for s, _ in suggestions}) == 5
    # an unknown text still answers, with a spread-out (low) confidence
    assert synthetic_model.suggest("qwerty", k=3)[0][1] < 0.9


def test_save_load_round_trip(synthetic_model, tmp_path):
    path = synthetic_model.save(tmp_path / "m.npz")
    loaded = IpcSuggester.load(path)
    for title in ("一种锂离子电池正极材料", "深度学习的图像识别方法", "中药组合物", "风力发电"):
        assert loaded.suggest(title) == synthetic_model.suggest(title)


def test_softmax_alone_and_a_version_1_file_still_answer(tmp_path):
    alone = train(SYNTHETIC, epochs=30, min_df=1, svm=False)
    assert alone.svm_weights is None and alone.suggest("一种钠离子电池正极材料")[0][0] == "H01M"
    # a file of model version 1 (the softmax alone, before the SVM) still loads and suggests
    path = tmp_path / "v1.npz"
    np.savez_compressed(path, vocabulary=np.array(alone.vocabulary), idf=alone.idf, labels=np.array(alone.labels),
                        weights=alone.weights, bias=alone.bias, meta=np.array(json.dumps({"version": 1})))
    old = IpcSuggester.load(path)
    assert old.svm_weights is None and old.suggest("深度学习神经网络") == alone.suggest("深度学习神经网络")


def test_svm_and_softmax_both_vote(synthetic_model):
    assert synthetic_model.svm_weights.shape == synthetic_model.weights.shape
    p = synthetic_model.probabilities("一种锂离子电池正极材料")
    assert p.sum() == pytest.approx(1.0, abs=1e-5) and synthetic_model.labels[int(p.argmax())] == "H01M"


def test_field_for_subclasses():
    assert field_for_subclasses([("H01M", 0.5), ("H02J", 0.2), ("A61K", 0.3)])[:2] == ("new_energy", "新能源")
    code, name, confidence = field_for_subclasses([("C08L", 0.4), ("A61K", 0.1)])
    assert (code, name) == ("new_materials", "新材料") and confidence == pytest.approx(0.4)
    assert field_for_subclasses([("G06F", 0.9)]) is None


def test_evaluate(synthetic_model):
    result = evaluate(synthetic_model, [("锂离子电池负极材料", ["H01M"]), ("中药组合物", ["G06F"])])
    assert result == {"top1": 0.5, "top3": pytest.approx(result["top3"]), "n": 2}


@pytest.mark.django_db
def test_corpus_model_reused_until_the_corpus_changes(model_dir, monkeypatch):
    for title, subclasses in SYNTHETIC:
        make_patent(title, [f"{s}10/0525" for s in subclasses], abstract="本发明涉及" + title)
    calls = []
    real_train = suggest.train

    def counting_train(records, **kwargs):
        calls.append(1)
        return real_train(records, **kwargs)

    monkeypatch.setattr(suggest, "train", counting_train)
    first = suggester_for_corpus()
    assert len(calls) == 1 and (model_dir / "ipc_suggest.npz").is_file()
    assert first.meta["patents"] == len(SYNTHETIC)
    assert suggester_for_corpus() is first and len(calls) == 1
    suggest._cache.clear()  # another process: the saved file answers
    again = suggester_for_corpus()
    assert len(calls) == 1 and again.suggest("锂电池") == first.suggest("锂电池")
    make_patent("一种稀土永磁材料", ["H01F1/057"])
    retrained = suggester_for_corpus()
    assert len(calls) == 2 and retrained.meta["patents"] == len(SYNTHETIC) + 1 and "H01F" in retrained.labels
    # a file of an older model version is retrained once, even for an unchanged corpus
    suggest._cache.clear()
    with np.load(model_dir / "ipc_suggest.npz") as f:
        arrays = {name: f[name] for name in f.files}
    arrays["meta"] = np.array(json.dumps({**json.loads(str(arrays["meta"])), "version": 1}))
    np.savez_compressed(model_dir / "ipc_suggest.npz", **arrays)
    suggester_for_corpus()
    assert len(calls) == 3
    suggest._cache.clear()
    suggester_for_corpus()
    assert len(calls) == 3


@pytest.mark.django_db
def test_command_suggests_and_reports_empty_corpus(model_dir):
    with pytest.raises(CommandError, match="专利库为空"):
        call_command(Command(), "锂离子电池")
    for title, subclasses in SYNTHETIC:
        make_patent(title, [f"{s}10/0525" for s in subclasses])
    out = StringIO()
    call_command(Command(), "一种锂离子电池正极材料", "--abstract", "电池", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("H01M") and lines[0].endswith("%")
    assert "新能源" in out.getvalue()


@pytest.mark.django_db
def test_evaluate_leaves_the_files_patents_out_of_training(model_dir, monkeypatch, tmp_path):
    for i, (title, subclasses) in enumerate(SYNTHETIC):
        make_patent(title, [f"{s}10/0525" for s in subclasses], number=f"CN10000{i:02d}A")
    held_out = {"CN1000000A": SYNTHETIC[0], "CN1000012A": SYNTHETIC[12]}
    path = tmp_path / "eval.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["publication_number", "title", "ipc_subclasses"])
        for number, (title, subclasses) in held_out.items():
            writer.writerow([number, title, "|".join(subclasses)])
    seen = []
    real_train = suggest.train

    def recording_train(records, **kwargs):
        records = list(records)
        seen.extend(r[0] for r in records)
        return real_train(records, **kwargs)

    monkeypatch.setattr(suggest, "train", recording_train)
    out = StringIO()
    call_command(Command(), "--evaluate", str(path), stdout=out)
    assert seen and SYNTHETIC[0][0] not in seen and SYNTHETIC[12][0] not in seen
    assert len(seen) == len(SYNTHETIC) - 2
    assert "n 2" in out.getvalue() and "top1" in out.getvalue() and "top3" in out.getvalue()
    assert not (model_dir / "ipc_suggest.npz").exists()  # an evaluation model is not the corpus model


@pytest.mark.skipif(not DEV.is_file(), reason=f"{DEV} is absent (shared data folder not here)")
def test_dev_file_accuracy():
    with DEV.open(encoding="utf-8", newline="") as f:
        rows = [(r["publication_number"], r["title"], r["ipc_subclasses"].split("|")) for r in csv.DictReader(f)]
    test_fold = [(t, s) for pn, t, s in rows if zlib.crc32(pn.encode()) % 5 == 0]
    model = train([(t, s) for pn, t, s in rows if zlib.crc32(pn.encode()) % 5 != 0])
    result = evaluate(model, test_fold)
    assert result["n"] == len(test_fold)
    # Titles only, 3,924 training titles: measured 0.456 top-1 / 0.663 top-3 (the softmax alone,
    # model version 1: 0.442 / 0.650; with the IPC scheme's titles 0.464 / 0.691, and 0.495 / 0.706
    # as the 5-fold mean, see bench/pre_exam_suggest.py). The brief's 0.55 is not reached.
    assert result["top1"] >= 0.45 and result["top3"] >= 0.655


@pytest.mark.django_db
def test_an_import_queues_one_retrain(tmp_path, settings, patent_index):
    from zhibao.core.models import Job
    from zhibao.patents.importing.services import patents_import

    csv_path = tmp_path / "a.csv"
    csv_path.write_text("publication_number,title,ipc_subclasses\nCN111504366B,基于人工智能的流体计量方法,G01F\n",
                        encoding="utf-8")
    patents_import(path=csv_path, rejected_path=tmp_path / "r.csv")
    patents_import(path=csv_path, rejected_path=tmp_path / "r.csv")  # unchanged: nothing to learn
    csv_path.write_text("publication_number,title,ipc_subclasses\nCN215792497U,一种膜纸自动化印刷生产线,B41F\n",
                        encoding="utf-8")
    patents_import(path=csv_path, rejected_path=tmp_path / "r.csv")  # while the first retrain still waits
    assert Job.objects.filter(name="pre_exam.ipc_suggest_train", status="queued").count() == 1
