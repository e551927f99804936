"""Synthetic patent records in the 61-column Chinese database export layout (`gen-patents`),
plus a 62nd column, 权利要求数量 (the claims count some exports of the same databases carry),
so that the value indicators navigation ranks key patents by (citations, family size,
transfers, licences, pledges, claims) all have data.

For demos, load tests and the import benchmark: titles and abstracts composed from real
technical vocabulary per IPC area (batteries, rare-earth magnets, forage grass, dairy, coal
chemistry …), Zipf-distributed applicants (companies, universities, institutes, individuals)
and IPC codes, more applications in recent years, addresses across China with a large share in
Inner Mongolia's leagues and banners (from the core Region data) whose applicants specialise
(REGIONAL_SUBJECTS: upstream rare earth, camel milk, cashmere …, so a regional navigation finds
strengths and gaps in the demo corpus), valid application numbers
with their check character and publication numbers with kind codes. The same seed gives the
same file; rows stream, so any count fits in memory.
"""

import bisect
import csv
import datetime as dt
import itertools
import json
import math
import random
from collections.abc import Iterator
from pathlib import Path

from ..normalize import _APP_WEIGHTS, application_check_char
from .presets import GENERATED_HEADERS

REGIONS_CSV = Path(__file__).resolve().parents[2] / "core" / "data" / "regions.csv"

