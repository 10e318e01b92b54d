"""No SQL string is built with formatting (issue 25; docs/architecture.md, "Raw SQL").

Every text that reaches the database is a static string with driver parameters (%s), or a
psycopg2.sql composition (sql.SQL(...).format(sql.Identifier(...), other fragments)): an f-string,
str.format() or %-formatting never builds it, and sql.Literal is never used (values are parameters).

Two checks over every module of the apps and the benchmarks (migrations excluded):

1. Flow: from each sink (cursor.execute/executemany/copy_expert/mogrify, RawSQL(), .raw(),
   .extra(), and any function of ours that passes a parameter on to one, such as a module's
   `_exec(sql, params)`) back through the names, constants, helper functions and imports it is
   built from, in the same module or another one of ours: any f-string with a placeholder,
   str.format() or % on the way fails, naming the line that formats and the sink it reaches.
2. Text: an f-string, str.format() or % whose own text reads as SQL (SELECT … FROM, JOIN, WHERE,
   INSERT INTO, …) fails wherever it is, so SQL handed on through a registry or a return value
   that the flow cannot follow is caught too.

Why one module: the checker and the tests that show what it finds and lets pass are read together.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.sql_text import SQL_TEXT

ROOT = Path(__file__).resolve().parent.parent
APPS = ("salesops", "meetings", "territories", "compensation", "dashboard", "benchmarks")
# Methods and callables that run their (first, or the keyword's) argument as SQL.
SINK_METHODS = {"execute": 0, "executemany": 0, "copy_expert": 0, "mogrify": 0, "raw": 0}
SINK_CALLABLES = {"RawSQL": 0}
COMPOSABLE_FACTORIES = {"SQL", "Composed", "Identifier", "Placeholder"}


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    assigns: dict[str, list[ast.expr]] = field(default_factory=dict)
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)
    imports: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    psycopg_sql: set[str] = field(default_factory=set)  # local names of psycopg2.sql
    psycopg_names: set[str] = field(default_factory=set)  # SQL, Identifier… imported by name


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _load(path: Path, source: str | None = None) -> Module:
    text = path.read_text() if source is None else source
    module = Module(_module_name(path), path, ast.parse(text, filename=str(path)))
    for node in ast.walk(module.tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            module.functions.setdefault(node.name, []).append(node)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.name.split(".")[: -node.level]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                local = alias.asname or alias.name
                if base == "psycopg2" and alias.name == "sql":
                    module.psycopg_sql.add(local)
                elif base == "psycopg2.sql":
                    module.psycopg_names.add(local)
                module.imports[local] = (base, alias.name)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "psycopg2.sql" and alias.asname:
                    module.psycopg_sql.add(alias.asname)
                module.imports[alias.asname or alias.name.split(".")[0]] = (alias.name, None)
    for stmt in module.tree.body:
        for target, value in _assignments(stmt):
            module.assigns.setdefault(target, []).append(value)
    return module


def _assignments(stmt: ast.stmt) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(stmt, ast.Assign):
        for target in stmt.targets:
            yield from _bind(target, stmt.value)
    elif isinstance(stmt, ast.AnnAssign) and stmt.value is not None:
        yield from _bind(stmt.target, stmt.value)
    elif isinstance(stmt, ast.AugAssign) and isinstance(stmt.target, ast.Name):
        yield stmt.target.id, ast.BinOp(left=stmt.target, op=stmt.op, right=stmt.value)


def _bind(target: ast.expr, value: ast.expr) -> Iterator[tuple[str, ast.expr]]:
    if isinstance(target, ast.Name):
        yield target.id, value
    elif isinstance(target, ast.Tuple | ast.List):
        for i, element in enumerate(target.elts):
            if isinstance(value, ast.Tuple | ast.List) and len(value.elts) == len(target.elts):
                yield from _bind(element, value.elts[i])
            else:
                # `sql, params = build()`: the i-th element of whatever `build()` returns.
                part = ast.Subscript(value=value, slice=ast.Constant(i), ctx=ast.Load())
                ast.copy_location(part, value)
                yield from _bind(element, part)


def _modules() -> dict[str, Module]:
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                module = _load(path)
                found[module.name] = module
    return found


Finding = tuple[str, int, str]  # (file, line, what formats)
Scope = ast.FunctionDef | ast.AsyncFunctionDef | None


class Flow:
    """Follows one SQL argument back to what it is built from."""

    def __init__(self, modules: dict[str, Module]) -> None:
        self.modules = modules
        self.parents: dict[int, dict[ast.AST, ast.AST]] = {}

    def where(self, module: Module, node: ast.AST) -> str:
        return f"{module.path.relative_to(ROOT)}:{getattr(node, 'lineno', 0)}"

    def _scope_of(self, module: Module, node: ast.AST) -> Scope:
        parents = self.parents.setdefault(
            id(module),
            {
                child: parent
                for parent in ast.walk(module.tree)
                for child in ast.iter_child_nodes(parent)
            },
        )
        current = parents.get(node)
        while current is not None:
            if isinstance(current, ast.FunctionDef | ast.AsyncFunctionDef):
                return current
            current = parents.get(current)
        return None

    def formatted(
        self, expr: ast.AST, module: Module, scope: Scope, seen: set[tuple[int, str]]
    ) -> list[Finding]:
        key = (id(expr), module.name)
        if key in seen:
            return []
        seen = seen | {key}
        found: list[Finding] = []
        if isinstance(expr, ast.JoinedStr):
            if any(isinstance(v, ast.FormattedValue) for v in expr.values):
                found.append((self.where(module, expr), expr.lineno, "an f-string"))
        elif isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Mod):
            if not self._is_number(expr.left):
                found.append((self.where(module, expr), expr.lineno, "%-formatting"))
        elif isinstance(expr, ast.Call):
            found += self._call(expr, module, scope, seen)
        elif isinstance(expr, ast.Name):
            found += self._name(expr, module, scope, seen)
        elif isinstance(expr, ast.Attribute):
            found += self._attribute(expr, module, seen)
        elif isinstance(expr, ast.Subscript) and isinstance(expr.value, ast.Call):
            return found + self._element(expr, module, scope, seen)
        for part in _parts(expr):
            found += self.formatted(part, module, scope, seen)
        return found

    def _element(
        self, expr: ast.Subscript, module: Module, scope: Scope, seen: set[tuple[int, str]]
    ) -> list[Finding]:
        """`build()[0]` (as `sql, params = build()` binds it): only that element of what our
        `build()` returns is SQL; its parameters may be built any way."""
        call = expr.value
        assert isinstance(call, ast.Call)
        index = expr.slice.value if isinstance(expr.slice, ast.Constant) else None
        returns = self._returns(call.func, module)
        if not isinstance(index, int) or not returns:
            return self.formatted(call, module, scope, seen)
        found: list[Finding] = []
        for value, where, function in returns:
            if isinstance(value, ast.Tuple) and index < len(value.elts):
                value = value.elts[index]
            found += self.formatted(value, where, function, seen)
        return found

    @staticmethod
    def _is_number(expr: ast.expr) -> bool:
        return isinstance(expr, ast.Constant) and isinstance(expr.value, int | float)

    def _is_psycopg(self, func: ast.expr, module: Module, names: set[str]) -> bool:
        if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
            return func.value.id in module.psycopg_sql and func.attr in names
        return isinstance(func, ast.Name) and func.id in module.psycopg_names and func.id in names

    def _composable(self, expr: ast.expr, module: Module, scope: Scope, depth: int = 0) -> bool:
        """Whether `expr` is a psycopg2.sql object (so its .format() composes, not formats)."""
        if depth > 8:
            return False
        if isinstance(expr, ast.Call):
            if self._is_psycopg(expr.func, module, COMPOSABLE_FACTORIES):
                return True
            if isinstance(expr.func, ast.Attribute) and expr.func.attr in ("format", "join"):
                return self._composable(expr.func.value, module, scope, depth + 1)
            return any(
                self._composable(r, m, f, depth + 1) for r, m, f in self._returns(expr.func, module)
            )
        if isinstance(expr, ast.Name):
            values = self._bindings(expr.id, module, scope)
            return bool(values) and all(self._composable(v, m, s, depth + 1) for v, m, s in values)
        if isinstance(expr, ast.Subscript):
            return self._composable(expr.value, module, scope, depth + 1)
        if isinstance(expr, ast.IfExp):
            return self._composable(expr.body, module, scope, depth + 1) and self._composable(
                expr.orelse, module, scope, depth + 1
            )
        return False

    def _call(
        self, call: ast.Call, module: Module, scope: Scope, seen: set[tuple[int, str]]
    ) -> list[Finding]:
        found: list[Finding] = []
        func = call.func
        args = [*call.args, *(k.value for k in call.keywords)]
        if self._is_psycopg(func, module, {"Literal"}):
            return [(self.where(module, call), call.lineno, "sql.Literal (a value composed in)")]
        if self._is_psycopg(func, module, COMPOSABLE_FACTORIES):
            for arg in args:
                found += self.formatted(arg, module, scope, seen)
            return found
        if isinstance(func, ast.Attribute) and func.attr == "format":
            if not self._composable(func.value, module, scope):
                found.append((self.where(module, call), call.lineno, "str.format()"))
            found += self.formatted(func.value, module, scope, seen)
            for arg in args:
                found += self.formatted(arg, module, scope, seen)
            return found
        if isinstance(func, ast.Attribute) and func.attr in ("join", "as_string", "strip"):
            found += self.formatted(func.value, module, scope, seen)
            for arg in call.args[:1] if func.attr == "join" else []:
                found += self.formatted(arg, module, scope, seen)
            return found
        for value, where, function in self._returns(func, module):
            found += self.formatted(value, where, function, seen)
        return found

    def _returns(self, func: ast.expr, module: Module) -> list[tuple[ast.expr, Module, Scope]]:
        """What a call of one of our functions returns (its return expressions)."""
        target = self._function(func, module)
        if target is None:
            return []
        where, functions = target
        return [
            (node.value, where, function)
            for function in functions
            for node in ast.walk(function)
            if isinstance(node, ast.Return) and node.value is not None
        ]

    def _function(
        self, func: ast.expr, module: Module
    ) -> tuple[Module, list[ast.FunctionDef | ast.AsyncFunctionDef]] | None:
        if isinstance(func, ast.Name):
            if func.id in module.functions:
                return module, module.functions[func.id]
            imported = self._imported(func.id, module)
            if imported is not None and imported[1] in imported[0].functions:
                return imported[0], imported[0].functions[imported[1]]
        if isinstance(func, ast.Attribute):
            if isinstance(func.value, ast.Name):
                other = self._module_of(func.value.id, module)
                if other is not None and func.attr in other.functions:
                    return other, other.functions[func.attr]
                if func.value.id in ("self", "cls") and func.attr in module.functions:
                    return module, module.functions[func.attr]
        return None

    def _module_of(self, local: str, module: Module) -> Module | None:
        if local not in module.imports:
            return None
        base, name = module.imports[local]
        return self.modules.get(f"{base}.{name}" if name else base)

    def _imported(self, local: str, module: Module) -> tuple[Module, str] | None:
        if local not in module.imports:
            return None
        base, name = module.imports[local]
        other = self.modules.get(base)
        if other is None or name is None:
            return None
        return other, name

    def _bindings(
        self, name: str, module: Module, scope: Scope
    ) -> list[tuple[ast.expr, Module, Scope]]:
        bound: list[tuple[ast.expr, Module, Scope]] = []
        if scope is not None:
            for node in ast.walk(scope):
                if isinstance(node, ast.stmt):
                    bound += [(v, module, scope) for t, v in _assignments(node) if t == name]
                if isinstance(node, ast.For | ast.comprehension) and any(
                    isinstance(t, ast.Name) and t.id == name for t in ast.walk(node.target)
                ):
                    bound.append((node.iter, module, scope))
            if bound or name in {a.arg for a in _arguments(scope)}:
                return bound
            outer = self._scope_of(module, scope)
            return self._bindings(name, module, outer)
        if name in module.assigns:
            return [(v, module, None) for v in module.assigns[name]]
        imported = self._imported(name, module)
        if imported is not None:
            other, original = imported
            return [(v, other, None) for v in other.assigns.get(original, [])]
        return []

    def _name(
        self, name: ast.Name, module: Module, scope: Scope, seen: set[tuple[int, str]]
    ) -> list[Finding]:
        found: list[Finding] = []
        for value, where, function in self._bindings(name.id, module, scope):
            found += self.formatted(value, where, function, seen)
        return found

    def _attribute(
        self, attr: ast.Attribute, module: Module, seen: set[tuple[int, str]]
    ) -> list[Finding]:
        """`engine.TABLE`: a constant of another module of ours."""
        if isinstance(attr.value, ast.Name):
            other = self._module_of(attr.value.id, module)
            if other is not None:
                found: list[Finding] = []
                for value in other.assigns.get(attr.attr, []):
                    found += self.formatted(value, other, None, seen)
                return found
        return []


def _parts(expr: ast.AST) -> list[ast.expr]:
    """The pieces a composite expression's text is made of (followed one by one)."""
    if isinstance(expr, ast.BinOp):
        return [expr.left, expr.right]
    if isinstance(expr, ast.Subscript | ast.Starred):
        return [expr.value]
    if isinstance(expr, ast.IfExp):
        return [expr.body, expr.orelse]
    if isinstance(expr, ast.Tuple | ast.List | ast.Set):
        return list(expr.elts)
    if isinstance(expr, ast.Dict):
        return list(expr.values)
    if isinstance(expr, ast.GeneratorExp | ast.ListComp | ast.SetComp):
        return [expr.elt]
    return []


