"""Demo data: a deterministic, realistic supplier registry and one login per role.

``build_demo(suppliers=N)`` fills an empty registry with N suppliers spread over the
regions as the company's procurement is (DOMAIN.md, fiscal 2020: Japan 72 %, Asia 13 %,
North America 12 %, EMEA 2 %, Central and South America 1 %; both the supplier counts and
the spend follow that split), each with 1-3 sites and contacts, spend for the last three
fiscal years and, for about 10 % a year, a critical-supplier designation with reasons.
The same N on the same fiscal year gives the same data: everything comes from one
``random.Random`` seeded with a constant, and dates are placed relative to the current
fiscal year so the demo never looks stale.

Rows go in with ``bulk_create`` in batches, so 100,000 suppliers take well under a few
minutes. Used by ``manage.py seed_demo`` and by bench/bench_foundation.py.

The demo logins share one documented password (``DEMO_PASSWORD``); the command refuses
to run with DEBUG off, so it never lands in production.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import random
import re
import time
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from procurement_portal.accounts.models import Role, SupplierMembership, User
from procurement_portal.fiscal import FiscalYear, current_fiscal_year

from .models import (
    Category,
    Contact,
    CriticalDesignation,
    Site,
    Supplier,
    SupplierSpend,
    SupplierStatus,
)
from .regions import Region

DEFAULT_SUPPLIERS = 2_000
MIN_SUPPLIERS = 1
MAX_SUPPLIERS = 100_000
DEFAULT_SEED = 2020
BATCH_SIZE = 2_000

# One password for every demo login, printed by ``seed_demo --print-logins`` and README.
DEMO_PASSWORD = "demo-portal-2020"  # noqa: S105 - documented demo credential, DEBUG only


@dataclass(frozen=True)
class DemoLogin:
    role: str
    email: str
    full_name: str


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin(Role.SUPPLIER, "supplier@demo.example", "佐藤 花子"),
    DemoLogin(Role.PROCUREMENT, "buyer@demo.example", "Bunta Buyer"),
    DemoLogin(Role.INFOSEC_ASSESSOR, "assessor@demo.example", "Ines Assessor"),
    DemoLogin(Role.CSCO, "csco@demo.example", "Chie CSCO"),
    DemoLogin(Role.COMPLIANCE, "compliance@demo.example", "Conrad Compliance"),
    DemoLogin(Role.ADMIN, "admin@demo.example", "Ada Admin"),
)

# Share of suppliers and of spend per region (DOMAIN.md, fiscal 2020).
REGION_SHARES: dict[str, float] = {
    Region.JAPAN: 0.72,
    Region.ASIA: 0.13,
    Region.NORTH_AMERICA: 0.12,
    Region.EMEA: 0.02,
    Region.LATAM: 0.01,
}
# Average yearly spend per supplier, in yen; only the split between suppliers matters.
MEAN_SPEND_JPY = 250_000_000
STATUS_WEIGHTS = {
    SupplierStatus.ACTIVE: 85,
    SupplierStatus.INACTIVE: 8,
    SupplierStatus.ONBOARDING: 5,
    SupplierStatus.SUSPENDED: 2,
}
STRATEGIC_SHARE = 0.10
CRITICAL_SHARE = 0.10
FISCAL_YEARS_BACK = 3


@dataclass
class DemoResult:
    suppliers: int = 0
    sites: int = 0
    contacts: int = 0
    spend: int = 0
    designations: int = 0
    seconds: float = 0.0
    counts_by_region: dict[str, int] = field(default_factory=dict)


@dataclass
class _Plan:
    """What is decided for every supplier before any row is built (needs all N at once)."""

    region: str
    status: str
    weight: float
    yearly: dict[int, float]  # fiscal year -> relative spend that year
    critical: dict[int, tuple[bool, bool, bool]] = field(default_factory=dict)


def region_counts(total: int) -> dict[str, int]:
    """Suppliers per region for ``total``: the shares, rounded by largest remainder.

    Japan comes first in the order, so a registry of one supplier is one Japanese supplier.
    """
    exact = {region: total * share for region, share in REGION_SHARES.items()}
    counts = {region: math.floor(value) for region, value in exact.items()}
    by_remainder = sorted(exact, key=lambda r: (-(exact[r] - counts[r]), list(exact).index(r)))
    for region in by_remainder[: total - sum(counts.values())]:
        counts[region] += 1
    return counts


def fiscal_years() -> list[int]:
    """The last three fiscal years, the current one included, oldest first."""
    now = current_fiscal_year().year
    return list(range(now - FISCAL_YEARS_BACK + 1, now + 1))


def ensure_demo_logins() -> list[tuple[DemoLogin, User]]:
    """Create any missing demo login; the supplier user joins a Japanese demo supplier.

    Existing users keep their password: this never resets what someone changed.
    """
    result = []
    password_hash = None  # hashed once: each hash takes the hasher's full work factor
    for login in DEMO_LOGINS:
        user = User.objects.filter(email__iexact=login.email).first()
        if user is None:
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User.objects.create(
                email=login.email,
                password=password_hash,
                full_name=login.full_name,
                role=login.role,
                is_superuser=login.role == Role.ADMIN,
                preferred_language="ja" if login.role == Role.SUPPLIER else "en",
            )
        result.append((login, user))
        if login.role == Role.SUPPLIER:
            _ensure_membership(user)
        else:
            ensure_demo_second_factor(user)
    return result


def demo_totp_key(email: str) -> str:
    """The demo staff login's authenticator secret (hex): fixed per address, like the
    demo password, so the printed key keeps working across restarts. DEBUG only."""
    return hashlib.sha256(f"demo-totp:{email}".encode()).hexdigest()[:40]


def ensure_demo_second_factor(user: User):
    """Staff must confirm a code after the password: give each demo staff login its
    authenticator device (kept if it exists), whose key ``seed_demo --print-logins``
    prints."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from procurement_portal.accounts.two_factor import totp_device_replace

    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or totp_device_replace(user=user, key=demo_totp_key(user.email))