# IPC area → (weight, [(subclass, [groups])], title subjects, components, effects).
AREAS = {
    "battery": (14, [("H01M", ["4/525", "4/36", "10/0525", "10/42", "4/62"]), ("H02J", ["7/00", "3/32"]),
                     ("C01B", ["32/05"])],
                ["锂离子电池正极材料", "磷酸铁锂正极材料", "硅碳复合负极材料", "固态电解质", "钠离子电池", "储能电池模组",
                 "电池管理系统", "锂电池隔膜", "三元前驱体", "液流电池电堆"],
                ["正极活性物质", "导电剂", "粘结剂", "集流体", "电解液", "隔膜", "电芯", "温度传感器", "均衡电路"],
                ["提高了电池的循环寿命和倍率性能", "降低了生产成本", "提升了能量密度和安全性"]),
    "rare_earth": (12, [("H01F", ["1/057", "1/053", "41/02", "7/02"]), ("C22C", ["38/00", "33/04"]),
                        ("C22B", ["59/00", "3/38"]), ("B22F", ["3/10", "9/04"])],
                   ["稀土永磁材料", "钕铁硼磁体", "烧结钕铁硼", "稀土抛光粉", "稀土镁合金", "稀土萃取分离工艺",
                    "镧铈储氢合金", "稀土永磁电机", "稀土发光材料"],
                   ["稀土氧化物", "晶界扩散层", "熔炼炉", "萃取槽", "氢破碎装置", "气流磨", "取向磁场", "烧结炉"],
                   ["提高了磁体的矫顽力", "减少了重稀土用量", "提高了稀土的回收率", "改善了材料的耐腐蚀性"]),
    "grass": (10, [("A01G", ["22/00", "20/30", "25/02", "9/02"]), ("A01C", ["1/00", "7/20"]),
                   ("A01B", ["49/04"]), ("A01D", ["34/00", "43/00"])],
              ["牧草种子", "苜蓿种植方法", "燕麦草", "草种丸粒化处理", "草原生态修复方法", "沙障铺设装置",
               "天然草地补播机", "牧草收获机", "饲草青贮方法"],
              ["播种单元", "覆土装置", "种子箱", "镇压辊", "滴灌带", "割台", "打捆机构", "保水剂"],
              ["提高了牧草的出苗率", "适用于干旱半干旱草原", "减少了水土流失", "提高了产草量"]),
    "dairy": (9, [("A23C", ["9/12", "9/13", "19/02", "9/123"]), ("C12N", ["1/20"]), ("A23L", ["33/00", "2/38"])],
              ["乳制品", "发酵乳", "奶酪", "益生菌酸奶", "驼乳粉", "奶皮子", "乳酸菌发酵剂", "低乳糖牛奶"],
              ["发酵罐", "均质机", "杀菌装置", "乳酸菌", "菌种", "浓缩装置", "冷却系统", "灌装机"],
              ["提高了产品的风味和营养价值", "延长了保质期", "保留了活性益生菌"]),
    "livestock": (7, [("A01K", ["29/00", "1/00", "5/02", "67/02"]), ("A23K", ["50/10", "10/30"])],
                  ["肉羊养殖方法", "绒山羊饲养装置", "全混合日粮", "青贮饲料", "牛羊饮水装置", "智能养殖棚",
                   "羊绒分梳装置"],
                  ["饲槽", "料仓", "搅拌装置", "饮水器", "围栏", "温湿度传感器", "投料机构"],
                  ["提高了饲料转化率", "降低了养殖成本", "改善了动物福利"]),
    "coal": (9, [("C10J", ["3/00", "3/46"]), ("C10G", ["2/00", "1/00"]), ("C07C", ["29/151", "1/20"]),
                 ("B01J", ["23/00", "29/40"])],
             ["煤气化工艺", "甲醇制烯烃催化剂", "煤焦油加氢方法", "合成气制乙二醇", "煤矸石综合利用",
              "费托合成催化剂", "煤化工废水处理方法"],
             ["气化炉", "换热器", "反应器", "分子筛", "催化剂载体", "精馏塔", "洗涤塔"],
             ["提高了碳转化率", "降低了能耗和水耗", "减少了污染物排放"]),
    "solar_wind": (8, [("H02S", ["40/32", "20/30", "40/10"]), ("F03D", ["7/00", "80/00"]),
                       ("H01L", ["31/18", "31/048"])],
                   ["光伏组件", "光伏支架", "光伏电站清扫机器人", "风力发电机组", "风电叶片", "光伏逆变器",
                    "单晶硅电池片"],
                   ["支架", "跟踪机构", "清扫刷", "逆变单元", "叶片", "变桨系统", "汇流箱"],
                   ["提高了发电效率", "适应风沙环境", "降低了运维成本"]),
    "computing": (10, [("G06F", ["16/00", "18/2321", "40/289"]), ("G06Q", ["50/02", "10/06"]),
                       ("G06N", ["3/08", "3/04"]), ("H04L", ["67/12", "9/40"])],
                  ["数据处理方法", "知识产权管理平台", "专利检索系统", "图像识别方法", "智能调度系统",
                   "区块链存证方法", "草原监测系统"],
                  ["数据采集模块", "服务器", "神经网络模型", "数据库", "通信模块", "显示终端"],
                  ["提高了处理效率和准确率", "实现了实时监测", "保障了数据安全"]),
    "machinery": (9, [("B65G", ["47/00", "15/00"]), ("B23K", ["37/00"]), ("F16H", ["57/00"]), ("B64U", ["20/80"]),
                      ("E21B", ["43/00"])],
                  ["输送装置", "焊接夹具", "减速器", "无人机挂载装置", "矿用破碎机", "钢结构件加工设备",
                   "管道检测机器人"],
                  ["底座", "电机", "传动轴", "夹持机构", "液压缸", "滑轨", "控制器"],
                  ["结构简单、操作方便", "提高了生产效率", "降低了劳动强度"]),
    "medicine": (6, [("A61K", ["36/00", "36/185", "9/20"]), ("A61P", ["1/00", "29/00"])],
                 ["蒙药组合物", "沙棘提取物", "肉苁蓉制剂", "黄芪多糖", "中药配方颗粒"],
                 ["提取物", "辅料", "有效成分", "提取罐", "干燥设备"],
                 ["疗效确切、毒副作用小", "提高了有效成分含量"]),
    "environment": (6, [("C02F", ["1/00", "9/14", "3/28"]), ("B01D", ["53/00", "46/00"])],
                    ["污水处理装置", "烟气脱硫脱硝方法", "除尘器", "尾矿库治理方法", "盐碱地改良剂"],
                    ["过滤层", "曝气装置", "吸附剂", "除雾器", "布袋"],
                    ["提高了处理效果", "运行稳定、成本低"]),
}
# What Inner Mongolia's applicants of an area mostly file on (the rest of China files on all the
# area's subjects alike): Baotou's upstream rare earth rather than magnets and motors, camel milk
# and 奶皮子, cashmere goats, Mongolian medicine, coal chemistry, wind power. An Inner Mongolian
# applicant's record takes one of these subjects with REGIONAL_SHARE probability. Drawn from a
# random stream of its own, so every other column of a seed's records stays as it was.
REGIONAL_SUBJECTS = {
    "rare_earth": ["稀土萃取分离工艺", "稀土抛光粉", "稀土镁合金", "镧铈储氢合金"],
    "grass": ["苜蓿种植方法", "燕麦草", "草原生态修复方法", "天然草地补播机"],
    "dairy": ["驼乳粉", "奶皮子", "发酵乳"],
    "livestock": ["绒山羊饲养装置", "羊绒分梳装置", "肉羊养殖方法"],
    "coal": ["煤气化工艺", "煤矸石综合利用", "煤化工废水处理方法"],
    "solar_wind": ["风力发电机组", "风电叶片", "光伏电站清扫机器人"],
    "medicine": ["蒙药组合物", "肉苁蓉制剂", "沙棘提取物"],
}
REGIONAL_SHARE = 0.75
INNER_MONGOLIA_CELL = "内蒙古(15)"
TEMPLATES_INVENTION = ["一种{s}及其制备方法", "一种{s}的制备方法", "基于{t}的{s}", "一种{s}及其应用", "一种{s}"]
TEMPLATES_UTILITY = ["一种{s}{d}", "一种用于{s}的{d}", "一种{s}"]
TECHS = ["物联网", "机器视觉", "深度学习", "北斗定位", "大数据", "数字孪生", "微波辅助"]
DEVICES = ["装置", "系统", "设备", "检测装置", "生产线", "结构"]
DESIGN_PRODUCTS = ["包装盒", "奶酪包装袋", "酸奶杯", "蒙古族刺绣挂件", "马头琴", "奶茶壶", "羊绒围巾", "光伏支架",
                   "储能柜", "手机壳", "茶具", "灯具"]

SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏飞斌辉宇浩凯健俊帆帅旭宁龙林欣晨阳巴特尔其其格乌兰图雅格日勒苏和"
BRANDS = ["华", "蒙", "鑫", "瑞", "恒", "泰", "远", "金", "晟", "源", "草原", "北方", "天骄", "绿能", "盛世", "中蒙", "塞北",
          "阴山", "黄河", "科尔沁"]
INDUSTRIES = {"battery": "新能源科技", "rare_earth": "稀土新材料", "grass": "草业", "dairy": "乳业",
              "livestock": "牧业", "coal": "煤化工", "solar_wind": "光伏科技", "computing": "信息技术",
              "machinery": "机械制造", "medicine": "蒙药制药", "environment": "环保科技"}
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "科技有限公司"]
UNIVERSITIES = ["内蒙古大学", "内蒙古农业大学", "内蒙古工业大学", "内蒙古科技大学", "内蒙古师范大学", "内蒙古医科大学",
                "内蒙古民族大学", "赤峰学院", "呼伦贝尔学院", "集宁师范学院", "清华大学", "浙江大学", "郑州大学",
                "北京科技大学", "中国农业大学", "江南大学", "西北农林科技大学", "哈尔滨工业大学"]
INSTITUTES = ["包头稀土研究院", "中国科学院过程工程研究所", "内蒙古自治区农牧业科学院", "中国农业科学院草原研究所",
              "内蒙古自治区林业科学研究院", "中国科学院大连化学物理研究所", "白云鄂博稀土资源研究院",
              "内蒙古乳业技术研究院", "中科大数据研究院", "煤炭科学技术研究院"]
ROADS = ["建设路", "钢铁大街", "阿尔丁大街", "民族东路", "新华大街", "科技路", "创业大道", "工业园区纬三路", "滨河路",
         "学府路", "胜利路", "团结大街"]
PROVINCES = [  # (full name, short name, code, [(city, county)]) — outside Inner Mongolia
    ("北京市", "北京", "11", [("", "海淀区"), ("", "朝阳区")]), ("上海市", "上海", "31", [("", "浦东新区")]),
    ("河南省", "河南", "41", [("郑州市", "金水区"), ("洛阳市", "涧西区")]),
    ("江苏省", "江苏", "32", [("南京市", "玄武区"), ("苏州市", "吴中区")]),
    ("广东省", "广东", "44", [("深圳市", "南山区"), ("广州市", "天河区")]),
    ("浙江省", "浙江", "33", [("杭州市", "西湖区")]), ("山东省", "山东", "37", [("济南市", "历下区"), ("青岛市", "黄岛区")]),
    ("陕西省", "陕西", "61", [("西安市", "雁塔区")]), ("辽宁省", "辽宁", "21", [("沈阳市", "和平区")]),
    ("黑龙江省", "黑龙江", "23", [("哈尔滨市", "南岗区")]), ("河北省", "河北", "13", [("石家庄市", "长安区")]),
    ("山西省", "山西", "14", [("太原市", "小店区")]), ("宁夏回族自治区", "宁夏", "64", [("银川市", "兴庆区")]),
    ("四川省", "四川", "51", [("成都市", "武侯区")]), ("湖北省", "湖北", "42", [("武汉市", "洪山区")]),
]
AGENCY_WORDS = ["智汇", "知本", "正理", "华夏", "北创", "鼎佳", "明华", "君信", "蒙知", "信诺"]
YEARS = list(range(2005, 2025))
TODAY = dt.date(2025, 6, 30)


