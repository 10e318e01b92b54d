"""The demo org: a team tree (company → regions → areas → segment teams) and its people.

Why one module: the org specs (TeamSpec, PersonSpec, Org), their deterministic builder and the bulk
writer that stores them share the specs' ids and order; split, the writer would depend on the
builder's internals.

Built as plain specs first (ids assigned here, in creation order), so the same seed always gives
the same rows with the same ids; `org_write` then stores them with bulk inserts.
"""

from __future__ import annotations

import math
import random
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password

from salesops.demo.catalog import (
    AREAS,
    FIRST_NAMES,
    HQ_TIME_ZONE,
    LAST_NAMES,
    REGION_COST_FACTOR,
    SEGMENTS,
    Area,
)
from salesops.models import Person, Role, Team, TeamStructure
from salesops.services.people import person_sync_groups

DEMO_PASSWORD = "demo12345"
# Loaded hourly cost (base currency) by role before the regional factor.
ROLE_HOURLY_COST = {
    Role.SDR: 42.0,
    Role.ACCOUNT_EXECUTIVE: 78.0,
    Role.SALES_ADMIN: 38.0,
    Role.CUSTOMER_SUCCESS: 55.0,
    Role.SALES_MANAGER: 105.0,
    Role.SALES_OPS_MANAGER: 115.0,
}
MEMBER_ROLES = (Role.ACCOUNT_EXECUTIVE, Role.SDR, Role.CUSTOMER_SUCCESS, Role.SALES_ADMIN)
MEMBER_ROLE_WEIGHTS = (0.42, 0.30, 0.18, 0.10)
WORK_HOURS = (
    (time(8, 0), time(16, 0)),
    (time(8, 30), time(17, 0)),
    (time(9, 0), time(17, 0)),
    (time(9, 0), time(17, 30)),
    (time(9, 0), time(18, 0)),
    (time(10, 0), time(18, 0)),
)
LEAF_TEAM_SIZE = 8  # a manager and about seven people
_ASCII = str.maketrans({"ø": "o", "Ø": "O", "æ": "ae", "ß": "ss", "'": "", " ": "-"})


@dataclass
class TeamSpec:
    id: int
    name: str
    parent_id: int | None
    structure: str
    region: str
    area: int | None  # index into catalog.AREAS
    manager_id: int | None = None
    leaf: bool = False


@dataclass
class PersonSpec:
    id: int
    name: str
    email: str
    role: str
    team_id: int
    manager_id: int | None
    hourly_cost: Decimal
    time_zone: str
    work_start: time
    work_end: time
    work_days: str
    hire_date: date
    active: bool
    region: str
    area: int | None
    skill: float  # the person's win-rate multiplier
    username: str | None = None


@dataclass
class Org:
    teams: list[TeamSpec] = field(default_factory=list)
    people: list[PersonSpec] = field(default_factory=list)
    # area index → number of segment teams there (only areas that have teams)
    area_teams: dict[int, int] = field(default_factory=dict)

    def person(self, person_id: int) -> PersonSpec:
        return self.people[person_id - 1]


