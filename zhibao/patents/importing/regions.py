"""The regions of applicants' addresses for an import: province, city, county and, inside
Inner Mongolia, the league and banner (GB/T 2260 codes from the core Region table)."""

import re

from .. import normalize as n


class RegionResolver:
    """Province, city, county (and the Inner Mongolia league and banner) of addresses.

    cpca takes ~0.4 s to start and is slow per call, so addresses are resolved a batch at a
    time — every distinct uncached address of the batch in one cpca.transform — and cached
    for the whole import. League and banner codes come from the core Region table (GB/T 2260),
    read once.
    """

    INNER_MONGOLIA = "15"

    def __init__(self):
        from zhibao.core.models import Region

        self.cache: dict[str, tuple[str, str, str, str]] = {}
        self.provinces: dict[str, tuple[str, str]] = {}  # name or short name → (short name, code)
        self.province_by_code: dict[str, str] = {}
        self.banners: dict[str, str] = {}  # banner code → league code
        self.leagues: set[str] = set()
        for code, name, short, level, parent in Region.objects.values_list(
                "code", "name", "short_name", "level", "parent_id"):
            if level == "province":
                short = short or name
                self.provinces[name] = self.provinces[short] = (short, code[:2])
                self.province_by_code[code[:2]] = short
            elif level == "league":
                self.leagues.add(code)
            elif level == "county":
                self.banners[code] = parent

    def resolve(self, addresses) -> None:
        """Resolve every not yet cached address (one cpca call for all of them)."""
        todo = [a for a in dict.fromkeys(addresses) if a and a not in self.cache]
        if not todo:
            return
        import cpca

        frame = cpca.transform(todo)
        for address, province, city, county, adcode in zip(todo, frame["省"], frame["市"], frame["区"],
                                                            frame["adcode"], strict=True):
            self.cache[address] = tuple(self._clean(v) for v in (province, city, county, adcode))

    @staticmethod
    def _clean(value) -> str:
        text = "" if value is None else str(value)
        return "" if text in ("nan", "None", "市辖区", "县") else text

    def _province(self, name: str, code: str = "") -> tuple[str, str]:
        if name in self.provinces:
            return self.provinces[name]
        if code and code in self.province_by_code:
            return self.province_by_code[code], code
        return name, code

    def apply(self, record: dict) -> None:
        """Fill the record's and its applicants' regions from the (resolved) addresses; the
        province-code cell (国省代码) and explicit region cells fill what addresses do not give."""
        for applicant in record["applicants"]:
            address = applicant.get("address")
            if address and address in self.cache and not applicant.get("province"):
                province, city, county, _adcode = self.cache[address]
                applicant["province"] = self._province(province)[0] if province else ""
                applicant["city"], applicant["county"] = city, county
        first = record["applicants"][0] if record["applicants"] else None
        adcode = ""
        if first and first.get("address") in self.cache:
            province, city, county, adcode = self.cache[first["address"]]
            if province:
                record["province"], record["province_code"] = self._province(province, adcode[:2])
                record["city"], record["county"] = city[:30], county[:30]
        cell_name, cell_code = n.parse_province_code(record["province_code"]) if record["province_code"] \
            else ("", "")
        if not adcode or not record["province"]:
            name, code = self._province(cell_name or record["province"], cell_code)
            name = re.sub(r"[(（].*?[)）]", "", name).strip()
            record["province"], record["province_code"] = name[:20], (code if re.fullmatch(r"\d{2}", code) else "")
        elif len(record["province_code"]) != 2:
            record["province_code"] = adcode[:2]
        if adcode.startswith(self.INNER_MONGOLIA):
            if adcode in self.banners:
                record["banner_code"], record["league_code"] = adcode, self.banners[adcode]
            elif adcode[:4] + "00" in self.leagues:
                record["league_code"] = adcode[:4] + "00"
        if first and not first.get("province"):
            first["province"], first["city"], first["county"] = record["province"], record["city"], record["county"]

    def addresses(self, record: dict) -> list[str]:
        return [a["address"] for a in record["applicants"] if a.get("address")]
