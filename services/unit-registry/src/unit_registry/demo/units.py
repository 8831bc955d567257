"""Generated demo units: realistic names, addresses and places per type, valid USCCs, a few key units."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import accumulate
from typing import Final

from stdnum.cn import uscc as stdnum_uscc

from unit_registry.demo.places import (
    BANKS,
    BRAND_WORDS,
    BROKERS,
    CITY_CENTRES,
    EXPRESS_BRANDS,
    GIVEN_CHARS,
    INSURERS,
    STREET_WORDS,
    SURNAMES,
)
from unit_registry.domain.enums import (
    KEY_UNIT_CATEGORY_OF_TYPE,
    CoordinateSystem,
    KeyUnitCategory,
    Sector,
    UnitType,
)
from unit_registry.domain.jurisdiction import Division, PoliceStation
from unit_registry.domain.model import Location, Unit, UnitDraft

USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_ORG_WEIGHTS: Final = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"

DEMO_UNIT_USCC: Final = "91210102MA0LN001X3"
DEMO_EXPRESS_USCC: Final = "91210200MA0YP3D80R"
SEED_TIME: Final = datetime(2024, 1, 2, 9, 0, tzinfo=UTC)

PETROL_COMPANIES: Final = ("中国石油天然气股份有限公司辽宁", "中国石化销售股份有限公司辽宁")
TELECOM_COMPANIES: Final = (
    "中国移动通信集团辽宁有限公司",
    "中国联合网络通信有限公司",
    "中国电信股份有限公司",
)
ROAD_SUFFIXES: Final = ("路", "街", "大街")

Namer = Callable[[random.Random, str, str, str], str]
"""(rng, city short name, county name, street word) -> a unit name."""


@dataclass(frozen=True, slots=True)
class Profile:
    """How one unit type looks: its share, sectors, USCC kind and name pattern."""

    unit_type: UnitType
    weight: int
    sector: Sector
    extra_sectors: tuple[Sector, ...]
    institution: bool
    name: Namer


def _brand(rng: random.Random) -> str:
    return rng.choice(BRAND_WORDS)


PROFILES: Final[tuple[Profile, ...]] = (
    Profile(
        UnitType.ENTERPRISE,
        22,
        Sector.COMMERCE,
        (),
        False,
        lambda r, c, k, s: (
            f"{c}{_brand(r)}{r.choice(('商贸', '科技', '实业', '电子', '机械', '食品', '建材'))}有限公司"
        ),
    ),
    Profile(
        UnitType.POSTAL_EXPRESS,
        8,
        Sector.POSTAL,
        (),
        False,
        lambda r, c, k, s: f"{c}{r.choice(EXPRESS_BRANDS)}速递有限公司{k}{s}营业部",
    ),
    Profile(
        UnitType.LOGISTICS,
        6,
        Sector.TRANSPORT,
        (Sector.POSTAL,),
        False,
        lambda r, c, k, s: f"{c}{_brand(r)}物流有限公司",
    ),
    Profile(
        UnitType.FUEL_STATION,
        7,
        Sector.COMMERCE,
        (Sector.ENERGY,),
        False,
        lambda r, c, k, s: f"{r.choice(PETROL_COMPANIES)}{c}销售分公司{s}加油站",
    ),
    Profile(
        UnitType.GAS_STATION,
        3,
        Sector.HOUSING,
        (Sector.ENERGY,),
        False,
        lambda r, c, k, s: f"{c}{_brand(r)}燃气有限公司{s}加气站",
    ),
    Profile(
        UnitType.FINANCIAL_OUTLET,
        8,
        Sector.BANKING,
        (),
        False,
        lambda r, c, k, s: f"{r.choice(BANKS)}{c}{s}支行",
    ),
    Profile(
        UnitType.FINANCIAL_OUTLET,
        2,
        Sector.INSURANCE,
        (),
        False,
        lambda r, c, k, s: f"{r.choice(INSURERS)}{c}{k}支公司",
    ),
    Profile(
        UnitType.FINANCIAL_OUTLET,
        1,
        Sector.SECURITIES,
        (),
        False,
        lambda r, c, k, s: f"{r.choice(BROKERS)}{c}{s}路证券营业部",
    ),
    Profile(
        UnitType.SCHOOL,
        9,
        Sector.EDUCATION,
        (),
        True,
        lambda r, c, k, s: r.choice((f"{c}第{r.randint(1, 150)}中学", f"{c}{k}{s}小学", f"{c}{s}实验学校")),
    ),
    Profile(
        UnitType.HOSPITAL,
        5,
        Sector.HEALTH,
        (),
        True,
        lambda r, c, k, s: r.choice((f"{c}第{r.randint(1, 9)}人民医院", f"{c}{k}中医院", f"{c}{s}医院")),
    ),
    Profile(
        UnitType.MUSEUM_HERITAGE,
        1,
        Sector.CULTURE_TOURISM,
        (),
        True,
        lambda r, c, k, s: r.choice((f"{c}{s}博物馆", f"{c}{s}纪念馆", f"{c}{k}文物管理所")),
    ),
    Profile(
        UnitType.LARGE_VENUE,
        1,
        Sector.CULTURE_TOURISM,
        (),
        True,
        lambda r, c, k, s: r.choice((f"{c}{s}体育中心", f"{c}{s}大剧院", f"{c}{k}会展中心")),
    ),
    Profile(
        UnitType.NEWS_MEDIA,
        1,
        Sector.CULTURE_TOURISM,
        (),
        True,
        lambda r, c, k, s: r.choice((f"{c}广播电视台{k}记者站", f"{c}日报社{k}分社")),
    ),
    Profile(
        UnitType.TELECOM,
        3,
        Sector.TELECOM,
        (Sector.SASAC,),
        False,
        lambda r, c, k, s: f"{r.choice(TELECOM_COMPANIES)}{c}分公司{s}营业厅",
    ),
    Profile(
        UnitType.ENERGY_UTILITY,
        3,
        Sector.ENERGY,
        (Sector.SASAC,),
        False,
        lambda r, c, k, s: r.choice(
            (f"国网{c}供电公司{s}变电站", f"{c}水务集团{s}水厂", f"{c}热力集团{k}{s}换热站")
        ),
    ),
    Profile(
        UnitType.STATE_OWNED_ENTERPRISE,
        4,
        Sector.SASAC,
        (),
        False,
        lambda r, c, k, s: f"{c}{_brand(r)}{r.choice(('投资', '建设', '城建', '交通'))}集团有限公司",
    ),
    Profile(
        UnitType.RESEARCH_INSTITUTE,
        1,
        Sector.EDUCATION,
        (),
        True,
        lambda r, c, k, s: f"辽宁省{_brand(r)}{r.choice(('材料', '化工', '农业', '信息'))}研究院{c}分院",
    ),
    Profile(
        UnitType.HAZARDOUS_GOODS,
        2,
        Sector.COMMERCE,
        (Sector.ENERGY,),
        False,
        lambda r, c, k, s: f"{c}{_brand(r)}化工有限公司",
    ),
    Profile(
        UnitType.PATHOGEN_LAB,
        1,
        Sector.HEALTH,
        (),
        True,
        lambda r, c, k, s: f"{c}{k}疾病预防控制中心病原微生物实验室",
    ),
    Profile(
        UnitType.KEY_PROJECT,
        1,
        Sector.SASAC,
        (Sector.HOUSING,),
        False,
        lambda r, c, k, s: f"{c}{s}{r.choice(('跨海大桥', '综合管廊', '轨道交通', '水库'))}工程项目部",
    ),
    Profile(
        UnitType.JEWELLERY_STORE,
        2,
        Sector.COMMERCE,
        (),
        False,
        lambda r, c, k, s: f"{c}{_brand(r)}珠宝金行{s}店",
    ),
    Profile(
        UnitType.PUBLIC_TRANSPORT,
        2,
        Sector.TRANSPORT,
        (),
        False,
        lambda r, c, k, s: f"{c}公共交通集团有限公司第{r.randint(1, 30)}分公司",
    ),
    Profile(
        UnitType.URBAN_RAIL, 1, Sector.TRANSPORT, (), False, lambda r, c, k, s: f"{c}地铁集团有限公司{s}站"
    ),
    Profile(
        UnitType.TRANSPORT_HUB,
        1,
        Sector.TRANSPORT,
        (),
        False,
        lambda r, c, k, s: r.choice((f"{c}{s}长途客运站", f"{c}港集团{s}港区", f"{c}{k}汽车客运站")),
    ),
    Profile(
        UnitType.RESERVE_OR_TRADE_CENTRE,
        3,
        Sector.COMMERCE,
        (),
        False,
        lambda r, c, k, s: r.choice((f"{c}{s}商贸城", f"{c}{_brand(r)}购物中心", f"{c}{k}粮食储备库")),
    ),
    Profile(
        UnitType.DEFENCE_INDUSTRY,
        1,
        Sector.SASAC,
        (),
        False,
        lambda r, c, k, s: f"辽宁{_brand(r)}精密机械有限公司",
    ),
    Profile(
        UnitType.INSTITUTION,
        3,
        Sector.HOUSING,
        (),
        True,
        lambda r, c, k, s: f"{c}{k}{r.choice(('政务服务中心', '不动产登记中心', '住房保障服务中心'))}",
    ),
)

# Rough share of the province's units by city (Shenyang and Dalian hold about half).
CITY_WEIGHTS: Final = {
    "210100": 24,
    "210200": 22,
    "210300": 8,
    "210400": 5,
    "210500": 3,
    "210600": 5,
    "210700": 5,
    "210800": 6,
    "210900": 3,
    "211000": 4,
    "211100": 3,
    "211200": 4,
    "211300": 4,
    "211400": 4,
}


def organisation_code(body: str) -> str:
    """A GB 11714 organisation code: 8 digits and their mod-11 check."""
    remainder = 11 - sum(int(c) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True)) % 11
    check = {10: "X", 11: "0"}.get(remainder, str(remainder))
    return body + check


def _organisation_code(rng: random.Random) -> str:
    """A random organisation code."""
    return organisation_code("".join(rng.choice("0123456789") for _ in range(8)))


def uscc_of(division: str, institution: bool, organisation: str) -> str:
    """A valid USCC: 91 (company) or 12 (public institution), the division, an organisation code, a check."""
    base = ("12" if institution else "91") + division + organisation
    return base + stdnum_uscc.calc_check_digit(base)


def make_uscc(rng: random.Random, division: str, institution: bool) -> str:
    """A valid USCC with a random organisation code."""
    return uscc_of(division, institution, _organisation_code(rng))


def person_name(rng: random.Random) -> str:
    """A plausible Chinese personal name."""
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN_CHARS) for _ in range(rng.choice((1, 2, 2))))


@dataclass(frozen=True, slots=True)
class DemoUnit:
    """A generated unit and its key-unit state: None, or "proposed" / "confirmed" with a category."""

    unit: Unit
    key_unit: str | None = None
    category: KeyUnitCategory | None = None


def _key_state(rng: random.Random, unit_type: UnitType) -> tuple[str | None, KeyUnitCategory | None]:
    category = KEY_UNIT_CATEGORY_OF_TYPE.get(unit_type)
    if category is None:
        return None, None
    roll = rng.random()
    if roll < 0.12:
        return "confirmed", category
    if roll < 0.16:
        return "proposed", category
    return None, None


def _unit(draft: UnitDraft) -> Unit:
    return Unit.register(draft, SEED_TIME)


UsccChooser = Callable[[str, bool], str | None]
"""(county code, institution) -> a USCC for the next unit, or None to skip this draw."""


@dataclass(frozen=True, slots=True)
class Placement:
    """Where generated units go: the counties of each city, the cities' weights, names and police stations."""

    by_city: dict[str, list[Division]]
    cities: list[str]
    city_weights: list[int]
    city_names: dict[str, str]
    stations: dict[str, list[PoliceStation]]
    profile_weights: list[int]

    @classmethod
    def of(
        cls,
        counties: Sequence[Division],
        city_names: dict[str, str],
        stations: dict[str, list[PoliceStation]],
    ) -> Placement:
        """The placement over `counties` (cumulative weights, so that each draw does not sum them again)."""
        by_city: dict[str, list[Division]] = {}
        for county in counties:
            by_city.setdefault(county.code[:4] + "00", []).append(county)
        cities = [city for city in CITY_WEIGHTS if city in by_city]
        return cls(
            by_city=by_city,
            cities=cities,
            city_weights=list(accumulate(CITY_WEIGHTS[city] for city in cities)),
            city_names=city_names,
            stations=stations,
            profile_weights=list(accumulate(p.weight for p in PROFILES)),
        )