def _ensure_membership(user: User) -> None:
    if SupplierMembership.objects.filter(user=user).exists():
        return
    company = (
        Supplier.objects.filter(country="JP").order_by("code").first()
        or Supplier.objects.order_by("code").first()
    )
    if company is not None:
        SupplierMembership.objects.create(user=user, supplier=company, is_supplier_admin=True)


@transaction.atomic
def build_demo(
    *, suppliers: int = DEFAULT_SUPPLIERS, seed: int = DEFAULT_SEED, batch_size: int = BATCH_SIZE
) -> DemoResult:
    """Fill an empty registry with ``suppliers`` demo suppliers and the demo logins."""
    if not MIN_SUPPLIERS <= suppliers <= MAX_SUPPLIERS:
        raise ValueError(f"suppliers must be {MIN_SUPPLIERS}-{MAX_SUPPLIERS}, not {suppliers}")
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible demo data, not secrets
    years = fiscal_years()
    plans = _plan(rng, suppliers, years)
    logins = dict((login.role, user) for login, user in ensure_demo_logins())
    categories = {c.code: c.pk for c in Category.objects.all()}
    result = DemoResult(counts_by_region=dict(region_counts(suppliers)))
    totals = _spend_totals(plans, years, suppliers)
    builder = _RowBuilder(rng, years, totals, categories, logins[Role.PROCUREMENT])
    for first in range(0, suppliers, batch_size):
        batch = builder.build(plans, first, min(first + batch_size, suppliers))
        batch.save(batch_size)
        result.suppliers += len(batch.suppliers)
        result.sites += len(batch.sites)
        result.contacts += len(batch.contacts)
        result.spend += len(batch.spend)
        result.designations += len(batch.designations)
    ensure_demo_logins()  # now that suppliers exist, the supplier user gets its company
    result.seconds = time.perf_counter() - started
    return result


def _plan(rng: random.Random, total: int, years: list[int]) -> list[_Plan]:
    regions = [r for r, n in region_counts(total).items() for _ in range(n)]
    rng.shuffle(regions)
    # The first code is an active Japanese company: the demo supplier user's own.
    if regions[0] != Region.JAPAN:
        j = regions.index(Region.JAPAN)
        regions[0], regions[j] = regions[j], regions[0]
    statuses, weights = list(STATUS_WEIGHTS), list(STATUS_WEIGHTS.values())
    plans = []
    for index, region in enumerate(regions):
        status = rng.choices(statuses, weights)[0] if index else SupplierStatus.ACTIVE
        weight = rng.lognormvariate(0, 1.3)
        yearly = {}
        for position, year in enumerate(years):
            newest = position == len(years) - 1
            if status == SupplierStatus.ONBOARDING and not newest:
                continue  # no spend before the relationship started
            if status == SupplierStatus.INACTIVE and newest:
                continue  # stopped buying
            yearly[year] = weight * rng.uniform(0.8, 1.25)
        plans.append(_Plan(region=region, status=status, weight=weight, yearly=yearly))
    _plan_critical(rng, plans, years)
    return plans


