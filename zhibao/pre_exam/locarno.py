"""The Locarno Classification (国际外观设计分类, 《建立工业品外观设计国际分类洛迦诺协定》): the 32
classes with their titles, official Chinese (CNIPA's translation) and English (WIPO).

A design application is classified by it, not by IPC: China has applied the Locarno Agreement
since 1996, and CNIPA prints the class and subclass (`LOC (15) Cl. 13-03`) on every design it
publishes; IPC is for inventions and utility models. A code is a
class (`14`) or a class and subclass (`14-03`); only the classes are listed here — a subclass
is accepted by its format (00–99), so a new edition's subclass needs no release. The titles
follow the 14th/15th editions (class 32 since the 11th); the center checks them against the
edition in force when WIPO publishes a new one (the classes have been stable since 2017).
"""

from django.utils.translation import get_language
from django.utils.translation import gettext as _

EDITION = 15

# code → (Chinese title, English title)
CLASSES: dict[str, tuple[str, str]] = {
    "01": ("食品", "Foodstuffs"),
    "02": ("服装和服饰用品", "Articles of clothing and haberdashery"),
    "03": (
        "其他类未列入的旅行用品、箱包、阳伞和个人用品",
        "Travel goods, cases, parasols and personal belongings, not elsewhere specified",
    ),
    "04": ("刷子", "Brushware"),
    "05": ("纺织品、人造和天然材料片材", "Textile piece goods, artificial and natural sheet material"),
    "06": ("家具和家居用品", "Furnishing"),
    "07": ("其他类未列入的家用物品", "Household goods, not elsewhere specified"),
    "08": ("工具和五金器具", "Tools and hardware"),
    "09": (
        "用于商品运输或装卸的包装和容器",
        "Packages and containers for the transport or handling of goods",
    ),
    "10": (
        "钟、表和其他计量仪器，检测和信号仪器",
        "Clocks and watches and other measuring instruments, checking and signalling instruments",
    ),
    "11": ("装饰品", "Articles of adornment"),
    "12": ("运输或提升工具", "Means of transport or hoisting"),
    "13": ("发电、配电或变电设备", "Equipment for production, distribution or transformation of electricity"),
    "14": ("录音、电信或数据处理设备", "Recording, telecommunication or data processing equipment"),
    "15": ("其他类未列入的机械", "Machines, not elsewhere specified"),
    "16": ("照相设备、电影摄影设备和光学设备", "Photographic, cinematographic and optical apparatus"),
    "17": ("乐器", "Musical instruments"),
    "18": ("印刷和办公机械", "Printing and office machinery"),
    "19": (
        "文具用品、办公设备、艺术家用品和教学用品",
        "Stationery and office equipment, artists' and teaching materials",
    ),
    "20": ("销售和广告设备、标志", "Sales and advertising equipment, signs"),
    "21": ("游戏器具、玩具、帐篷和体育用品", "Games, toys, tents and sports goods"),
    "22": (
        "武器、烟火用品、用于狩猎、捕鱼及捕杀有害动物的器具",
        "Arms, pyrotechnic articles, articles for hunting, fishing and pest killing",
    ),
    "23": (
        "液体分配设备、卫生设备、供暖设备、通风和空调设备、固体燃料",
        "Fluid distribution equipment, sanitary, heating, ventilation and air-conditioning equipment, solid fuel",
    ),
    "24": ("医疗设备和实验室设备", "Medical and laboratory equipment"),
    "25": ("建筑构件和施工元件", "Building units and construction elements"),
    "26": ("照明设备", "Lighting apparatus"),
    "27": ("烟草和吸烟用具", "Tobacco and smokers' supplies"),
    "28": (
        "药品、化妆品、梳妆用品和器具",
        "Pharmaceutical and cosmetic products, toilet articles and apparatus",
    ),
    "29": (
        "防火灾、防事故救援装置和设备",
        "Devices and equipment against fire hazards, for accident prevention and for rescue",
    ),
    "30": ("动物照管与驯养设备", "Articles for the care and handling of animals"),
    "31": (
        "其他类未列入的食品或饮料制作机械和设备",
        "Machines and appliances for preparing food or drink, not elsewhere specified",
    ),
    "32": ("图形符号和标识、表面图案、纹饰", "Graphic symbols and logos, surface patterns, ornamentation"),
}


def class_title(code: str) -> str:
    """The title of a code's class in the language of the request (Chinese unless English is
    asked for); "" for a class that does not exist."""
    titles = CLASSES.get((code or "")[:2])
    if titles is None:
        return ""
    return titles[1] if (get_language() or "zh-hans").startswith("en") else titles[0]


def label(code: str) -> str:
    """`24 医疗设备和实验室设备`; a subclass names its class: `13-03（第13类 发电、配电或变电设备）`."""
    title = class_title(code)
    if len(code) == 2 or not title:
        return f"{code} {title}".strip()
    return _("%(code)s (class %(cls)s: %(title)s)") % {"code": code, "cls": code[:2], "title": title}


def choices() -> list[tuple[str, str]]:
    """Every class as (code, label), for a select or a help text."""
    return [(code, label(code)) for code in CLASSES]
