"""Display masking of personal data, following common Chinese practice (GB/T 35273 style)."""

from __future__ import annotations

import re
from typing import Final

from neibao_privacy.blind_index import normalise_phone, normalise_plate, normalise_resident_id

MASK: Final = "*"

# 复姓: a name that starts with one of these keeps two characters, 欧阳娜娜 -> 欧阳**.
_COMPOUND_SURNAMES_TEXT: Final = (
    "欧阳 司马 上官 诸葛 东方 皇甫 尉迟 公孙 慕容 长孙 宇文 司徒 夏侯 轩辕 令狐 钟离 端木 独孤 "
    "南宫 西门 百里 呼延 万俟 澹台 公冶 太史 申屠 闻人 赫连 濮阳 淳于 单于 拓跋 司空 第五 东郭 "
    "左丘 谷梁 公羊 羊舌 微生 梁丘 亓官 仲孙 乐正 壤驷 公良 漆雕 宰父 巫马 段干 东门 鲜于 闾丘 "
    "子车 颛孙 司寇 公西 南门 呼衍 归海 羊角 宗政 少正 即墨 达奚 褚师 公门"
)
COMPOUND_SURNAMES: Final = frozenset(_COMPOUND_SURNAMES_TEXT.split())

# A division name: no digits, Latin letters or street words (路 街 道 巷 号 ...), so a street or an
# estate ending in 区 ("中华路小区") is never mistaken for a district. Misses only over-mask.
_NAME = r"[^\sA-Za-z0-9０-９路街道巷弄号楼栋室村组]{1,10}?"
_DIVISIONS = re.compile(
    rf"^(?:{_NAME}(?:省|自治区|特别行政区))?"
    rf"(?:{_NAME}(?:自治州|地区|盟|市))?"
    rf"(?:{_NAME}(?:自治县|自治旗|新区|林区|特区|区|县|旗|市))?"
)
_ADDRESS_TAIL: Final = MASK * 4


def _keep_ends(value: str, head: int, tail: int) -> str:
    """Keep `head` and `tail` characters and mask the middle; mask everything if too short."""
    if len(value) <= head + tail:
        return MASK * len(value)
    return value[:head] + MASK * (len(value) - head - tail) + value[len(value) - tail :]


def mask_resident_id(value: str) -> str:
    """First 6 and last 4 kept: 11010519491231002X -> 110105********002X."""
    return _keep_ends(normalise_resident_id(value), 6, 4)


def mask_phone(value: str) -> str:
    """First 3 and last 4 digits kept: 13812345678 -> 138****5678; short numbers fully masked."""
    digits = normalise_phone(value)
    if len(digits) < 8:
        return MASK * len(digits)
    return _keep_ends(digits, 3, 4)


def mask_name(value: str) -> str:
    """Surname kept, the rest masked: 张三 -> 张*, 欧阳娜娜 -> 欧阳**."""
    name = value.strip()
    if len(name) <= 1:
        return MASK * len(name)
    keep = 2 if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else 1
    return name[:keep] + "".join(" " if ch.isspace() else MASK for ch in name[keep:])


def mask_address(value: str) -> str:
    """Keep province, city and district, mask the rest: 沈阳市和平区北街1号 -> 沈阳市和平区****."""
    address = "".join(value.split())
    kept = _DIVISIONS.match(address)
    prefix = kept.group(0) if kept else ""
    if len(prefix) == len(address):
        return address
    # A fixed-width tail hides how long the street part was.
    return prefix + _ADDRESS_TAIL


def mask_plate(value: str) -> str:
    """Province and authority letter and the last 2 characters kept: 辽A12345 -> 辽A***45."""
    return _keep_ends(normalise_plate(value), 2, 2)