def draw_unit(
    rng: random.Random, placement: Placement, choose_uscc: UsccChooser, now: datetime = SEED_TIME
) -> DemoUnit | None:
    """One random unit registered at `now`, or None when the draw is discarded (and is to be repeated)."""
    city = rng.choices(placement.cities, cum_weights=placement.city_weights)[0]
    county = rng.choice(placement.by_city[city])
    profile = rng.choices(PROFILES, cum_weights=placement.profile_weights)[0]
    if profile.unit_type is UnitType.URBAN_RAIL and city not in ("210100", "210200"):
        return None
    city_name = placement.city_names[city]
    street = rng.choice(STREET_WORDS)
    uscc = choose_uscc(county.code, profile.institution)
    if uscc is None:
        return None
    lat, lon = CITY_CENTRES[city]
    number = rng.randint(1, 999)
    stations = placement.stations.get(county.code)
    station = rng.choice(stations).code if stations else None
    extra = tuple(s for s in profile.extra_sectors if rng.random() < 0.5)
    unit = Unit.register(
        UnitDraft(
            uscc=uscc,
            name=profile.name(rng, city_name.removesuffix("市"), county.name, street),
            unit_type=profile.unit_type,
            sector=profile.sector,
            sectors=extra,
            jurisdiction=county.code,
            police_station=station,
            address=f"辽宁省{city_name}{county.name}{street}{rng.choice(ROAD_SUFFIXES)}{number}号",
            location=Location(
                round(lat + rng.uniform(-0.12, 0.12), 6),
                round(lon + rng.uniform(-0.15, 0.15), 6),
                CoordinateSystem.GCJ02,
            ),
            legal_representative=person_name(rng),
        ),
        now,
    )
    state, category = _key_state(rng, profile.unit_type)
    return DemoUnit(unit, state, category)


