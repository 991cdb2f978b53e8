"""The shape of shop/: layers in one direction, no import cycles, small modules, one commit per
request. Read from the source, so an import inside a function counts like any other
(`if TYPE_CHECKING:` imports do not: they never run)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "shop"

# Lowest first. A module may import from its own layer and the layers before it, never after.
# The first matching rule names a module's layer ("*" matches one dotted part).
LAYERS: list[tuple[str, list[str]]] = [
    ("core", ["shop.config", "shop.extensions", "shop.core", "shop.goals", "shop.mail"]),
    ("media", ["shop.media.models", "shop.media.services", "shop.media.gallery"]),
    ("accounts", ["shop.auth.models", "shop.auth.services"]),
    (
        "artisans",
        [
            "shop.artisans.models",
            "shop.artisans.services",
            "shop.artisans.drafts",
            "shop.artisans.listings",
        ],
    ),
    (
        "listings",
        [
            "shop.catalog.models",
            "shop.catalog.search",
            "shop.catalog.services",
            "shop.classes.models",
            "shop.classes.services",
            "shop.classes.policy",
            "shop.classes.display",
            "shop.classes.ics",
            "shop.classes.queries",
        ],
    ),
    ("inventory", ["shop.inventory"]),
    ("waitlist", ["shop.waitlist"]),
    (
        "orders",
        ["shop.orders.models", "shop.orders.cart", "shop.orders.checkout", "shop.orders.lifecycle"],
    ),
    (
        "payments",
        [
            "shop.payments.models",
            "shop.payments.gateways",
            "shop.payments.services",
            "shop.payments.settlement",
            "shop.payments.refunds",
        ],
    ),
    ("bookings", ["shop.bookings"]),
    (
        "payouts",
        [
            "shop.payouts.models",
            "shop.payouts.rules",
            "shop.payouts.ledger",
            "shop.payouts.services",
            "shop.payouts.reports",
        ],
    ),
    (
        "trust",
        [
            "shop.reviews.models",
            "shop.reviews.services",
            "shop.reviews.queries",
            "shop.reviews.invitations",
            "shop.messages.models",
            "shop.messages.services",
            "shop.messages.queries",
        ],
    ),
    (
        "moderation",
        [
            "shop.moderation.models",
            "shop.moderation.services",
            "shop.moderation.reports",
            "shop.moderation.featured",
        ],
    ),
    # Impact figures read everything below (orders, bookings, the ledger, goals).
    ("impact", ["shop.impact"]),
    # Views and their forms: blueprints, and the packages that are only pages.
    (
        "web",
        [
            "shop.*.routes",
            "shop.*.forms",
            "shop.*.*_routes",
            "shop.main",
            "shop.admin",
            "shop.api",
            "shop.workshop",
            "shop.errors",
        ],
    ),
    ("app", ["shop", "shop.models", "shop.cli", "shop.demo"]),
]
LAYER_INDEX = {name: i for i, (name, _) in enumerate(LAYERS)}
MAX_MODULE_LINES = 450
# The only places that commit: the request helper, CLI commands, the demo seeder.
COMMIT_ALLOWED = {"shop.core.views", "shop.cli", "shop.demo"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(SHOP.rglob("*.py"))}


def _matches(module: str, pattern: str) -> bool:
    regex = re.escape(pattern).replace(r"\*", r"[^.]+")
    return re.fullmatch(regex + r"(\..+)?", module) is not None


def layer_of(module: str) -> str:
    """The layer of a module: the most specific rule that matches it."""
    best, best_len = None, -1
    for name, patterns in LAYERS:
        for pattern in patterns:
            if _matches(module, pattern) and len(pattern) > best_len:
                best, best_len = name, len(pattern)
    assert best is not None, f"{module} is in no layer: add it to LAYERS"
    return best


def _resolve(name: str) -> str | None:
    """The shop module an imported dotted name lives in (None outside shop/)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.is_package = module, is_package
        self.found: list[tuple[str, int, bool]] = []  # (module, line, inside a function)
        self.depth = 0

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
            isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
        ):
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def _function(self, node) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_FunctionDef = visit_AsyncFunctionDef = _function

    def _add(self, name: str, line: int) -> None:
        target = _resolve(name)
        if target and target != self.module:
            self.found.append((target, line, self.depth > 0))

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            package = self.module.split(".")
            if not self.is_package:
                package = package[:-1]
            package = package[: len(package) - node.level + 1]
            base = ".".join([*package, *([node.module] if node.module else [])])
        for alias in node.names:
            full = f"{base}.{alias.name}"
            self._add(full if full in MODULES else base, node.lineno)


def imports_of(module: str) -> list[tuple[str, int, bool]]:
    path = MODULES[module]
    visitor = _Imports(module, path.name == "__init__.py")
    visitor.visit(ast.parse(path.read_text(), str(path)))
    return visitor.found


GRAPH = {module: imports_of(module) for module in MODULES}


