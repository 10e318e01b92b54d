"""Every page for every demo login, on the data `make run` shows.

The module seeds the small demo once (`seed_demo --scale small`, seed 1, as `make run` does) inside a
transaction that is rolled back when the module ends. Each demo login then starts at the home page,
reads the main navigation and walks the same-site links it is shown (breadth first, bounded), plus
every CSV and calendar link it meets. A link shown to a persona must work for that persona: anything
but 200, and any error text in the page, is collected and reported all at once.
"""

from __future__ import annotations

import csv
import io
import re
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.test import Client

DEMO_LOGINS = ("admin", "ops", "manager", "rep")
MAX_URLS = 150  # per persona
MAX_DEPTH = 3  # home (0) → navigation pages (1) → their links (2) → one more
PER_SHAPE = 1  # one /meetings/<n>/ page stands for its kind; then the next kind of page
OPTIONS_PER_SELECT = 2  # a filter form is submitted with up to 2 choices of each of its selects

NAV_ALL = {
    "/",
    "/meetings/",
    "/meetings/notifications/",
    "/territories/",
    "/compensation/",
    "/api/docs/",
}
EXPECTED_NAV = {
    "admin": NAV_ALL | {"/dashboard/", "/ops/", "/imports/", "/admin/"},  # no Person: no workspace
    "ops": NAV_ALL
    | {"/dashboard/", "/me/", "/ops/", "/imports/", "/admin/"},  # sales ops run the admin
    "manager": NAV_ALL | {"/dashboard/", "/me/"},
    "rep": NAV_ALL | {"/me/"},
}
# Pages about the whole company or about other people; a rep is shown none of them.
NOT_FOR_REPS = (
    "/ops/",
    "/admin/",
    "/dashboard/",
    "/compensation/team/",
    "/compensation/plans/",
    "/meetings/team/",
    "/meetings/?scope=team",
)

SKIP_PREFIXES = (
    "/static/",
    "/media/",
    "/api/v1/",  # JSON, covered by the API tests
    "/api/schema/",
    "/accounts/",  # login and logout
    "/admin/logout/",
    "/admin/password_change/",
    "/admin/jsi18n/",
)
# Path segments of actions (POST-only or destructive): never followed, even if linked.
ACTION_SEGMENTS = {
    "delete",
    "logout",
    "run",
    "activate",
    "clone",
    "rerun",
    "done",
    "toggle",
    "generate",
    "resolve",
    "dispute",
    "rsvp",
    "approve",
    "pay",
    "cancel",
    "complete",
    "reopen",
}
ADMIN_FORMS = {"add", "change", "history", "delete", "password"}
# Deliberate redirects of a shown link, followed to where they lead (which must answer 200).
REDIRECTS = {
    # "Quota & pay" for a login without a Person (the admin) is the team view: no pay of its own.
    ("/compensation/", "/compensation/team/"),
}
# Text that looks like an error but is Django's own wording.
ALLOWED_TEXT = {"None available"}  # the admin index's empty "Recent actions"

# Error text in what a person reads (tag text and attribute values).
TEXT_ERRORS = [
    (re.compile(r"Traceback"), "Traceback"),
    (re.compile(r"Server Error"), "Server Error"),
    (re.compile(r"\b\w*Exception\b"), "Exception"),
    (re.compile(r"\bNone\b"), "None rendered as a value"),
    (re.compile(r"\bnan\b|\bNaN\b|\binf\b"), "nan/inf rendered as a number"),
    (re.compile(r"Decimal\("), "Decimal repr"),
    (re.compile(r"datetime\.(?:date|datetime)\("), "date repr"),
    (re.compile(r"<\w+(?:\.\w+)* object at 0x|<QuerySet"), "object repr"),
    (re.compile(r"\{\{|\}\}|\{%|%\}"), "unrendered template tag"),
    (re.compile(r"TemplateSyntaxError|VariableDoesNotExist|NoReverseMatch"), "template error"),
]
# Inline scripts and JSON blobs: the Python reprs that break them.
SCRIPT_ERRORS = [
    (re.compile(r"(?<![\w.])None\b"), "None in a script"),
    (re.compile(r"(?<![\w.])NaN\b|\bnan\b"), "NaN in a script"),
    (re.compile(r"Decimal\("), "Decimal repr in a script"),
    (re.compile(r"\{\{|\{%"), "unrendered template tag in a script"),
]
CHECKED_ATTRIBUTES = {"href", "src", "action", "value", "title", "alt", "aria-label", "placeholder"}


@dataclass
class Page:
    links: list[str] = field(default_factory=list)
    nav: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    scripts: list[str] = field(default_factory=list)
    forms: list[GetForm] = field(default_factory=list)


