"""Chinese names: surname frequencies by ethnic group and given-name characters by era.

National surname order follows the Ministry of Public Security's household-register ranking
(王 李 张 刘 陈 …) [M]; weights are a smoothed power law over that order. The ethnic pools
list the surnames most common among Guizhou's Buyei, Miao, Dong, Yao, Shui, Tujia, Yi, Hui and
Gelao people [M]. Names are built without a Python loop: indices into these pools are turned
into strings with Arrow.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

NATIONAL = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程"
    "魏苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾"
    "龚邵万覃武钱戴严莫孔向常汤康易乔赖文施洪樊")

ETHNIC_SURNAMES = {
    "09": "王黄罗韦岑陆梁杨班莫卢吴蒙潘覃石李周陈刘",   # Buyei
    "06": "杨王吴龙石罗张李熊潘陶韦刘陈雷杨欧侯麻龙",   # Miao
    "12": "杨吴石龙潘姚欧陆李张",                       # Dong
    "13": "盘赵李蒙罗黄邓冯",                           # Yao
    "25": "韦蒙潘石吴陆杨",                             # Shui
    "15": "田向彭杨冉张李王",                           # Tujia
    "07": "安禄陈龙王杨李张",                           # Yi
    "03": "马丁李王白张",                               # Hui
    "37": "王李张陈罗",                                 # Gelao
}

GIVEN = {
    ("M", 0): "国建明文华光志德正永成忠学家荣贵发福清金林生兴才开仁树昌富顺",
    ("M", 1): "伟军勇强平波涛斌辉鹏杰刚峰磊超明东江海飞红兵俊华林云龙宇坤亮",
    ("M", 2): "浩宇轩子涵睿博晨俊杰铭泽豪宸航皓然凯鑫天一文嘉瑞锦煜阳明诚毅",
    ("F", 0): "秀英兰芳珍玉桂凤菊琴梅春花翠莲娥香素淑慧金银妹仙",
    ("F", 1): "丽艳红霞敏静燕娟琳萍芳玲婷莉丹洁雪梅慧平美云琼琴英晶莎兰蓉倩",
    ("F", 2): "欣怡梓涵诗雨萱可馨思佳琪悦彤蕊妍晨语子一若心依雅婧钰瑶紫安桐",
}


def _weights(n: int, power: float = 0.9) -> np.ndarray:
    w = 1.0 / np.arange(1, n + 1) ** power
    return w / w.sum()


def _pool(ethnicity: str) -> tuple[str, np.ndarray]:
    """Surname characters and probabilities for one ethnic group."""
    if ethnicity in ETHNIC_SURNAMES:
        chars = ETHNIC_SURNAMES[ethnicity]
        # 85% from the group's own list, 15% from the national list
        own = _weights(len(chars), 0.8) * 0.85
        nat = _weights(len(NATIONAL)) * 0.15
        allc = chars + NATIONAL
        p = np.concatenate([own, nat])
        return allc, p
    return NATIONAL, _weights(len(NATIONAL))


def surnames(rng: np.random.Generator, ethnicity: np.ndarray) -> pa.Array:
    """One surname per row, drawn from the pool of the row's ethnic group."""
    n = len(ethnicity)
    out_idx = np.zeros(n, dtype=np.int64)
    table: list[str] = []
    for eth in np.unique(ethnicity):
        rows = np.flatnonzero(ethnicity == eth)
        chars, p = _pool(str(eth))
        pick = rng.choice(len(chars), size=rows.size, p=p)
        out_idx[rows] = pick + len(table)
        table.extend(chars)
    return pa.array(table, pa.string()).take(pa.array(out_idx))


def given_names(rng: np.random.Generator, sex_male: np.ndarray,
                birth_year: np.ndarray) -> pa.Array:
    """Given names of one or two characters, by sex and birth era."""
    n = len(sex_male)
    era = np.where(birth_year < 1970, 0, np.where(birth_year < 1995, 1, 2))
    table: list[str] = []
    first = np.zeros(n, dtype=np.int64)
    second = np.zeros(n, dtype=np.int64)
    for (sex, e), chars in GIVEN.items():
        rows = np.flatnonzero((sex_male == (sex == "M")) & (era == e))
        base = len(table)
        table.extend(chars)
        first[rows] = base + rng.integers(0, len(chars), rows.size)
        second[rows] = base + rng.integers(0, len(chars), rows.size)
    table.append("")
    single = rng.random(n) < np.where(era == 0, 0.35, np.where(era == 1, 0.2, 0.1))
    second[single] = len(table) - 1
    chars = pa.array(table, pa.string())
    return pc.binary_join_element_wise(chars.take(pa.array(first)),
                                       chars.take(pa.array(second)), "")


def full_names(surname: pa.Array, given: pa.Array) -> pa.Array:
    return pc.binary_join_element_wise(surname, given, "")