def _cycles() -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target, _, _ in GRAPH[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in GRAPH:
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles():
    assert _cycles() == []


def test_every_module_has_a_layer():
    for module in MODULES:
        layer_of(module)


def test_imports_go_down_the_layers_only():
    upward = [
        f"{module}:{line} imports {target} ({layer_of(module)} -> {layer_of(target)})"
        for module, targets in GRAPH.items()
        for target, line, _ in targets
        if LAYER_INDEX[layer_of(target)] > LAYER_INDEX[layer_of(module)]
    ]
    assert upward == []


def test_views_do_not_import_other_features_views():
    def feature(module: str) -> str:
        """The feature package a module belongs to ("" for shared top-level modules such as
        shop.errors, the error pages every blueprint renders); a package is its own feature."""
        parts = module.split(".")
        is_package = MODULES[module].name == "__init__.py"
        return parts[1] if len(parts) > 2 or (is_package and len(parts) == 2) else ""

    crossing = [
        f"{module}:{line} imports {target}"
        for module, targets in GRAPH.items()
        if layer_of(module) == "web"
        for target, line, _ in targets
        if layer_of(target) == "web"
        and feature(target) not in ("", feature(module))
        and not target.endswith(".forms")
    ]
    assert crossing == []


def test_no_imports_inside_functions_except_the_app_factory():
    # The factory in shop/__init__.py imports late on purpose: importing any shop module runs
    # shop/__init__.py first, and it must not pull in every blueprint.
    late = [
        f"{module}:{line} imports {target} inside a function"
        for module, targets in GRAPH.items()
        if module != "shop"
        for target, line, inside in targets
        if inside
    ]
    assert late == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module):
    lines = len(MODULES[module].read_text().splitlines())
    assert lines <= MAX_MODULE_LINES, f"{module} has {lines} lines"


def test_only_the_request_helper_cli_and_demo_commit():
    committing = sorted(
        module for module, path in MODULES.items() if "db.session.commit()" in path.read_text()
    )
    assert set(committing) <= COMMIT_ALLOWED, committing


def test_the_layer_rules_can_fail():
    """The checks above would see a violation: an upward import and a late import."""
    assert LAYER_INDEX[layer_of("shop.orders.checkout")] > LAYER_INDEX[layer_of("shop.core.db")]
    assert layer_of("shop.orders.routes") == "web"
    assert layer_of("shop.classes.waitlist_routes") == "web"
    source = "def f():\n    from shop.orders import checkout\n"
    visitor = _Imports("shop.core.db", False)
    visitor.visit(ast.parse(source))
    assert visitor.found == [("shop.orders.checkout", 2, True)]


# Stock and seats have one writer, shop/inventory (the lock order and the conditional updates
# live there); everywhere else they are only read. A new row's constructor (`Product(stock=..)`)
# may set its first count: nobody else can see that row yet.
COUNTERS = {"stock", "seats_taken", "seats_held", "capacity"}
_SQL_COUNTER_WRITE = re.compile(
    r"\bUPDATE\b.*\bSET\b.*\b(" + "|".join(sorted(COUNTERS)) + r")\s*=", re.IGNORECASE | re.DOTALL
)


def counter_writes(source: str) -> list[str]:
    """Where the source writes a counter: `x.stock = ...` (also `+=`, unpacking, setattr),
    `stock=` in `.values(...)` (a Core UPDATE or INSERT, keywords or a dict), or SQL text
    that sets one."""
    found = []
    for node in ast.walk(ast.parse(source)):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        while targets:
            target = targets.pop()
            if isinstance(target, ast.Tuple | ast.List):
                targets.extend(target.elts)
            elif isinstance(target, ast.Starred):
                targets.append(target.value)
            elif isinstance(target, ast.Attribute) and target.attr in COUNTERS:
                found.append(f"line {node.lineno}: assigns .{target.attr}")
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name == "values":
                keys = [k.arg for k in node.keywords] + [
                    key.value
                    for arg in node.args
                    if isinstance(arg, ast.Dict)
                    for key in arg.keys
                    if isinstance(key, ast.Constant)
                ]
                found += [f"line {node.lineno}: .values({k}=...)" for k in keys if k in COUNTERS]
            if (
                name == "setattr"
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and node.args[1].value in COUNTERS
            ):
                found.append(f"line {node.lineno}: setattr {node.args[1].value}")
        if (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and _SQL_COUNTER_WRITE.search(node.value)
        ):
            found.append(f"line {node.lineno}: SQL sets a counter")
    return found


def test_only_inventory_writes_stock_and_seats():
    writes = [
        f"{module} {where}"
        for module, path in MODULES.items()
        if not _matches(module, "shop.inventory")
        for where in counter_writes(path.read_text())
    ]
    assert writes == []
    inventory = counter_writes(MODULES["shop.inventory.services"].read_text())
    assert len(inventory) >= 7  # the check sees the writes where they belong


def test_the_counter_check_can_fail():
    source = """
product.stock = 3
session.seats_taken += 1
a, (b.seats_held, c) = 1, (2, 3)
update(Product).values(stock=Product.stock - 1)
update(ClassSession).values({"capacity": 9})
setattr(product, "stock", 0)
db.session.execute(text("update products set stock = 0 where id = 1"))
"""
    assert len(counter_writes(source)) == 7
    allowed = """
Product(stock=5, title="new row")
form.stock.data, form.stock.raw_data = 2, ["2"]
left = product.stock - 1
{"stock": product.stock}
"""
    assert counter_writes(allowed) == []