_EPOCH = dt.date(2000, 1, 1).toordinal()
# Day number since 2000-01-01 → ("20221202", "2022-12-02"): strftime per row is the slowest part.
_DAYS = [((d := dt.date.fromordinal(_EPOCH + i)).strftime("%Y%m%d"), d.isoformat()) for i in range(40 * 366)]
_TODAY = TODAY.toordinal() - _EPOCH
_YEAR_START = {year: dt.date(year, 1, 1).toordinal() - _EPOCH for year in range(2000, 2040)}
# Geometric-looking small counts drawn by table lookup (expovariate per row is slow).
_IPC_RANK = [0] * 60 + [1] * 25 + [2] * 10 + [3] * 4 + [4]
_AGENCY_RANK = [min(int(-2.5 * math.log(1 - (i + 0.5) / 100)), 9) for i in range(100)]
# Weighted digit sums of a 7-digit serial (weights 7, 8, 9, 2 | 3, 4, 5), split for table lookup.
_SERIAL_HI = [sum(int(d) * w for d, w in zip(f"{i:04d}", (7, 8, 9, 2), strict=True)) for i in range(10_000)]
_SERIAL_LO = [sum(int(d) * w for d, w in zip(f"{i:03d}", (3, 4, 5), strict=True)) for i in range(1_000)]
_CITATIONS = [str(c) for c in [0] * 60 + [1] * 15 + [2] * 10 + [3] * 6 + [4] * 4 + [5, 6, 8, 10, 15]]
# Simple family sizes (the CN document itself counts): mostly alone, inventions now and then abroad.
_FAMILY_INVENTION = [str(c) for c in [1] * 75 + [2] * 12 + [3] * 6 + [4] * 3 + [5, 6, 8, 12]]
_FAMILY_OTHER = [str(c) for c in [1] * 97 + [2, 2, 3]]
# Claims: an invention has ~10 (1 independent + dependants), a utility model ~6, a design none.
_CLAIMS = {"invention": [str(c) for c in range(3, 21)] + ["8", "9", "10", "10", "11", "12"],
           "utility": [str(c) for c in range(1, 11)] + ["5", "6", "6", "7"], "design": ["0"]}


def _zipf_cum(n: int, s: float = 1.07) -> list[float]:
    return list(itertools.accumulate(1 / (rank ** s) for rank in range(1, n + 1)))