def _arguments(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[ast.arg]:
    a = function.args
    return [*a.posonlyargs, *a.args, *a.kwonlyargs]


def _sink_arguments(call: ast.Call, sinks: dict[str, int]) -> Iterator[tuple[str, ast.expr]]:
    """(sink name, SQL argument) of a call that runs SQL."""
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
    if name == "extra" and isinstance(func, ast.Attribute):
        # QuerySet.extra(select, where, params, tables, order_by, select_params): the SQL ones.
        sql_args = dict(zip(("select", "where", "params", "tables", "order_by"), call.args))
        sql_args.update((k.arg, k.value) for k in call.keywords if k.arg)
        for part in ("select", "where", "tables", "order_by"):
            if part in sql_args:
                yield "extra", sql_args[part]
        return
    if name is None or name not in sinks:
        return
    index = sinks[name]
    if index < len(call.args):
        yield name, call.args[index]
    else:
        for keyword in call.keywords:
            if keyword.arg in ("sql", "query", "raw_query"):
                yield name, keyword.value


def _wrappers(modules: dict[str, Module], flow: Flow) -> dict[str, int]:
    """Sinks plus our functions that hand a parameter on to one (to a fixed point)."""
    sinks = {**SINK_METHODS, **SINK_CALLABLES}
    changed = True
    while changed:
        changed = False
        for module in modules.values():
            for functions in module.functions.values():
                for function in functions:
                    params = [a.arg for a in _arguments(function)]
                    for node in ast.walk(function):
                        if not isinstance(node, ast.Call):
                            continue
                        for _, arg in _sink_arguments(node, sinks):
                            if isinstance(arg, ast.Name) and arg.id in params:
                                index = params.index(arg.id)
                                if params and params[0] in ("self", "cls"):
                                    index -= 1
                                if function.name not in sinks and index >= 0:
                                    sinks[function.name] = index
                                    changed = True
    return sinks


def sql_formatting(modules: dict[str, Module]) -> list[str]:
    flow = Flow(modules)
    sinks = _wrappers(modules, flow)
    problems: dict[tuple[str, int], str] = {}
    for module in modules.values():
        for node in ast.walk(module.tree):
            if not isinstance(node, ast.Call):
                continue
            for sink, arg in _sink_arguments(node, sinks):
                scope = flow._scope_of(module, node)
                for where, _, what in flow.formatted(arg, module, scope, set()):
                    problems.setdefault(
                        (where, 0),
                        f"{where}: {what} builds SQL text that reaches {sink}() at "
                        f"{flow.where(module, node)}",
                    )
        for where, what in _sql_text_formatting(module):
            problems.setdefault((where, 0), f"{where}: {what} builds text that reads as SQL")
    return [problems[key] for key in sorted(problems, key=_file_and_line)]


def _file_and_line(key: tuple[str, int]) -> tuple[str, int]:
    file, _, line = key[0].rpartition(":")
    return file, int(line)


def _constant_text(node: ast.expr) -> str:
    if isinstance(node, ast.JoinedStr):
        return "".join(str(v.value) for v in node.values if isinstance(v, ast.Constant))
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return ""


def _sql_text_formatting(module: Module) -> Iterator[tuple[str, str]]:
    where = module.path.relative_to(ROOT)
    for node in ast.walk(module.tree):
        if isinstance(node, ast.JoinedStr) and any(
            isinstance(v, ast.FormattedValue) for v in node.values
        ):
            if SQL_TEXT.search(_constant_text(node)):
                yield f"{where}:{node.lineno}", "an f-string"
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
            if SQL_TEXT.search(_constant_text(node.left)):
                yield f"{where}:{node.lineno}", "%-formatting"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"
            and SQL_TEXT.search(_constant_text(node.func.value))
        ):
            yield f"{where}:{node.lineno}", "str.format()"