@dataclass
class GetForm:
    """A filter form (method="get"): what it submits as rendered, and the choices of its selects."""

    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    choices: dict[str, list[str]] = field(default_factory=dict)
    multiple: set[str] = field(default_factory=set)

    def key(self) -> str:
        return f"{urlsplit(self.action).path}?{sorted({n for n, _ in self.fields})}"

    def submissions(self) -> Iterator[str]:
        """The form as rendered, then each select changed to each of its options in turn."""
        yield self._url(self.fields)
        for name, options in self.choices.items():
            for option in options[:OPTIONS_PER_SELECT]:
                others = [(n, v) for n, v in self.fields if n != name]
                yield self._url([*others, (name, option)])

    def _url(self, fields: list[tuple[str, str]]) -> str:
        return f"{urlsplit(self.action).path}?{urlencode(fields)}"


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._in_nav = 0
        self._raw: str | None = None  # "script" or "style" while inside one
        self._form: GetForm | None = None
        self._select: str | None = None
        self._chosen: list[str] = []
        self._option_text_selected: bool | None = None  # an <option> without value="…" is open

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "nav" and ("mainnav" in values.get("class", "").split() or self._in_nav):
            self._in_nav += 1
        if tag in ("script", "style"):
            self._raw = tag
        if tag == "a" and values.get("href"):
            self.page.links.append(values["href"])
            if self._in_nav:
                self.page.nav.append(values["href"])
        if tag == "form" and values.get("method", "").lower() == "get":
            self._form = GetForm(action=values.get("action", ""))
            self.page.forms.append(self._form)
        elif self._form is not None:
            self._form_field(self._form, tag, values)
        for name, value in values.items():
            if value and (name in CHECKED_ATTRIBUTES or name.startswith("data-")):
                self.page.text.append(f"[{tag} {name}] {value}")

    def _form_field(self, form: GetForm, tag: str, values: dict[str, str]) -> None:
        name = values.get("name", "")
        kind = values.get("type", "text").lower()
        if tag == "input" and name and kind not in ("submit", "button", "image", "reset", "file"):
            if kind not in ("checkbox", "radio") or "checked" in values:
                form.fields.append((name, values.get("value", "")))
        elif tag == "textarea" and name:
            form.fields.append((name, ""))
        elif tag == "select" and name:
            self._select, self._chosen = name, []
            form.choices[name] = []
            if "multiple" in values:
                form.multiple.add(name)
        elif tag == "option" and self._select is not None:
            if "value" in values:
                self._add_option(form, values["value"], "selected" in values)
            else:
                self._option_text_selected = "selected" in values

    def _add_option(self, form: GetForm, value: str, selected: bool) -> None:
        assert self._select is not None
        form.choices[self._select].append(value)
        if selected:
            self._chosen.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "nav" and self._in_nav:
            self._in_nav -= 1
        if tag == self._raw:
            self._raw = None
        if tag == "select" and self._form is not None and self._select is not None:
            # What the browser sends: the selected options; a plain select without one, its first.
            options = self._form.choices[self._select]
            chosen = self._chosen
            if not chosen and options and self._select not in self._form.multiple:
                chosen = options[:1]
            self._form.fields.extend((self._select, value) for value in chosen)
            self._select = None
        if tag == "form":
            self._form = None

    def handle_data(self, data: str) -> None:
        if self._raw == "script":
            self.page.scripts.append(data)
        elif self._raw is None and data.strip():
            self.page.text.append(data.strip())
        if self._option_text_selected is not None and self._form is not None:
            self._add_option(self._form, data.strip(), self._option_text_selected)
            self._option_text_selected = None


def _parse(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def _html_problems(page: Page) -> list[str]:
    problems = []
    for chunk in page.text:
        if chunk in ALLOWED_TEXT:
            continue
        for pattern, label in TEXT_ERRORS:
            if match := pattern.search(chunk):
                problems.append(f"{label}: {_around(chunk, match)}")
    for chunk in page.scripts:
        for pattern, label in SCRIPT_ERRORS:
            if match := pattern.search(chunk):
                problems.append(f"{label}: {_around(chunk, match)}")
    return problems


def _around(text: str, match: re.Match[str]) -> str:
    start, end = max(match.start() - 60, 0), min(match.end() + 60, len(text))
    return repr(" ".join(text[start:end].split()))


def _csv_problems(body: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(body)))
    if not rows or not all(cell.strip() for cell in rows[0]):
        return [f"no header row: {rows[:1]!r}"]
    problems = []
    width = len(rows[0])
    for number, row in enumerate(rows[1:], start=2):
        if len(row) != width:
            problems.append(f"row {number} has {len(row)} cells, the header {width}")
        for cell in row:
            if cell in ("None", "nan", "NaN", "inf") or "Decimal(" in cell:
                problems.append(f"row {number} holds {cell!r}")
        if len(problems) > 5:
            break
    return problems