def generate_units(
    count: int,
    counties: Sequence[Division],
    city_names: dict[str, str],
    stations: dict[str, list[PoliceStation]],
    seed: int = 2021,
) -> list[DemoUnit]:
    """`count` units spread over the cities (deterministic for a seed), plus the two demo units."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    placement = Placement.of(counties, city_names, stations)
    units = _fixed_units(city_names, stations)
    taken = {demo.unit.uscc for demo in units}

    def choose_uscc(county: str, institution: bool) -> str | None:
        uscc = make_uscc(rng, county, institution)
        if uscc in taken:
            return None
        taken.add(uscc)
        return uscc

    while len(units) < count + 2:
        if (demo := draw_unit(rng, placement, choose_uscc)) is not None:
            units.append(demo)
    return units


def _fixed_units(city_names: dict[str, str], stations: dict[str, list[PoliceStation]]) -> list[DemoUnit]:
    """The units the demo accounts are tied to (security-chief-demo, the sector-postal-demo client)."""
    heping_station = stations["210102"][0].code if stations.get("210102") else None
    zhongshan_station = stations["210202"][0].code if stations.get("210202") else None
    demo = _unit(
        UnitDraft(
            uscc=DEMO_UNIT_USCC,
            name="沈阳太原街商贸中心有限公司",
            unit_type=UnitType.RESERVE_OR_TRADE_CENTRE,
            sector=Sector.COMMERCE,
            jurisdiction="210102",
            police_station=heping_station,
            address="辽宁省沈阳市和平区太原北街86号",
            location=Location(41.798, 123.406, CoordinateSystem.GCJ02),
            legal_representative="赵建国",
        )
    )
    express = _unit(
        UnitDraft(
            uscc=DEMO_EXPRESS_USCC,
            name="大连顺捷速递有限公司",
            unit_type=UnitType.POSTAL_EXPRESS,
            sector=Sector.POSTAL,
            sectors=(Sector.TRANSPORT,),
            jurisdiction="210202",
            police_station=zhongshan_station,
            address="辽宁省大连市中山区人民路56号",
            location=Location(38.920, 121.645, CoordinateSystem.GCJ02),
            legal_representative="孙海涛",
        )
    )
    return [
        DemoUnit(demo, "confirmed", KeyUnitCategory.RESERVE_OR_TRADE_CENTRE),
        DemoUnit(express, "confirmed", KeyUnitCategory.TELECOM_POSTAL_FINANCIAL),
    ]
