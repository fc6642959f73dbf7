"""Place names, person names and phone numbers.

County 0 uses the public place names of Changxing county (towns are public
geography); every other county gets generated names from syllable tables that carry
their pinyin. People's names always come from Faker's zh_CN provider, seeded.
"""

from __future__ import annotations

import numpy as np
from faker import Faker
from faker.providers.person.zh_CN import Provider as _PersonProvider

# (hanzi, pinyin) syllables for generated place names.
_PREFIX = tuple(
    tuple(p.split(":"))
    for p in (
        "新:xin 大:da 小:xiao 长:chang 青:qing 白:bai 石:shi 花:hua 竹:zhu 金:jin 丰:feng 和:he "
        "平:ping 安:an 宁:ning 兴:xing 龙:long 凤:feng 梅:mei 松:song 杨:yang 柳:liu 桃:tao 方:fang "
        "前:qian 后:hou 高:gao 红:hong 光:guang 明:ming 五:wu 三:san 永:yong 福:fu 康:kang 仁:ren "
        "华:hua 胜:sheng 春:chun 秋:qiu 东:dong 西:xi 南:nan 北:bei 上:shang 下:xia 陈:chen 王:wang "
        "周:zhou 沈:shen 徐:xu 吴:wu 朱:zhu 姚:yao 钱:qian 孙:sun 蒋:jiang 潘:pan 章:zhang 芦:lu "
        "荷:he 清:qing 云:yun 泉:quan 江:jiang 湖:hu 塔:ta 古:gu 双:shuang 万:wan 八:ba 九:jiu 合:he "
        "鹤:he 乌:wu 黄:huang 绿:lü 翠:cui 锦:jin 桑:sang 茶:cha 银:yin 玉:yu 瑞:rui 顺:shun"
    ).split()
)
_SUFFIX = tuple(
    tuple(p.split(":"))
    for p in (
        "桥:qiao 塘:tang 湾:wan 山:shan 河:he 溪:xi 林:lin 港:gang 庄:zhuang 口:kou 坞:wu 岭:ling "
        "田:tian 浦:pu 荡:dang 墩:dun 埠:bu 里:li 坝:ba 园:yuan 头:tou 浜:bang 家:jia 兜:dou 渡:du "
        "亭:ting 泾:jing 洋:yang 圩:wei 岗:gang 坪:ping 垄:long"
    ).split()
)
_ROAD_MID = "兴华明园康和安宁泰丰盛昌阳新城中环滨湖"
_ROAD_END = ("路", "路", "路", "街", "大道", "巷")

DIRECTIONS_ZH = {
    "N": "北",
    "NE": "东北",
    "E": "东",
    "SE": "东南",
    "S": "南",
    "SW": "西南",
    "W": "西",
    "NW": "西北",
    "C": "中",
}
DIRECTIONS_EN = {
    "N": "North",
    "NE": "Northeast",
    "E": "East",
    "SE": "Southeast",
    "S": "South",
    "SW": "Southwest",
    "W": "West",
    "NW": "Northwest",
    "C": "Central",
}

# County 0: Changxing's public geography. Offsets are km east/north of the county
# centre; residents and floating population in thousands (shaped by the reference
# scenario, not official statistics). Roles: the old urban station, the textile town
# and the rural station with the tourist village.
REAL_COUNTY = ("长兴", "Changxing")
REAL_STATIONS: tuple[tuple[str, str, str, str, str, tuple[float, float], int, int], ...] = (
    # short, pinyin, seat, station type, role, offset km, residents k, floating k
    ("雉城", "Zhicheng", "街道", "full_spectrum", "old_urban", (5.5, 2.0), 105, 32),
    ("龙山", "Longshan", "街道", "full_spectrum", "", (6.5, -3.5), 72, 22),
    ("夹浦", "Jiapu", "镇", "proactive", "textile", (13.0, 9.0), 52, 46),
    ("泗安", "Si'an", "镇", "proactive", "", (-17.0, -6.0), 50, 9),
    ("煤山", "Meishan", "镇", "proactive", "", (-17.0, 6.0), 45, 10),
    ("和平", "Heping", "镇", "proactive", "", (-6.0, -10.0), 42, 7),
    ("李家巷", "Lijiaxiang", "镇", "proactive", "", (9.0, -9.0), 48, 14),
    ("水口", "Shuikou", "乡", "preventive", "tourist", (0.0, 11.0), 24, 4),
    ("洪桥", "Hongqiao", "镇", "preventive", "", (15.0, -4.0), 38, 6),
    ("林城", "Lincheng", "镇", "preventive", "", (-11.0, -2.0), 32, 5),
    ("虹星桥", "Hongxingqiao", "镇", "preventive", "", (-4.0, -2.0), 33, 5),
    ("吕山", "Lüshan", "乡", "preventive", "", (3.0, -14.0), 30, 4),
    ("小浦", "Xiaopu", "镇", "preventive", "", (-8.0, 8.0), 28, 4),
)
REAL_TOURIST_VILLAGE = ("顾渚", "Guzhu")