def _local(href: str, base: str) -> str | None:
    """The same-site path?query a link points to, or None for what the crawl leaves alone."""
    if href.startswith(("#", "mailto:", "tel:", "javascript:", "data:")):
        return None
    parts = urlsplit(urljoin(f"http://testserver{base}", href))
    if parts.scheme not in ("http", "https") or parts.netloc != "testserver":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _followed(url: str) -> bool:
    parts = urlsplit(url)
    if parts.path.startswith(SKIP_PREFIXES):
        return False
    segments = [s for s in parts.path.split("/") if s]
    if ACTION_SEGMENTS & set(segments):
        return False
    if parts.path.startswith("/admin/"):
        # The index, app indexes and change lists as linked from the index: no forms, no filters.
        return len(segments) <= 3 and not parts.query and not ADMIN_FORMS & set(segments)
    return True


def _shape(url: str) -> str:
    """The kind of page: ids become N and only the names of query parameters count."""
    parts = urlsplit(url)
    keys = sorted({key for key, _ in parse_qsl(parts.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", parts.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Crawl:
    persona: str
    nav: list[str] = field(default_factory=list)
    visited: dict[str, int] = field(default_factory=dict)  # url → status
    failures: list[str] = field(default_factory=list)
    kinds: Counter[str] = field(default_factory=Counter)
    queue: deque[tuple[str, int]] = field(default_factory=lambda: deque([("/", 0)]))
    seen: set[str] = field(default_factory=lambda: {"/"})
    shapes: Counter[str] = field(default_factory=Counter)
    forms: set[str] = field(default_factory=set)

    def fail(self, url: str, problem: str) -> None:
        self.failures.append(f"{self.persona} GET {url}: {problem}")

    def enqueue(self, url: str, depth: int, *, any_shape: bool = False) -> None:
        if url in self.seen or not _followed(url):
            return
        self.seen.add(url)
        # Files are always fetched; pages up to PER_SHAPE of a kind, except form submissions.
        if not any_shape and not urlsplit(url).path.endswith((".csv", ".ics")):
            shape = _shape(url)
            if self.shapes[shape] >= PER_SHAPE:
                return
            self.shapes[shape] += 1
        self.queue.append((url, depth))


def _get(client: Client, url: str) -> tuple[Any, str]:
    try:
        # A savepoint per page: a database error in one page must not abort the others.
        with transaction.atomic():
            return client.get(url), ""
    except Exception as exc:  # noqa: BLE001 (whatever a page raises is a finding to report)
        lines = traceback.format_exception(exc)
        return None, "".join(lines[-3:]).strip().replace("\n", "\n      ")


def _crawl(client: Client, persona: str) -> Crawl:
    crawl = Crawl(persona=persona)
    while crawl.queue and len(crawl.visited) < MAX_URLS:
        url, depth = crawl.queue.popleft()
        response, error = _get(client, url)
        crawl.visited[url] = 500 if response is None else response.status_code
        if response is None:
            crawl.fail(url, f"raised\n      {error}")
        elif response.status_code in (301, 302) and (url, response["Location"]) in REDIRECTS:
            crawl.enqueue(response["Location"], depth, any_shape=True)
        elif response.status_code != 200:
            where = f" to {response['Location']}" if response.has_header("Location") else ""
            crawl.fail(url, f"status {response.status_code}{where}")
        else:
            for problem in _response_problems(crawl, response, url, depth)[:5]:
                crawl.fail(url, problem)
    return crawl


def _response_problems(crawl: Crawl, response: Any, url: str, depth: int) -> list[str]:
    content_type = response.get("Content-Type", "").split(";")[0]
    raw = b"".join(response.streaming_content) if response.streaming else response.content
    body = raw.decode(response.charset or "utf-8", errors="replace")
    crawl.kinds[content_type] += 1
    if content_type == "text/csv":
        return _csv_problems(body)
    if content_type == "text/calendar":
        return [] if body.startswith("BEGIN:VCALENDAR") else ["not an iCalendar file"]
    if content_type != "text/html":
        return [f"unexpected content type {content_type}"]
    page = _parse(body)
    if url == "/":
        crawl.nav = [u for u in (_local(h, url) for h in page.nav) if u is not None]
    if depth < MAX_DEPTH:
        for href in page.links:
            if (target := _local(href, url)) is not None:
                crawl.enqueue(target, depth + 1)
        for form in page.forms:
            if form.key() not in crawl.forms:
                crawl.forms.add(form.key())
                for submission in form.submissions():
                    if (target := _local(submission, url)) is not None:
                        crawl.enqueue(target, depth + 1, any_shape=True)
    return _html_problems(page)


@pytest.fixture(scope="module")
def small_demo(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo `make run` loads (seed 1, small), seeded once for the module in a transaction that
    is rolled back at its end; each test runs in a savepoint inside it."""
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", "--scale", "small", verbosity=0)
        yield
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def crawls() -> dict[str, Crawl]:
    return {}


@pytest.fixture
def crawl_as(
    small_demo: None, db: None, settings: Any, crawls: dict[str, Crawl]
) -> Callable[[str], Crawl]:
    """`crawl_as(username)`: that login's crawl, made once per module."""
    settings.DEBUG = True  # as `make run` serves (pytest-django turns it off)

    def crawl(username: str) -> Crawl:
        if username not in crawls:
            client = Client()
            client.force_login(get_user_model().objects.get(username=username))
            crawls[username] = _crawl(client, username)
        return crawls[username]

    return crawl


def test_the_checks_flag_error_text_broken_csv_and_read_the_navigation() -> None:
    page = _parse(
        '<nav class="mainnav"><a href="/">Home</a><a href="/me/">Me</a></nav>'
        "<p>Owner: None</p><td>nan</td><p>Decimal('1.50')</p><pre>Traceback (most recent…</pre>"
        '<a href="/x/None/">x</a><p>{{ deal.name }}</p><p>None available</p>'
        '<script>const data = {"ratio": NaN};</script>'
        '<form method="get" action="/f/"><select name="p"><option value="a">A</option>'
        '<option value="b" selected>B</option></select><select name="m" multiple>'
        '<option value="x">X</option></select><input type="hidden" name="h" value="1"></form>'
    )
    assert page.nav == ["/", "/me/"]
    problems = _html_problems(page)
    for label in ("None rendered", "nan/inf", "Decimal repr", "Traceback", "unrendered", "NaN in"):
        assert any(p.startswith(label) for p in problems), (label, problems)
    # The text and the href; not the admin's "None available".
    assert sum("None rendered" in p for p in problems) == 2
    submissions = ["/f/?p=b&h=1", "/f/?h=1&p=a", "/f/?h=1&p=b", "/f/?p=b&h=1&m=x"]
    assert list(page.forms[0].submissions()) == submissions
    assert not _html_problems(_parse("<p>Owner: Anna Rep · 1.50 € · —</p><p>None available</p>"))
    assert _csv_problems("") and _csv_problems("person,,cost\r\n")
    assert _csv_problems("person,cost\r\nAnna,None\r\n") == ["row 2 holds 'None'"]
    assert not _csv_problems("person,cost\r\nAnna,1.50\r\n")


def test_the_demo_logins_are_exactly_the_personas_crawled_here(small_demo: None, db: None) -> None:
    logins = {u.username for u in get_user_model().objects.all() if u.has_usable_password()}
    assert logins == set(DEMO_LOGINS)


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_every_page_shown_to_a_persona_answers_200_without_error_text(
    crawl_as: Callable[[str], Crawl], username: str
) -> None:
    crawl = crawl_as(username)
    assert crawl.kinds["text/html"] >= len(EXPECTED_NAV[username])
    assert not crawl.failures, (
        f"{len(crawl.failures)} problem(s) among {len(crawl.visited)} URLs:\n  "
        + "\n  ".join(crawl.failures)
    )


@pytest.mark.parametrize("username", DEMO_LOGINS)
def test_the_navigation_fits_the_access_model(
    crawl_as: Callable[[str], Crawl], username: str
) -> None:
    crawl = crawl_as(username)
    assert sorted(crawl.nav) == sorted(EXPECTED_NAV[username])
    if username in ("manager", "rep"):
        assert [url for url in crawl.visited if url.startswith(("/ops/", "/admin/"))] == []
    if username == "rep":
        assert [url for url in crawl.visited if url.startswith(NOT_FOR_REPS)] == []


@pytest.mark.parametrize("username", ["manager", "rep"])
def test_company_wide_pages_stay_closed_to_people_not_shown_them(
    small_demo: None, db: None, client: Client, username: str
) -> None:
    client.force_login(get_user_model().objects.get(username=username))
    admin = client.get("/admin/")
    assert admin.status_code == 302 and "/admin/login/" in admin["Location"]
    assert client.get("/ops/").status_code == 404
    if username == "rep":
        dashboard = client.get("/dashboard/")
        assert dashboard.status_code == 302 and dashboard["Location"] == "/me/"