def test_no_sql_text_is_built_with_formatting():
    problems = sql_formatting(_modules())
    assert not problems, (
        "SQL built with formatting (use a static string with %s parameters, or psycopg2.sql: "
        "sql.SQL('… {t} …').format(t=sql.Identifier(name)); values are always parameters):\n"
        + "\n".join(problems)
    )


def _check(source: str) -> list[str]:
    module = _load(ROOT / "benchmarks" / "example.py", source)
    return sql_formatting({module.name: module})


def test_the_check_finds_formatting_on_the_way_to_a_cursor():
    # A table name in an f-string, through a helper, a constant and a wrapper of execute().
    found = _check(
        "T = 'x'\n"
        "def _sql(col):\n"
        "    return f'SELECT {col} FROM t'\n"
        "def _exec(sql, params):\n"
        "    cursor.execute(sql, params)\n"
        "def run():\n"
        "    query = _sql('a') + ' LIMIT 1'\n"
        "    _exec(query, [])\n"
        "    cursor.execute('DELETE FROM {}'.format(T))\n"
        "    cursor.execute('SELECT * FROM t WHERE id = %d' % 3)\n"
        "    Model.objects.extra(where=[f'id = {3}'], params=[f'{3}'])\n"
    )
    assert [p.split(": ", 1)[0] for p in found] == [
        "benchmarks/example.py:3",
        "benchmarks/example.py:9",
        "benchmarks/example.py:10",
        "benchmarks/example.py:11",
    ], found
    assert any("reaches _exec()" in p for p in found), found