def pinyin_join(parts: list[str]) -> str:
    """Join pinyin syllables into a capitalised name, with an apostrophe before a, o, e."""
    out = parts[0]
    for p in parts[1:]:
        out += ("'" if p[0] in "aoe" else "") + p
    return out[:1].upper() + out[1:]


class PlaceNamer:
    """Unique generated place names (hanzi, pinyin) for one county."""

    def __init__(self, rng: np.random.Generator, reserved: set[str] | None = None) -> None:
        self._rng = rng
        self._used: set[str] = set(reserved or ())

    def take(self, three: float = 0.15) -> tuple[str, str]:
        for _ in range(10_000):
            parts = []
            if self._rng.random() < three:
                parts.append(_PREFIX[self._rng.integers(len(_PREFIX))])
            parts.append(_PREFIX[self._rng.integers(len(_PREFIX))])
            parts.append(_SUFFIX[self._rng.integers(len(_SUFFIX))])
            zh = "".join(p[0] for p in parts)
            if len(set(zh)) < len(zh) or zh in self._used:
                continue
            self._used.add(zh)
            return zh, pinyin_join([p[1] for p in parts])
        raise RuntimeError("ran out of place names")  # pragma: no cover - 100k+ combinations

    def road(self) -> str:
        p = _PREFIX[self._rng.integers(len(_PREFIX))][0]
        m = _ROAD_MID[self._rng.integers(len(_ROAD_MID))]
        if p == m:
            m = "兴"
        return p + m + _ROAD_END[self._rng.integers(len(_ROAD_END))]


def make_faker(seed: int) -> Faker:
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    return fake


class BulkNames:
    """Fast, vectorised names drawn from Faker's zh_CN person lists (for thousands of reporters)."""

    def __init__(self) -> None:
        last = _PersonProvider.last_names
        self._last = np.array(list(last.keys()))
        w = np.array(list(last.values()), dtype=float)
        self._last_p = w / w.sum()
        self._male = np.array(_PersonProvider.first_names_male)
        self._female = np.array(_PersonProvider.first_names_female)

    def names(self, rng: np.random.Generator, n: int, female_share: float = 0.45) -> list[str]:
        last = rng.choice(self._last, size=n, p=self._last_p)
        female = rng.random(n) < female_share
        first = np.where(
            female,
            self._female[rng.integers(len(self._female), size=n)],
            self._male[rng.integers(len(self._male), size=n)],
        )
        # A share of given names get a second character, as in Faker's own formats.
        second = np.where(
            female,
            self._female[rng.integers(len(self._female), size=n)],
            self._male[rng.integers(len(self._male), size=n)],
        )
        two = (rng.random(n) < 0.4) & (np.char.str_len(first) == 1) & (np.char.str_len(second) == 1)
        given = np.where(two, np.char.add(first, second), first)
        return np.char.add(last, given).tolist()


_PHONE_PREFIXES = np.array(
    [130, 131, 132, 133, 134, 135, 136, 137, 138, 139, 150, 151, 152, 153, 155, 156, 157, 158, 159]
    + [180, 181, 182, 183, 184, 185, 186, 187, 188, 189, 191, 198, 199]
)


def phones(rng: np.random.Generator, n: int, unique: bool = True) -> list[str]:
    """11-digit mobile numbers starting 13/15/18/19."""
    out: list[str] = []
    seen: set[str] = set()
    while len(out) < n:
        m = (n - len(out)) + 8
        pre = _PHONE_PREFIXES[rng.integers(len(_PHONE_PREFIXES), size=m)]
        rest = rng.integers(0, 100_000_000, size=m)
        for p, r in zip(pre.tolist(), rest.tolist(), strict=True):
            s = f"{p}{r:08d}"
            if unique:
                if s in seen:
                    continue
                seen.add(s)
            out.append(s)
            if len(out) == n:
                break
    return out
