"""teams file: `sales_agent, manager, regional_office` → people and one team per manager."""

from __future__ import annotations

from dataclasses import dataclass

from salesops.importer.context import ImportContext
from salesops.importer.matching import NameIndex
from salesops.importer.reader import ImportSource, Row
from salesops.importer.report import FileReport
from salesops.models import REP_ROLES, Person, Role, Team, TeamStructure
from salesops.services.people import person_sync_groups

COLUMNS = ("sales_agent", "manager", "regional_office")
MANAGER_ROLES = frozenset({Role.SALES_MANAGER, Role.SALES_OPS_MANAGER})


def team_name_for(manager: str) -> str:
    """The natural key of the team a manager runs."""
    return f"Team {manager}"


@dataclass
class _Agent:
    line: int
    manager: str


class _People:
    """Resolves person names to a canonical spelling: a stored person, or a new one from the file."""

    def __init__(self, context: ImportContext, report: FileReport) -> None:
        self.context = context
        self.report = report
        self.new: NameIndex[int] = NameIndex()

    def canonical(self, name: str, row: Row, column: str) -> str | None:
        for index in (self.context.people, self.new):
            match = index.find(name)
            if match.canonical:
                if match.near:
                    self.report.warning(
                        row.line,
                        column,
                        f"Person '{name}' matched '{match.canonical}' "
                        "(differs only in case or spacing).",
                        name,
                    )
                return match.canonical
            if match.ambiguous:
                self.report.error(
                    row.line,
                    column,
                    f"Ambiguous person: matches {', '.join(match.ambiguous)}.",
                    name,
                )
                return None
        self.new.add(name, 0)
        return name


def import_teams(context: ImportContext, source: ImportSource, report: FileReport) -> None:
    people = _People(context, report)
    agents: dict[str, _Agent] = {}
    offices: dict[str, str] = {}
    for row in context.rows(source, report, required=COLUMNS):
        _parse_row(row, report, people, agents, offices)
    if not agents and not offices:
        return
    _write(context, report, people, agents, offices)


def _parse_row(
    row: Row,
    report: FileReport,
    people: _People,
    agents: dict[str, _Agent],
    offices: dict[str, str],
) -> None:
    agent_raw, manager_raw, office = (
        row.get("sales_agent"),
        row.get("manager"),
        row.get("regional_office"),
    )
    if not agent_raw:
        report.error(row.line, "sales_agent", "A sales agent is required.")
    if not manager_raw:
        report.error(row.line, "manager", "A manager is required.")
    if report.is_bad(row.line):
        return
    agent = people.canonical(agent_raw, row, "sales_agent")
    manager = people.canonical(manager_raw, row, "manager")
    if agent is None or manager is None:
        return
    if agent.casefold() == manager.casefold():
        report.error(row.line, "manager", "An agent cannot be their own manager.", manager_raw)
        return
    if agent in agents:
        report.error(
            row.line,
            "sales_agent",
            f"Duplicate agent in the file (first on line {agents[agent].line}).",
            agent_raw,
        )
        return
    if not office:
        report.warning(row.line, "regional_office", "No regional office: the team has no region.")
    if manager in offices and office and offices[manager] and offices[manager] != office:
        report.warning(
            row.line,
            "regional_office",
            f"Manager {manager} is already in office '{offices[manager]}'; that one is kept.",
            office,
        )
    elif not offices.get(manager):
        offices[manager] = office
    agents[agent] = _Agent(line=row.line, manager=manager)


def _write(
    context: ImportContext,
    report: FileReport,
    people: _People,
    agents: dict[str, _Agent],
    offices: dict[str, str],
) -> None:
    now = context.now
    # 1. People who do not exist yet (without team and manager: the teams need them first).
    roles = {name: Role.ACCOUNT_EXECUTIVE for name in agents}
    for manager in offices:
        if manager in agents:
            report.warning(
                agents[manager].line,
                "sales_agent",
                "This person is both an agent and a manager; they stay an agent.",
                manager,
            )
        else:
            roles[manager] = Role.SALES_MANAGER
    new_names = [name for name in roles if context.people.find(name).value is None]
    created = Person.objects.bulk_create(
        [Person(name=name, role=roles[name]) for name in new_names], batch_size=1000
    )
    for person in created:
        context.people.add(person.name, person.pk)
    report.count("person", "created", len(created))
    ids = {name: context.people.find(name).value for name in roles}
    for name, agent in agents.items():
        if (pk := ids.get(name)) is not None:
            context.agent_lines[pk] = (agent.line, name)

    # 2. One team per manager.
    team_ids = _upsert_teams(context, report, offices, ids)

    # 3. Team, reporting line and role of everyone in the file.
    created_ids = {person.pk for person in created}
    current = {
        p.pk: p
        for p in Person.objects.filter(pk__in=[pk for pk in ids.values() if pk is not None]).only(
            "pk", "role", "team_id", "manager_id", "user_id", "active"
        )
    }
    changed: list[Person] = []
    regroup: list[Person] = []
    for name, pk in ids.items():
        if pk is None or pk not in current:
            continue
        person = current[pk]
        if name in agents:
            manager = agents[name].manager
            team_id, manager_id = team_ids[manager], ids[manager]
            role = person.role if person.role in REP_ROLES else Role.ACCOUNT_EXECUTIVE
        else:
            team_id, manager_id = team_ids[name], person.manager_id
            role = person.role if person.role in MANAGER_ROLES else Role.SALES_MANAGER
        if (person.team_id, person.manager_id, person.role) != (team_id, manager_id, role):
            if person.role != role and person.user_id is not None:
                regroup.append(person)
            person.team_id, person.manager_id, person.role = team_id, manager_id, role
            person.updated_at = now
            changed.append(person)
            if pk not in created_ids:
                report.count("person", "updated")
        elif pk not in created_ids:
            report.count("person", "unchanged")
    Person.objects.bulk_update(changed, ["team", "manager", "role", "updated_at"], batch_size=1000)
    # A login's group and staff flag follow its role (an inactive person's login stays revoked):
    # the same service the admin and the API use.
    for person in regroup:
        person_sync_groups(person=person)


def _upsert_teams(
    context: ImportContext,
    report: FileReport,
    offices: dict[str, str],
    person_ids: dict[str, int | None],
) -> dict[str, int]:
    team_ids: dict[str, int] = {}
    known = [context.teams.find(team_name_for(manager)).value for manager in offices]
    existing = {team.pk: team for team in Team.objects.filter(pk__in=[k for k in known if k])}
    to_create: dict[str, Team] = {}
    to_update: list[Team] = []
    for manager, office in offices.items():
        manager_id = person_ids[manager]
        pk = context.teams.find(team_name_for(manager)).value
        team = existing.get(pk) if pk is not None else None
        if team is None:
            to_create[manager] = Team(
                name=team_name_for(manager),
                region=office,
                manager_id=manager_id,
                structure=TeamStructure.TERRITORY,
            )
            continue
        team_ids[manager] = team.pk
        if (team.region, team.manager_id) != (office, manager_id):
            team.region, team.manager_id, team.updated_at = office, manager_id, context.now
            to_update.append(team)
        else:
            report.count("team", "unchanged")
    Team.objects.bulk_create(to_create.values())
    for manager, team in to_create.items():
        context.teams.add(team.name, team.pk)
        team_ids[manager] = team.pk
    Team.objects.bulk_update(to_update, ["region", "manager", "updated_at"])
    report.count("team", "created", len(to_create))
    report.count("team", "updated", len(to_update))
    return team_ids