class PatentGenerator:
    """Deterministic stream of export-layout rows (lists in GENERATED_HEADERS order)."""

    def __init__(self, seed: int = 0, *, applicants: int = 5000):
        self.rng = rng = random.Random(seed)
        # The family size and claims are drawn from a stream of their own, so adding them left
        # every other column of a seed's records as it was.
        self.extra_rng = random.Random(seed * 7919 + 1)
        self.areas = list(AREAS)
        self.area_cum = list(itertools.accumulate(AREAS[a][0] for a in self.areas))
        self.year_cum = list(itertools.accumulate(1.16 ** (y - YEARS[0]) for y in YEARS))
        self.banners = self._banners()
        self.applicants = [self._applicant(i) for i in range(applicants)]
        self.applicant_cum = _zipf_cum(applicants)
        self.agencies = []
        for word in AGENCY_WORDS:
            staff = [self._person() for _ in range(3)]
            name = (f"{rng.choice(['呼和浩特', '包头', '北京', '郑州', '鄂尔多斯'])}{word}专利代理"
                    f"{rng.choice(['事务所（普通合伙）', '有限公司'])}")
            self.agencies.append((name, [staff[0], staff[1], f"{staff[1]};{staff[2]}"]))
        self.inventor_cells = []
        for _ in range(20000):
            people = [self._person() for _ in range(self._int(1, 5))]
            self.inventor_cells.append((";".join(people), people[0]))
        self.texts = {(area, ptype): [self._texts(area, ptype) for _ in range(400)]
                      for area in self.areas for ptype in ("invention", "utility", "design")}
        self.region_rng = random.Random(seed * 104_729 + 3)
        self.regional_texts = {
            (area, ptype): [self._texts(area, ptype, rng=self.region_rng, subjects=subjects) for _ in range(100)]
            for area, subjects in REGIONAL_SUBJECTS.items() for ptype in ("invention", "utility", "design")}
        self.serials: dict[tuple, int] = {}
        self.check_prefix: dict[tuple, int] = {}
        self.pub_serials = {"A": 100_000_000, "U": 200_000_000, "S": 300_000_000}
        self.count = 0

    @staticmethod
    def _banners() -> list[tuple[str, str]]:
        """(league name, banner name) of every Inner Mongolia banner/county in the Region data."""
        rows = list(csv.DictReader(REGIONS_CSV.open(encoding="utf-8")))
        leagues = {r["code"]: r["name"] for r in rows if r["level"] == "league"}
        return [(leagues[r["parent_code"]], r["name"]) for r in rows
                if r["level"] == "county" and r["parent_code"] in leagues]

    def _person(self) -> str:
        rng = self.rng
        return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))

    def _address(self, inner_mongolia: bool) -> tuple[str, str, str]:
        """(address, 国省代码 cell, short place name for company names)."""
        rng = self.rng
        road = f"{rng.choice(ROADS)}{rng.randint(1, 300)}号"
        if inner_mongolia:
            league, banner = rng.choice(self.banners)
            return f"0{rng.randint(10000, 29999)}内蒙古自治区{league}{banner}{road}", "内蒙古(15)", league[:2]
        full, short, code, places = rng.choice(PROVINCES)
        city, county = rng.choice(places)
        return f"{full}{city}{county}{road}", f"{short}({code})", (city or full)[:2]

    def _applicant(self, index: int) -> tuple[str, str, str, str, str]:
        """(name, type cell, address, 国省代码, IPC area) of one applicant of the pool."""
        rng = self.rng
        area = self.areas[bisect.bisect(self.area_cum, rng.random() * self.area_cum[-1])]
        kind = rng.random()
        address, region, place = self._address(rng.random() < 0.55)
        if kind < 0.06:
            name, cell = UNIVERSITIES[index % len(UNIVERSITIES)], "大专院校"
        elif kind < 0.1:
            name, cell = INSTITUTES[index % len(INSTITUTES)], "科研机构"
        elif kind < 0.25:
            name, cell = self._person(), "个人"
        else:
            name = f"{place}{rng.choice(BRANDS)}{rng.choice(BRANDS)}{INDUSTRIES[area]}{rng.choice(SUFFIXES)}"
            cell = "企业"
        return name, cell, address, region, area

    def _pick(self, seq):
        return seq[int(self.rng.random() * len(seq))]

    def _int(self, low: int, high: int) -> int:
        return low + int(self.rng.random() * (high - low + 1))

    def _application_number(self, year: int, kind: str) -> str:
        key = (year, kind)
        serial = self.serials.get(key, 0) + 1
        self.serials[key] = serial
        digits = f"{year}{kind}{serial:07d}"
        prefix = self.check_prefix.get(key)
        if prefix is None:  # Σ digit × weight of the year and kind, once per pair
            prefix = self.check_prefix[key] = sum(int(d) * w for d, w in zip(digits[:5], _APP_WEIGHTS, strict=False))
        total = prefix + _SERIAL_HI[serial // 1000] + _SERIAL_LO[serial % 1000]
        return f"CN{digits}.{'X' if total % 11 == 10 else total % 11}"

    def _texts(self, area: str, ptype: str, *, rng: random.Random | None = None,
               subjects: list[str] | None = None) -> tuple[str, str, str, str, str]:
        """(title, abstract, first claim, main IPC, IPC cell) composed from the area's words
        (about one of `subjects` when given, drawn from `rng` when given)."""
        rng = rng or self.rng
        pick = self._pick if rng is self.rng else (lambda seq: seq[int(rng.random() * len(seq))])
        _weight, subclasses, area_subjects, components, effects = AREAS[area]
        subject = pick(subjects or area_subjects)
        c1, c2, c3 = rng.sample(components, 3)
        subclass, groups = subclasses[min(pick(_IPC_RANK), len(subclasses) - 1)]
        main_ipc = subclass + pick(groups)
        ipcs = [main_ipc]
        for _ in range(pick((0, 1, 1, 2, 3))):
            sub, grp = pick(subclasses)
            code = sub + pick(grp)
            if code not in ipcs:
                ipcs.append(code)
        if ptype == "design":
            title = pick(DESIGN_PRODUCTS) + pick(("", "（一）", "（二）", "（蒙古族风格）"))
            return title, f"本外观设计产品的名称为{title}，用于{subject}，设计要点在于产品的形状与图案的结合。", "", "", ""
        if ptype == "invention":
            title, lead = pick(TEMPLATES_INVENTION).format(s=subject, t=pick(TECHS)), "本发明公开了"
        else:
            title, lead = pick(TEMPLATES_UTILITY).format(s=subject, d=pick(DEVICES)), "本实用新型公开了"
        abstract = (f"{lead}一种{subject}，包括{c1}、{c2}和{c3}，所述{c1}与{c2}连接，所述{c3}设置在{c2}的一侧。"
                    f"{pick(effects)}，{pick(effects)}。")
        claim = f"1.一种{subject}，其特征在于，包括{c1}、{c2}和{c3}，所述{c1}与{c2}固定连接。"
        return title, abstract, claim, main_ipc, ";".join(ipcs)

    def row(self) -> list:
        """One record. The texts and inventor lists come from pools composed at start (a few
        hundred per area and type), so a row costs a dozen random draws."""
        random_, self.count = self.rng.random, self.count + 1
        name, type_cell, address, region, area = self.applicants[
            bisect.bisect(self.applicant_cum, random_() * self.applicant_cum[-1])]
        names_cell, types_cell, first_name = name, type_cell, name
        if random_() < 0.15:
            other = self.applicants[int(random_() * len(self.applicants))]
            if other[0] != name:
                names_cell, types_cell = f"{name};{other[0]}", f"{type_cell};{other[1]}"
        if random_() < 0.2:  # applicants file outside their main field too
            area = self.areas[bisect.bisect(self.area_cum, random_() * self.area_cum[-1])]
        year = YEARS[bisect.bisect(self.year_cum, random_() * self.year_cum[-1])]
        roll = random_()
        ptype = "invention" if roll < 0.42 else "design" if roll > 0.92 else "utility"
        texts = self.texts[(area, ptype)]
        title, abstract, claim, main_ipc, ipc_cell = texts[int(random_() * len(texts))]
        if region == INNER_MONGOLIA_CELL and area in REGIONAL_SUBJECTS and self.region_rng.random() < REGIONAL_SHARE:
            regional = self.regional_texts[(area, ptype)]
            title, abstract, claim, main_ipc, ipc_cell = regional[int(self.region_rng.random() * len(regional))]
        app_day = _YEAR_START[year] + int(random_() * 365)
        days = _DAYS
        events = [days[app_day][1] + " 申请"]
        grant_number = ""
        grant_day = None
        if ptype == "invention":
            kind_digit = "8" if random_() < 0.04 else "1"
            pub_day = app_day + 90 + int(random_() * 450)
            serial = self.pub_serials["A"] = self.pub_serials["A"] + 1
            pub_number, type_cell_text = f"CN{serial}A", "发明公开"
            events.append(days[pub_day][1] + " 公开")
            exam_day = pub_day + 10 + int(random_() * 110)
            if exam_day < _TODAY:
                events.append(days[exam_day][1] + " 实质审查的生效")
            decided = exam_day + 300 + int(random_() * 800)
            fate = random_()
            if decided > _TODAY:
                status = "审中-实质审查"
            elif fate < 0.6:
                grant_day, grant_number, type_cell_text = decided, f"CN{serial}B", "发明公开;发明授权"
                events.append(days[decided][1] + " 授权")
                status = self._after_grant(decided, 20, events)
            elif fate < 0.8:
                status = "无权-视为撤回"
                events.append(days[decided][1] + " 发明专利申请公布后的视为撤回")
            else:
                status = "无权-驳回"
                events.append(days[decided][1] + " 发明专利申请公布后的驳回")
        else:
            kind_digit, letter, years, type_cell_text = (
                ("2", "U", 10, "实用新型") if ptype == "utility" else ("3", "S", 15, "外观设计"))
            serial = self.pub_serials[letter] = self.pub_serials[letter] + 1
            pub_number = f"CN{serial}{letter}"
            pub_day = app_day + 120 + int(random_() * 210)
            grant_number, grant_day = pub_number, pub_day
            events.append(days[pub_day][1] + " 授权")
            status = self._after_grant(pub_day, years, events)
        app_number = self._application_number(year, kind_digit)
        inventors, first_inventor = self.inventor_cells[int(random_() * len(self.inventor_cells))]
        if type_cell == "个人" and random_() < 0.6:
            agency = agents = ""
        else:
            agency, agent_cells = self.agencies[_AGENCY_RANK[int(random_() * 100)]]
            agents = agent_cells[int(random_() * 3)]
        priority = priority_date = ""
        if random_() < 0.03:
            digits = f"{year - 1}1{1 + int(random_() * 9_999_998):07d}"
            priority = f"CN{digits}.{application_check_char(digits)}"
            priority_date = days[app_day - 30 - int(random_() * 330)][0]
        roll = random_()
        transfers, licences, pledges = ("1" if roll < 0.05 else "0", "1" if 0.05 <= roll < 0.07 else "0",
                                        "1" if 0.07 <= roll < 0.09 else "0")
        grant_date = days[grant_day][0] if grant_day is not None else "0"
        extra = self.extra_rng.random
        family = (_FAMILY_INVENTION if ptype == "invention" else _FAMILY_OTHER)[int(extra() * 100)]
        claims = _CLAIMS[ptype][int(extra() * len(_CLAIMS[ptype]))]
        return [
            str(self.count), days[app_day][0], days[pub_day][0], grant_date, names_cell,
            inventors, app_number, pub_number, grant_number, type_cell_text, title, title if grant_number else "",
            abstract, claim, address, status, main_ipc, ipc_cell, region, agents, agency, priority, priority_date,
            "1" if priority else "0", "查看" + app_number, first_inventor, first_name, types_cell, inventors,
            names_cell, address.lstrip("0123456789"), agents, agency, "", "; ".join(events), "", "",
            _CITATIONS[int(random_() * len(_CITATIONS))], "", transfers, licences, pledges, family, "", "0", "", "",
            "", "", "", "", "", "", "", "", "", "", "", "", "0", "0", claims,
        ]

    def _after_grant(self, grant_day: int, years: int, events: list) -> str:
        """The status of a granted patent today: in force, lapsed for unpaid fees or expired."""
        end = grant_day + years * 365 + years // 4
        if end <= _TODAY:
            events.append(_DAYS[end][1] + " 专利权期限届满")
            return "无权-期限届满"
        if self.rng.random() < 0.3:
            lapse = grant_day + self._int(365, 2200)
            if lapse < _TODAY:
                events.append(_DAYS[lapse][1] + " 未缴年费专利权终止")
                return "无权-未缴年费"
        return "有权-审定授权"

    def rows(self, count: int) -> Iterator[list]:
        for _ in range(count):
            yield self.row()


def generate_patents_file(*, path: Path | str, count: int, seed: int = 0) -> int:
    """Write `count` synthetic records to `path`: CSV (UTF-8 with BOM, as Excel saves it) by
    default, .xlsx or .jsonl (one object per line keyed by the export headers) by extension."""
    path = Path(path)
    generator = PatentGenerator(seed)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(GENERATED_HEADERS)
        for row in generator.rows(count):
            sheet.append(row)
        book.save(path)
    elif suffix == ".jsonl":
        with open(path, "w", encoding="utf-8") as out:
            for row in generator.rows(count):
                out.write(json.dumps(dict(zip(GENERATED_HEADERS, row, strict=True)), ensure_ascii=False) + "\n")
    else:
        with open(path, "w", encoding="utf-8-sig", newline="") as out:
            # The vocabulary holds no ASCII comma, quote or newline, so a plain join is valid
            # CSV and three times faster than csv.writer for 62 columns.
            out.write(",".join(GENERATED_HEADERS) + "\n")
            row, lines = generator.row, []
            for done in range(1, count + 1):
                lines.append(",".join(row()))
                if done % 2000 == 0 or done == count:
                    lines.append("")
                    out.write("\n".join(lines))
                    lines = []
    return count
