"""Masking for display."""

from __future__ import annotations

import pytest

from neibao_privacy import mask_address, mask_name, mask_phone, mask_plate, mask_resident_id


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("11010519491231002X", "110105********002X"),
        ("11010519491231002x", "110105********002X"),
        ("210102199003071233", "210102********1233"),
        ("2101021990", "**********"),
        ("", ""),
    ],
)
def test_mask_resident_id(value: str, masked: str) -> None:
    assert mask_resident_id(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("13812345678", "138****5678"),
        ("+86 138-1234-5678", "138****5678"),
        ("024-23456789", "024****6789"),
        ("1234567", "*******"),
        ("110", "***"),
    ],
)
def test_mask_phone(value: str, masked: str) -> None:
    assert mask_phone(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("欧阳娜", "欧阳*"),
        ("欧阳", "欧*"),
        ("诸葛亮", "诸葛*"),
        ("李", "*"),
        (" 王小明 ", "王**"),
        ("", ""),
    ],
)
def test_mask_name(value: str, masked: str) -> None:
    assert mask_name(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [
        ("辽宁省沈阳市和平区南京北街206号", "辽宁省沈阳市和平区****"),
        ("辽宁省 沈阳市 和平区 南京北街206号3单元", "辽宁省沈阳市和平区****"),
        ("北京市朝阳区建国路88号", "北京市朝阳区****"),
        ("辽宁省大连市金州区某某路1号", "辽宁省大连市金州区****"),
        ("辽宁省沈阳市新民市大民屯镇", "辽宁省沈阳市新民市****"),
        ("辽宁省阜新市阜新蒙古族自治县某镇", "辽宁省阜新市阜新蒙古族自治县****"),
        ("内蒙古自治区呼和浩特市新城区某路1号", "内蒙古自治区呼和浩特市新城区****"),
        ("上海市浦东新区世纪大道100号", "上海市浦东新区****"),
        ("和平区南京北街206号", "和平区****"),
        ("辽宁省沈阳市", "辽宁省沈阳市"),
        # an estate ending in 区 is not a district: mask rather than reveal it
        ("沈阳市中华路小区3号楼", "沈阳市****"),
        # nothing recognisable: everything masked
        ("南京北街206号", "****"),
        ("", ""),
    ],
)
def test_mask_address(value: str, masked: str) -> None:
    assert mask_address(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("辽A12345", "辽A***45"), ("辽a·12345", "辽A***45"), ("辽AD12345", "辽A****45"), ("辽A1", "***")],
)
def test_mask_plate(value: str, masked: str) -> None:
    assert mask_plate(value) == masked