def _plan_critical(rng: random.Random, plans: list[_Plan], years: list[int]) -> None:
    """About 10 % a year: large spenders, mostly in Japan and Asia, stable over the years."""
    per_year = round(len(plans) * CRITICAL_SHARE)
    if not per_year:
        return
    ranked = sorted(range(len(plans)), key=lambda i: -plans[i].weight)
    top_spenders = set(ranked[: max(1, len(plans) // 20)])
    base = [
        math.log(p.weight)
        + rng.gauss(0, 1)
        - (0 if p.region in (Region.JAPAN, Region.ASIA) else 1.5)
        for p in plans
    ]
    rare = [rng.random() < 0.3 for _ in plans]
    hard = [rng.random() < 0.5 for _ in plans]
    for year in years:
        score = {i: base[i] + rng.gauss(0, 0.3) for i, p in enumerate(plans) if year in p.yearly}
        for i in sorted(score, key=lambda k: -score[k])[:per_year]:
            large = i in top_spenders
            plans[i].critical[year] = (large, rare[i], hard[i] or not (large or rare[i]))


def _spend_totals(plans: list[_Plan], years: list[int], total: int) -> dict[tuple[str, int], float]:
    """Sum of the relative spend per (region, year), to scale each region to its share."""
    sums: dict[tuple[str, int], float] = defaultdict(float)
    for plan in plans:
        for year, value in plan.yearly.items():
            sums[(plan.region, year)] += value
    return sums


@dataclass
class _Batch:
    suppliers: list[Supplier] = field(default_factory=list)
    categories: list[tuple[int, list[int]]] = field(default_factory=list)  # (row, category pks)
    sites: list[tuple[int, Site]] = field(default_factory=list)
    contacts: list[tuple[int, Contact]] = field(default_factory=list)
    spend: list[tuple[int, SupplierSpend]] = field(default_factory=list)
    designations: list[tuple[int, CriticalDesignation]] = field(default_factory=list)

    def save(self, batch_size: int) -> None:
        Supplier.objects.bulk_create(self.suppliers, batch_size=batch_size)
        pks = [s.pk for s in self.suppliers]
        through = Supplier.categories.through
        links = [
            through(supplier_id=pks[row], category_id=cat)
            for row, cats in self.categories
            for cat in cats
        ]
        through.objects.bulk_create(links, batch_size=batch_size)
        for model, rows in (
            (Site, self.sites),
            (Contact, self.contacts),
            (SupplierSpend, self.spend),
            (CriticalDesignation, self.designations),
        ):
            for row, obj in rows:
                obj.supplier_id = pks[row]
            model.objects.bulk_create([obj for _, obj in rows], batch_size=batch_size)


class _RowBuilder:
    """Turns plans into unsaved rows, one batch of suppliers at a time."""

    def __init__(self, rng, years, totals, categories, designated_by):
        self.rng = rng
        self.years = years
        self.totals = totals
        self.categories = categories
        self.designated_by = designated_by
        self.current = FiscalYear(years[-1])
        self.today = timezone.localdate()
        self.now = timezone.now()

    def build(self, plans: list[_Plan], first: int, last: int) -> _Batch:
        batch = _Batch()
        total = len(plans)
        for index in range(first, last):
            plan = plans[index]
            row = index - first
            country = self._country(plan.region)
            company = company_name(self.rng, country)
            supplier = Supplier(
                code=f"SUP-{index + 1:06d}",
                legal_name=company.legal_name,
                local_name=company.local_name,
                country=country,
                preferred_language="ja" if country == "JP" else "en",
                status=plan.status,
                transactions_started_on=self._started_on(plan.status),
                is_strategic_partner=self.rng.random() < STRATEGIC_SHARE,
                handles_confidential_info=self.rng.random()
                < (0.6 if company.category in ("software", "services") else 0.1),
            )
            batch.suppliers.append(supplier)
            batch.categories.append((row, self._categories(company.category)))
            for site in sites(self.rng, country, company):
                batch.sites.append((row, site))
            for contact in contacts(self.rng, country, company):
                batch.contacts.append((row, contact))
            for spend in self._spend(plan, country, total):
                batch.spend.append((row, spend))
            for year, (large, rare, hard) in plan.critical.items():
                batch.designations.append(
                    (
                        row,
                        CriticalDesignation(
                            fiscal_year=year,
                            large_procurement_amount=large,
                            rare_product=rare,
                            hard_to_replace=hard,
                            note=designation_note(self.rng, large, rare, hard),
                            designated_by=self.designated_by,
                        ),
                    )
                )
        return batch

    def _country(self, region: str) -> str:
        countries, weights = COUNTRIES_BY_REGION[region]
        return self.rng.choices(countries, weights)[0]

    def _categories(self, main: str) -> list[int]:
        codes = {main}
        if self.rng.random() < 0.3:
            codes.add(self.rng.choice(sorted(self.categories)))
        return sorted(self.categories[c] for c in codes if c in self.categories)

    def _started_on(self, status: str) -> dt.date | None:
        if status == SupplierStatus.ONBOARDING:
            if self.rng.random() < 0.5:
                return None  # contract not signed yet
            days = max((self.today - self.current.start).days, 0)
            return self.current.start + dt.timedelta(days=self.rng.randint(0, days))
        years_ago = min(int(self.rng.expovariate(1 / 12)) + 1, 50)
        year = FiscalYear(self.current.year - years_ago)
        length = (year.end - year.start).days
        return year.start + dt.timedelta(days=self.rng.randint(0, length))

    def _spend(self, plan: _Plan, country: str, total: int) -> list[SupplierSpend]:
        currency = currency_for(self.rng, country)
        rate = JPY_PER_UNIT[currency]
        rows = []
        region_budget = total * MEAN_SPEND_JPY * REGION_SHARES[plan.region]
        for year, value in plan.yearly.items():
            jpy = region_budget * value / self.totals[(plan.region, year)]
            amount = Decimal(f"{max(jpy / rate, 1.0):.2f}")
            rows.append(SupplierSpend(fiscal_year=year, amount=amount, currency=currency))
        return rows


# --- Countries, currencies, names ---------------------------------------------------------
# Fictional: stems are combined at random, so any likeness to a real company is chance.

COUNTRIES_BY_REGION: dict[str, tuple[list[str], list[int]]] = {
    Region.JAPAN: (["JP"], [1]),
    Region.ASIA: (
        ["CN", "TW", "KR", "TH", "SG", "VN", "MY", "IN", "PH", "ID", "AU"],
        [34, 15, 10, 9, 7, 7, 6, 5, 3, 2, 2],
    ),
    Region.NORTH_AMERICA: (["US", "CA"], [88, 12]),
    Region.EMEA: (
        ["DE", "GB", "FR", "NL", "IT", "SE", "ES", "IL", "PL", "ZA"],
        [28, 18, 12, 10, 8, 5, 5, 5, 5, 4],
    ),
    Region.LATAM: (["MX", "BR", "CL", "AR", "CO"], [50, 33, 6, 6, 5]),
}

# Rough yen per unit, only to give every region its share of spend in local currencies.
JPY_PER_UNIT = {
    "JPY": 1.0, "USD": 150.0, "EUR": 160.0, "GBP": 190.0, "CAD": 108.0, "SEK": 14.0,
    "PLN": 37.0, "CNY": 21.0, "TWD": 4.7, "KRW": 0.11, "SGD": 112.0, "THB": 4.2,
    "INR": 1.8, "AUD": 98.0, "MXN": 8.5, "BRL": 28.0,
}  # fmt: skip
LOCAL_CURRENCY = {
    "US": "USD", "CA": "CAD", "DE": "EUR", "FR": "EUR", "NL": "EUR", "IT": "EUR", "ES": "EUR",
    "GB": "GBP", "SE": "SEK", "PL": "PLN", "CN": "CNY", "TW": "TWD", "KR": "KRW", "SG": "SGD",
    "TH": "THB", "IN": "INR", "AU": "AUD", "MX": "MXN", "BR": "BRL",
}  # fmt: skip


def currency_for(rng: random.Random, country: str) -> str:
    """Japan buys in yen; elsewhere in the local currency or, often, US dollars."""
    if country == "JP":
        return "JPY"
    local = LOCAL_CURRENCY.get(country, "USD")
    return local if rng.random() < 0.6 else "USD"


@dataclass(frozen=True)
class Company:
    legal_name: str
    local_name: str
    category: str
    domain: str


# Japanese: (romaji, kanji) stems and (English, Japanese, category) trades.
JP_STEMS = [
    ("Yamada", "山田"), ("Toyo", "東洋"), ("Nippon", "日本"), ("Yamato", "大和"), ("Fuji", "富士"),
    ("Sanwa", "三和"), ("Hokuriku", "北陸"), ("Kansai", "関西"), ("Chubu", "中部"),
    ("Toho", "東邦"), ("Heiwa", "平和"), ("Taiyo", "太陽"), ("Shinko", "新興"), ("Showa", "昭和"),
    ("Maruyama", "丸山"), ("Takahashi", "高橋"), ("Sato", "佐藤"), ("Suzuki", "鈴木"),
    ("Matsumoto", "松本"), ("Kyowa", "協和"), ("Daiichi", "第一"), ("Asahi", "旭"),
    ("Seiwa", "成和"), ("Tokai", "東海"), ("Kyushu", "九州"), ("Tohoku", "東北"),
    ("Shikoku", "四国"), ("Chuo", "中央"), ("Nishida", "西田"), ("Ogawa", "小川"),
    ("Ishikawa", "石川"), ("Kobayashi", "小林"), ("Nakamura", "中村"), ("Aoba", "青葉"),
    ("Sakura", "桜"), ("Midori", "緑"), ("Hikari", "光"), ("Meiwa", "明和"), ("Kowa", "興和"),
    ("Sanyo Seiki", "三陽精機"),
]  # fmt: skip
JP_TRADES = [
    ("Electric", "電機", "hardware"), ("Precision", "精密", "components"),
    ("Industries", "工業", "components"), ("Chemical", "化学", "components"),
    ("Electronics", "電子", "components"), ("Works", "製作所", "hardware"),
    ("Logistics", "物流", "logistics"), ("Systems", "システム", "software"),
    ("Information Systems", "情報システム", "services"), ("Giken", "技研", "hardware"),
    ("Metal", "金属", "components"), ("Plastics", "樹脂", "components"),
    ("Communications", "通信", "services"), ("Software", "ソフトウェア", "software"),
    ("Trading", "商事", "services"), ("Printing", "印刷", "services"),
    ("Cable", "電線", "components"), ("Optical", "光学", "components"),
    ("Transport", "運輸", "logistics"), ("Semiconductor", "半導体", "components"),
    ("Machinery", "機械", "hardware"), ("Devices", "デバイス", "hardware"),
    ("Data Service", "データサービス", "services"), ("Packaging", "包装", "logistics"),
]  # fmt: skip
# Chinese (simplified for CN, traditional for TW) and Korean: (romanised, CN, TW, KR) stems.
CJK_STEMS = [
    ("Huaxin", "华信", "華信", "화신"), ("Zhongke", "中科", "中科", "중과"),
    ("Tianhe", "天和", "天和", "천화"), ("Hengtong", "恒通", "恆通", "항통"),
    ("Jinlong", "金龙", "金龍", "금룡"), ("Xinda", "信达", "信達", "신달"),
    ("Dongfang", "东方", "東方", "동방"), ("Hongyuan", "宏远", "宏遠", "굉원"),
    ("Ruida", "瑞达", "瑞達", "서달"), ("Jiahua", "嘉华", "嘉華", "가화"),
    ("Shengmao", "盛茂", "盛茂", "성무"), ("Guoxing", "国兴", "國興", "국흥"),
]  # fmt: skip
KR_STEMS = ["Daehan", "Hanil", "Seoyoung", "Samjin", "Dongyang", "Hanbit", "Saehan", "Jinwoo"]
KR_STEMS_LOCAL = ["대한", "한일", "서영", "삼진", "동양", "한빛", "새한", "진우"]
CJK_TRADES = [
    ("Electronics", "电子", "電子", "전자", "components"),
    ("Precision", "精密", "精密", "정밀", "components"),
    ("Technology", "科技", "科技", "테크", "hardware"),
    ("Logistics", "物流", "物流", "물류", "logistics"),
    ("Software", "软件", "軟體", "소프트", "software"),
    ("Information Services", "信息服务", "資訊服務", "정보서비스", "services"),
    ("Optoelectronics", "光电", "光電", "광전자", "components"),
    ("Machinery", "机械", "機械", "기계", "hardware"),
    ("Materials", "材料", "材料", "소재", "components"),
]
CN_CITIES = [
    ("Shenzhen", "深圳"), ("Suzhou", "苏州"), ("Shanghai", "上海"), ("Dongguan", "东莞"),
    ("Wuxi", "无锡"), ("Dalian", "大连"), ("Xiamen", "厦门"), ("Chengdu", "成都"),
]  # fmt: skip
# Latin-script trades: (en, de, fr, es, pt, category).
LATIN_TRADES = [
    ("Electronics", "Elektronik", "Électronique", "Electrónica", "Eletrônica", "components"),
    ("Precision", "Präzisionstechnik", "Précision", "Precisión", "Precisão", "components"),
    ("Systems", "Systeme", "Systèmes", "Sistemas", "Sistemas", "software"),
    ("Software", "Software", "Logiciels", "Software", "Software", "software"),
    ("Logistics", "Logistik", "Logistique", "Logística", "Logística", "logistics"),
    ("Components", "Komponenten", "Composants", "Componentes", "Componentes", "components"),
    ("Technologies", "Technologie", "Technologies", "Tecnologías", "Tecnologia", "hardware"),
    ("Consulting", "Beratung", "Conseil", "Consultoría", "Consultoria", "services"),
    ("Plastics", "Kunststofftechnik", "Plasturgie", "Plásticos", "Plásticos", "components"),
    ("Metals", "Metallbau", "Métallurgie", "Metales", "Metais", "components"),
    ("Networks", "Netzwerke", "Réseaux", "Redes", "Redes", "hardware"),
    ("Data Services", "Datendienste", "Services numériques", "Servicios de Datos",
     "Serviços de Dados", "services"),
]  # fmt: skip
TRADE_LANG = {"en": 0, "de": 1, "fr": 2, "es": 3, "pt": 4}
STEMS = {
    "en": "Northfield Bluewater Keystone Silverline Redwood Summit Harbor Lakeside Pioneer "
    "Crescent Granite Evergreen Meridian Atlas Orion Vertex Cobalt Aurora Hamilton Whitman",
    "de": "Müller Schneider Becker Hoffmann Wagner Krause Lindner Bergmann Rheintal Nordwerk",
    "fr": "Dubois Lefèvre Moreau Girard Rousseau Fontaine Marchand Atlantique Rhône Lumière",
    "nl": "Bakker Jansen Visser Noordzee Delta Zuiderzee Hollander",
    "it": "Rossi Bianchi Colombo Romano Galli Adriatica Appennino",
    "sv": "Lindqvist Nordin Ekström Fjällbacka Norrland Vättern",
    "pl": "Nowak Kowalski Wisła Mazowsze Bałtyk",
    "es": "Hernández García Martínez Sierra Pacífico Andina Águila Cóndor",
    "pt": "Silva Santos Oliveira Paulista Atlântico Horizonte Ipê",
    "sea": "Golden-Bay Eastern-Star Straits Pacific-Rim Lotus Jade-Crest Harmony Sunrise",
    "vn": "An-Phu Minh-Long Hung-Thinh Sao-Viet Phuong-Dong Tan-Tien",
    "in": "Shakti Ganga Vishwa Kaveri Sahyadri Deccan Indus Sai",
}
# country: (trade language, stem pool, legal forms, phone prefix, cities)
COUNTRY_STYLE: dict[str, tuple[str, str, tuple[str, ...], str, tuple[str, ...]]] = {
    "US": (
        "en",
        "en",
        ("Inc.", "LLC", "Corporation"),
        "+1",
        ("San Jose", "Austin", "Boston", "Chicago", "Portland"),
    ),
    "CA": ("en", "en", ("Ltd.", "Inc."), "+1", ("Toronto", "Montreal", "Vancouver")),
    "GB": ("en", "en", ("Ltd", "plc"), "+44", ("London", "Manchester", "Cambridge", "Glasgow")),
    "DE": (
        "de",
        "de",
        ("GmbH", "AG", "GmbH & Co. KG"),
        "+49",
        ("Stuttgart", "München", "Dresden", "Hamburg"),
    ),
    "FR": ("fr", "fr", ("SAS", "SA"), "+33", ("Lyon", "Grenoble", "Toulouse", "Paris")),
    "NL": ("en", "nl", ("B.V.",), "+31", ("Eindhoven", "Rotterdam", "Amsterdam")),
    "IT": ("en", "it", ("S.p.A.", "S.r.l."), "+39", ("Milano", "Torino", "Bologna")),
    "SE": ("en", "sv", ("AB",), "+46", ("Stockholm", "Göteborg", "Malmö")),
    "ES": ("es", "es", ("S.L.", "S.A."), "+34", ("Barcelona", "Madrid", "Valencia")),
    "IL": ("en", "en", ("Ltd.",), "+972", ("Haifa", "Tel Aviv")),
    "PL": ("en", "pl", ("Sp. z o.o.",), "+48", ("Wrocław", "Kraków", "Łódź")),
    "ZA": ("en", "en", ("(Pty) Ltd",), "+27", ("Johannesburg", "Cape Town")),
    "MX": ("es", "es", ("S.A. de C.V.",), "+52", ("Guadalajara", "Monterrey", "Tijuana")),
    "BR": ("pt", "pt", ("Ltda.", "S.A."), "+55", ("São Paulo", "Campinas", "Manaus")),
    "CL": ("es", "es", ("SpA", "S.A."), "+56", ("Santiago", "Valparaíso")),
    "AR": ("es", "es", ("S.A.", "S.R.L."), "+54", ("Buenos Aires", "Córdoba")),
    "CO": ("es", "es", ("S.A.S.",), "+57", ("Bogotá", "Medellín")),
    "SG": ("en", "sea", ("Pte. Ltd.",), "+65", ("Singapore",)),
    "MY": ("en", "sea", ("Sdn. Bhd.",), "+60", ("Penang", "Kuala Lumpur", "Johor Bahru")),
    "TH": (
        "en",
        "sea",
        ("Co., Ltd.", "Public Company Limited"),
        "+66",
        ("Bangkok", "Ayutthaya", "Chonburi"),
    ),
    "VN": (
        "en",
        "vn",
        ("Joint Stock Company", "Co., Ltd."),
        "+84",
        ("Hanoi", "Ho Chi Minh City", "Hai Phong"),
    ),
    "IN": ("en", "in", ("Private Limited", "Limited"), "+91", ("Bengaluru", "Pune", "Chennai")),
    "PH": ("en", "sea", ("Inc.", "Corporation"), "+63", ("Manila", "Cebu", "Laguna")),
    "ID": ("en", "sea", ("PT",), "+62", ("Jakarta", "Batam", "Surabaya")),
    "AU": ("en", "en", ("Pty Ltd",), "+61", ("Sydney", "Melbourne", "Adelaide")),
    "CN": ("en", "cn", ("Co., Ltd.",), "+86", tuple(c for c, _ in CN_CITIES)),
    "TW": ("en", "tw", ("Co., Ltd.", "Corp."), "+886", ("Taipei", "Hsinchu", "Taichung", "Tainan")),
    "KR": ("en", "kr", ("Co., Ltd.",), "+82", ("Seoul", "Suwon", "Incheon", "Busan")),
}
JP_CITIES = [
    ("Tokyo", "東京都港区"), ("Osaka", "大阪府大阪市北区"), ("Nagoya", "愛知県名古屋市中区"),
    ("Yokohama", "神奈川県横浜市西区"), ("Kawasaki", "神奈川県川崎市中原区"),
    ("Fukuoka", "福岡県福岡市博多区"), ("Sendai", "宮城県仙台市青葉区"),
    ("Hiroshima", "広島県広島市中区"), ("Kyoto", "京都府京都市下京区"),
    ("Kobe", "兵庫県神戸市中央区"), ("Hamamatsu", "静岡県浜松市中央区"),
    ("Kanazawa", "石川県金沢市"), ("Sapporo", "北海道札幌市中央区"),
    ("Kumamoto", "熊本県熊本市中央区"), ("Nagano", "長野県長野市"),
]  # fmt: skip


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "supplier"


def company_name(rng: random.Random, country: str) -> Company:
    """A plausible company name in the country's style, with a local-script name in East Asia."""
    if country == "JP":
        (stem, stem_ja), (trade, trade_ja, category) = rng.choice(JP_STEMS), rng.choice(JP_TRADES)
        form = rng.choice(("Co., Ltd.", "Co., Ltd.", "Corporation"))
        local = (
            f"株式会社{stem_ja}{trade_ja}" if rng.random() < 0.4 else f"{stem_ja}{trade_ja}株式会社"
        )
        legal = f"{stem} {trade} {form}"
        return Company(legal, local, category, _slug(f"{stem}-{trade}") + ".example.jp")
    trade_lang, pool, forms, _, _ = COUNTRY_STYLE[country]
    form = rng.choice(forms)
    if pool in ("cn", "tw", "kr"):
        roman, cn, tw, _ = rng.choice(CJK_STEMS)
        trade, trade_cn, trade_tw, trade_kr, category = rng.choice(CJK_TRADES)
        if pool == "kr":
            i = rng.randrange(len(KR_STEMS))
            roman = KR_STEMS[i]
            local = f"{KR_STEMS_LOCAL[i]}{trade_kr} 주식회사"
        elif pool == "tw":
            local = f"{tw}{trade_tw}股份有限公司"
        else:
            city, city_cn = rng.choice(CN_CITIES)
            roman = f"{city} {roman}"
            local = f"{city_cn}{cn}{trade_cn}有限公司"
        return Company(f"{roman} {trade} {form}", local, category, _slug(roman) + ".example")
    stem = rng.choice(STEMS[pool].split()).replace("-", " ")
    trades = rng.choice(LATIN_TRADES)
    trade, category = trades[TRADE_LANG[trade_lang]], trades[-1]
    legal = f"{form} {stem} {trade}" if form == "PT" else f"{stem} {trade} {form}"
    return Company(legal, "", category, _slug(f"{stem}-{trade}") + ".example")


# --- Sites, contacts, designation notes ---------------------------------------------------

JP_SITE_NAMES = ["本社", "第一工場", "第二工場", "技術センター", "物流センター", "営業所"]
SITE_NAMES = ["Head office", "Plant 1", "Plant 2", "R&D centre", "Distribution centre"]
JP_FAMILY = [
    ("佐藤", "sato"), ("鈴木", "suzuki"), ("高橋", "takahashi"), ("田中", "tanaka"),
    ("伊藤", "ito"), ("渡辺", "watanabe"), ("山本", "yamamoto"), ("中村", "nakamura"),
    ("小林", "kobayashi"), ("加藤", "kato"), ("吉田", "yoshida"), ("松田", "matsuda"),
]  # fmt: skip
JP_GIVEN = [
    ("太郎", "taro"), ("花子", "hanako"), ("健一", "kenichi"), ("美咲", "misaki"),
    ("大輔", "daisuke"), ("由美", "yumi"), ("翔太", "shota"), ("直樹", "naoki"),
    ("恵子", "keiko"), ("誠", "makoto"), ("彩", "aya"), ("隆", "takashi"),
]  # fmt: skip
JP_TITLES = [
    "営業部長",
    "営業担当",
    "品質保証課長",
    "CSR推進室長",
    "情報セキュリティ責任者",
    "総務部長",
]
TITLES = [
    "Sales Manager", "Account Manager", "Quality Assurance Manager", "Sustainability Officer",
    "Information Security Officer", "Managing Director",
]  # fmt: skip
# pool: (given names, family names, family name first); names are separated by "/"
PEOPLE = {
    "en": (
        "James/Emily/Michael/Sarah/David/Olivia/Daniel/Grace",
        "Smith/Johnson/Brown/Taylor/Clark/Lewis/Walker/Young",
        False,
    ),
    "de": (
        "Lukas/Anna/Jonas/Lea/Felix/Marie/Paul/Sophie",
        "Müller/Schmidt/Fischer/Weber/Meyer/Wagner/Becker/Schulz",
        False,
    ),
    "fr": (
        "Louis/Camille/Hugo/Chloé/Jules/Léa/Arthur/Manon",
        "Martin/Bernard/Dubois/Thomas/Robert/Petit/Durand/Leroy",
        False,
    ),
    "nl": (
        "Daan/Emma/Sem/Julia/Lucas/Tess",
        "de Jong/Jansen/de Vries/van Dijk/Bakker/Visser",
        False,
    ),
    "it": (
        "Marco/Giulia/Luca/Chiara/Matteo/Sara",
        "Rossi/Russo/Ferrari/Esposito/Bianchi/Romano",
        False,
    ),
    "sv": (
        "Erik/Elsa/Lars/Maja/Nils/Ebba",
        "Andersson/Johansson/Karlsson/Nilsson/Eriksson/Larsson",
        False,
    ),
    "pl": (
        "Jakub/Zuzanna/Kacper/Julia/Szymon/Maja",
        "Nowak/Kowalski/Wiśniewski/Wójcik/Kamiński/Lewandowski",
        False,
    ),
    "es": (
        "Sofía/Mateo/Valentina/Santiago/Camila/Diego/Lucía/Javier",
        "García/Rodríguez/López/Martínez/Pérez/Gómez/Sánchez/Ramírez",
        False,
    ),
    "pt": (
        "Miguel/Ana/Gabriel/Beatriz/Rafael/Júlia/Pedro/Larissa",
        "Silva/Santos/Oliveira/Souza/Lima/Pereira/Costa/Ferreira",
        False,
    ),
    "sea": (
        "Wei-Ling/Ahmad/Siti/Somchai/Maria/Jun/Nurul/Kittipong",
        "Tan/Lim/Rahman/Santos/Wong/Chua/Srisuk/Reyes",
        False,
    ),
    "vn": ("Anh/Minh/Thu/Huong/Quang/Lan", "Nguyen/Tran/Le/Pham/Hoang/Vu", True),
    "in": (
        "Priya/Rahul/Anjali/Vikram/Sanjay/Deepa/Arjun/Kavya",
        "Sharma/Iyer/Patel/Reddy/Gupta/Nair/Rao/Menon",
        False,
    ),
    "cn": ("Wei/Fang/Jing/Lei/Min/Tao/Yan/Jun", "Wang/Li/Zhang/Liu/Chen/Yang/Zhao/Huang", True),
    "tw": (
        "Chia-Hao/Yi-Ting/Chih-Wei/Shu-Fen/Tsung-Han/Mei-Ling",
        "Chen/Lin/Huang/Chang/Lee/Wang",
        True,
    ),
    "kr": ("Min-jun/Seo-yeon/Ji-ho/Ha-eun/Jun-seo/Su-bin", "Kim/Lee/Park/Choi/Jung/Kang", True),
}
STREETS = ["Industrial Park", "Harbour Road", "Technology Avenue", "Science Park", "Main Street"]
RARE_NOTES = [
    "Sole source of custom ASICs.",
    "Only qualified supplier of the optical modules.",
    "Rare-earth magnets with no second source.",
    "Specialty resin used in long-life products.",
]
HARD_NOTES = [
    "Requalifying another supplier would take over a year.",
    "Holds the tooling for discontinued models still under maintenance.",
    "Runs outsourced data-centre operations for several business units.",
]


def sites(rng: random.Random, country: str, company: Company) -> list[Site]:
    """1-3 sites: the head office first; some Japanese suppliers have a plant in Asia."""
    count = rng.choices((1, 2, 3), (5, 3, 2))[0]
    result = []
    for index in range(count):
        site_country = country
        if country == "JP" and index and rng.random() < 0.15:
            site_country = rng.choice(("CN", "TH", "VN", "PH"))
        if site_country == "JP":
            city, prefix = rng.choice(JP_CITIES)
            a, b, c = rng.randint(1, 5), rng.randint(1, 30), rng.randint(1, 20)
            name = JP_SITE_NAMES[index] if index < 2 else rng.choice(JP_SITE_NAMES[2:])
            address = f"{prefix}{a}-{b}-{c}"
        else:
            city = rng.choice(COUNTRY_STYLE[site_country][4])
            name = SITE_NAMES[index] if index < 2 else rng.choice(SITE_NAMES[2:])
            if site_country != country:
                name = f"{city} plant"
            address = f"{rng.randint(1, 999)} {rng.choice(STREETS)}"
        if any(site.name == name for site in result):  # two plants in one foreign city
            name = f"{name} {index + 1}"
        result.append(Site(name=name, address=address, city=city, country=site_country))
    return result


def contacts(rng: random.Random, country: str, company: Company) -> list[Contact]:
    """1-3 people; Japanese suppliers' contacts are named in kanji and read Japanese."""
    count = rng.choices((1, 2, 3), (5, 3, 2))[0]
    result, names, emails = [], set(), set()
    for index in range(count):
        name, local_part, title, language, prefix = _person(rng, country)
        if name in names:  # two people with one name at one small company: draw again
            name, local_part, title, language, prefix = _person(rng, country)
        names.add(name)
        email = f"{local_part}@{company.domain}"
        if email in emails:
            email = f"{local_part}{index + 1}@{company.domain}"
        emails.add(email)
        phone = (
            f"{prefix} {rng.randint(10, 99)}-{rng.randint(1000, 9999)}-{rng.randint(1000, 9999)}"
        )
        result.append(
            Contact(
                name=name,
                email=email,
                phone=phone,
                job_title=title,
                language=language,
                is_primary=index == 0,
            )
        )
    return result


def _person(rng: random.Random, country: str) -> tuple[str, str, str, str, str]:
    """(name, e-mail local part, job title, language, phone prefix) in the country's style."""
    if country == "JP":
        (family, family_r), (given, given_r) = rng.choice(JP_FAMILY), rng.choice(JP_GIVEN)
        name, local_part = f"{family} {given}", f"{given_r}.{family_r}"
        title, language, prefix = rng.choice(JP_TITLES), "ja", "+81"
    else:
        pool = COUNTRY_STYLE[country][1]
        given_names, family_names, family_first = PEOPLE.get(pool, PEOPLE["en"])
        given = rng.choice(given_names.split("/"))
        family = rng.choice(family_names.split("/"))
        name = f"{family} {given}" if family_first else f"{given} {family}"
        local_part = f"{_slug(given)}.{_slug(family)}".replace("-", "")
        title, language, prefix = rng.choice(TITLES), "en", COUNTRY_STYLE[country][3]
    return name, local_part, title, language, prefix


def designation_note(rng: random.Random, large: bool, rare: bool, hard: bool) -> str:
    parts = []
    if large:
        parts.append("Among the largest procurement amounts of the year.")
    if rare:
        parts.append(rng.choice(RARE_NOTES))
    if hard:
        parts.append(rng.choice(HARD_NOTES))
    return " ".join(parts)