def _apportion(total: int, weights: Sequence[float]) -> list[int]:
    """Largest-remainder split of `total` by `weights`, every share at least 1 when possible."""
    n = len(weights)
    if total < n:
        return [1 if i < total else 0 for i in range(n)]
    shares = [1] * n
    rest = total - n
    wsum = sum(weights)
    exact = [rest * w / wsum for w in weights]
    floors = [math.floor(x) for x in exact]
    shares = [s + f for s, f in zip(shares, floors, strict=True)]
    left = rest - sum(floors)
    order = sorted(range(n), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        shares[i] += 1
    return shares


class _OrgBuilder:
    def __init__(self, rng: random.Random, today: date) -> None:
        self.rng = rng
        self.today = today
        self.org = Org()
        self.names: set[str] = set()

    def team(
        self, name: str, parent: TeamSpec | None, structure: str, region: str, area: int | None
    ) -> TeamSpec:
        spec = TeamSpec(
            id=len(self.org.teams) + 1,
            name=name,
            parent_id=parent.id if parent else None,
            structure=structure,
            region=region,
            area=area,
        )
        self.org.teams.append(spec)
        return spec

    def _name(self) -> str:
        rng = self.rng
        for attempt in range(40):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            name = f"{first} {last}"
            if attempt >= 20:  # dense name space (large scale): add a middle initial
                name = f"{first} {rng.choice('ABCDEFGHJKLMNPRSTW')}. {last}"
            if name.lower() not in self.names:
                self.names.add(name.lower())
                return name
        name = f"{first} {last} {len(self.org.people) + 1}"
        self.names.add(name.lower())
        return name

    def person(
        self,
        role: str,
        team: TeamSpec,
        manager: PersonSpec | None,
        *,
        time_zone: str,
        region: str,
        min_tenure_days: int = 0,
        may_leave: bool = False,
    ) -> PersonSpec:
        rng = self.rng
        name = self._name()
        ascii_name = (
            unicodedata.normalize("NFKD", name.translate(_ASCII))
            .encode("ascii", "ignore")
            .decode()
            .lower()
        )
        if rng.random() < 0.12 and min_tenure_days == 0:
            tenure = rng.randint(20, 180)  # recent hires, still ramping
        else:
            tenure = rng.randint(max(min_tenure_days, 180), 6 * 365)
        cost = ROLE_HOURLY_COST[Role(role)] * REGION_COST_FACTOR[region]
        cost *= rng.lognormvariate(0, 0.12)
        start, end = rng.choice(WORK_HOURS)
        spec = PersonSpec(
            id=len(self.org.people) + 1,
            name=name,
            email=f"{ascii_name.replace('-', '.')}@salesops.example",
            role=role,
            team_id=team.id,
            manager_id=manager.id if manager else None,
            hourly_cost=Decimal(f"{cost:.2f}"),
            time_zone=time_zone,
            work_start=start,
            work_end=end,
            work_days="1234" if rng.random() < 0.04 else "12345",
            hire_date=self.today - timedelta(days=tenure),
            active=not (may_leave and tenure > 500 and rng.random() < 0.03),
            region=region,
            area=team.area,
            skill=rng.lognormvariate(0, 0.18),
        )
        self.org.people.append(spec)
        return spec


def org_build(*, rng: random.Random, people: int, today: date) -> Org:
    """Plan teams and people for about `people` people (exactly that many once above ~30)."""
    b = _OrgBuilder(rng, today)
    org = b.org
    root = b.team("Global Sales", None, TeamStructure.HYBRID, "Global", None)
    head = b.person(
        Role.SALES_MANAGER, root, None, time_zone=HQ_TIME_ZONE, region="EMEA", min_tenure_days=1500
    )
    root.manager_id = head.id
    ops_team = b.team("Sales Operations", root, TeamStructure.FUNCTIONAL, "Global", None)
    n_ops = max(1, people // 1500)
    n_admins = max(2, people // 100)
    ops_lead = b.person(
        Role.SALES_OPS_MANAGER,
        ops_team,
        head,
        time_zone=HQ_TIME_ZONE,
        region="EMEA",
        min_tenure_days=900,
    )
    ops_team.manager_id = ops_lead.id
    for _ in range(n_ops - 1):
        b.person(Role.SALES_OPS_MANAGER, ops_team, ops_lead, time_zone=HQ_TIME_ZONE, region="EMEA")
    for _ in range(n_admins):
        b.person(
            Role.SALES_ADMIN,
            ops_team,
            ops_lead,
            time_zone=HQ_TIME_ZONE,
            region="EMEA",
            may_leave=True,
        )

    fixed = len(org.people)
    n_leaf = max(1, (people - fixed) // LEAF_TEAM_SIZE)
    # Areas in priority order (the catalog interleaves regions, so a small org spans time zones).
    leaf_counts = _apportion(n_leaf, [a.weight for a in AREAS])
    org.area_teams = {i: k for i, k in enumerate(leaf_counts) if k}
    used_regions = sorted(
        {AREAS[i].region for i in org.area_teams},
        key=lambda r: min(i for i in org.area_teams if AREAS[i].region == r),
    )
    area_directors = sum(1 for k in org.area_teams.values() if k > 1)
    members_total = max(2 * n_leaf, people - fixed - len(used_regions) - area_directors - n_leaf)
    sizes = _apportion(members_total, [1.0] * n_leaf)

    region_nodes: dict[str, tuple[TeamSpec, PersonSpec]] = {}
    for region in used_regions:
        node = b.team(region, root, TeamStructure.TERRITORY, region, None)
        tz = next(
            a.time_zone for i, a in enumerate(AREAS) if a.region == region and i in org.area_teams
        )
        director = b.person(
            Role.SALES_MANAGER, node, head, time_zone=tz, region=region, min_tenure_days=900
        )
        node.manager_id = director.id
        region_nodes[region] = (node, director)

    leaf_index = 0
    for area_idx, count in org.area_teams.items():
        area = AREAS[area_idx]
        region_node, director = region_nodes[area.region]
        parent, boss = region_node, director
        if count > 1:  # several segment teams: the area is a team of its own above them
            parent = b.team(area.name, region_node, TeamStructure.TERRITORY, area.region, area_idx)
            boss = b.person(
                Role.SALES_MANAGER,
                parent,
                director,
                time_zone=area.time_zone,
                region=area.region,
                min_tenure_days=700,
            )
            parent.manager_id = boss.id
        for k in range(count):
            name = area.name if count == 1 else _segment_name(area, k)
            structure = TeamStructure.TERRITORY if count == 1 else TeamStructure.MARKET
            leaf = b.team(name, parent, structure, area.region, area_idx)
            leaf.leaf = True
            _staff_leaf(b, leaf, boss, area, sizes[leaf_index], first=leaf_index == 0)
            leaf_index += 1
    return org


def _segment_name(area: Area, k: int) -> str:
    segment = SEGMENTS[k % len(SEGMENTS)]
    round_ = k // len(SEGMENTS)
    return f"{area.name} {segment}" + (f" {round_ + 1}" if round_ else "")


def _staff_leaf(
    b: _OrgBuilder, leaf: TeamSpec, boss: PersonSpec, area: Area, size: int, *, first: bool
) -> None:
    rng = b.rng
    manager = b.person(
        Role.SALES_MANAGER,
        leaf,
        boss,
        time_zone=area.time_zone,
        region=area.region,
        min_tenure_days=1200 if first else 365,
    )
    leaf.manager_id = manager.id
    roles: list[str] = [Role.ACCOUNT_EXECUTIVE, Role.SDR]
    if first:  # the demo "manager" runs a full team; the demo "rep" is its first AE
        roles = [Role.ACCOUNT_EXECUTIVE, Role.ACCOUNT_EXECUTIVE, Role.SDR, Role.CUSTOMER_SUCCESS]
        roles += [Role.ACCOUNT_EXECUTIVE, Role.SDR, Role.SALES_ADMIN]
    while len(roles) < size:
        roles.append(rng.choices(MEMBER_ROLES, MEMBER_ROLE_WEIGHTS)[0])
    for i, role in enumerate(roles):
        person = b.person(
            role,
            leaf,
            manager,
            time_zone=area.time_zone,
            region=area.region,
            min_tenure_days=1100 if first and i == 0 else 0,
            may_leave=not (first and i == 0),
        )
        if first and i == 0:
            person.username = "rep"
            person.skill = 1.15
    if first:
        manager.username = "manager"


def org_write(*, org: Org) -> dict[str, int]:
    """Store the planned org with bulk inserts, then the demo logins. Returns row counts."""
    Team.objects.bulk_create(
        [
            Team(
                id=t.id, name=t.name, parent_id=t.parent_id, structure=t.structure, region=t.region
            )
            for t in org.teams
        ],
        batch_size=1000,
    )
    Person.objects.bulk_create(
        [
            Person(
                id=p.id,
                name=p.name,
                email=p.email,
                role=p.role,
                team_id=p.team_id,
                manager_id=p.manager_id,
                hourly_cost=p.hourly_cost,
                time_zone=p.time_zone,
                work_start=p.work_start,
                work_end=p.work_end,
                work_days=p.work_days,
                hire_date=p.hire_date,
                active=p.active,
            )
            for p in org.people
        ],
        batch_size=1000,
    )
    Team.objects.bulk_update(
        [Team(id=t.id, manager_id=t.manager_id) for t in org.teams if t.manager_id],
        ["manager"],
        batch_size=1000,
    )
    ops = next(p for p in org.people if p.role == Role.SALES_OPS_MANAGER)
    ops.username = "ops"
    users = _demo_users_write(org=org)
    return {"teams": len(org.teams), "people": len(org.people), "users": users}


def _demo_users_write(*, org: Org) -> int:
    """admin (superuser, no Person), ops, manager and rep, all with the demo password.

    An existing user of that name is linked but keeps its password (never overwrite a real login).
    """
    user_model = get_user_model()
    password = make_password(DEMO_PASSWORD)  # hash once: PBKDF2 is slow on purpose
    admin, created = user_model.objects.get_or_create(
        username="admin",
        defaults={"email": "admin@salesops.example", "is_staff": True, "is_superuser": True},
    )
    if created:
        admin.password = password
        admin.save(update_fields=["password"])
    count = 1
    for spec in org.people:
        if spec.username is None:
            continue
        first, _, last = spec.name.partition(" ")
        user, created = user_model.objects.get_or_create(
            username=spec.username,
            defaults={"email": spec.email, "first_name": first, "last_name": last},
        )
        if created:
            user.password = password
            user.save(update_fields=["password"])
        person = Person.objects.get(id=spec.id)
        person.user = user
        person.save(update_fields=["user"])
        person_sync_groups(person=person)
        count += 1
    return count