def test_parameters_may_be_built_any_way():
    found = _check(
        "def build(term):\n"
        "    return 'SELECT id FROM t WHERE name ILIKE %s', [f'%{term}%']\n"
        "def run():\n"
        "    query, params = build('x')\n"
        "    cursor.execute(query, params)\n"
    )
    assert found == []


def test_the_check_finds_sql_text_formatted_anywhere():
    found = _check("def provider():\n    return f'SELECT a FROM {T} WHERE b = 1', []\n")
    assert found == ["benchmarks/example.py:2: an f-string builds text that reads as SQL"]


def test_static_sql_and_psycopg_compositions_pass():
    assert (
        _check(
            "from psycopg2 import sql\n"
            "JOIN = sql.SQL('JOIN {t} h ON h.id = {col}')\n"
            "def run(ids, table):\n"
            "    query = sql.SQL('SELECT * FROM {t} a {join} WHERE a.id = ANY(%s)').format(\n"
            "        t=sql.Identifier(table), join=JOIN.format(t=sql.Identifier('h'), col=sql.SQL('a.id')))\n"
            "    cursor.execute(query, [ids])\n"
            "    cursor.execute('SELECT 1')\n"
            "    cursor.execute(sql.SQL(', ').join(sql.Identifier(c) for c in ['a', 'b']))\n"
            "    name = f'Unknown team {table}'\n"
        )
        == []
    )


def test_a_value_composed_in_with_sql_literal_fails():
    found = _check(
        "from psycopg2 import sql\n"
        "def run(day):\n"
        "    cursor.execute(sql.SQL('SELECT * FROM t WHERE d = {}').format(sql.Literal(day)))\n"
    )
    assert found and "sql.Literal" in found[0], found
