"""Every audit action code written anywhere in src/ has a readable name in English and Chinese.

The scan reads ``audit.record(session, actor, ACTION, ...)`` and ``audit.values(actor, ACTION, ...)`` calls; an
action held in a local variable is followed to the string constants assigned to it in the same function. A new
action without an entry in ``ACTION_NAMES`` (or without its Chinese) fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hsgclinic
from hsgclinic.i18n import Translator
from hsgclinic.web.ui.audit_labels import ACTION_NAMES

SRC = Path(hsgclinic.__file__).parent


def _strings(node: ast.AST) -> set[str]:
    return {n.value for n in ast.walk(node) if isinstance(n, ast.Constant) and isinstance(n.value, str)}


def _assigned(func: ast.AST, name: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(func):
        if not isinstance(node, ast.Assign):
            continue
        for target in node.targets:
            if isinstance(target, ast.Name) and target.id == name:
                found |= _strings(node.value)
            elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                for i, elt in enumerate(target.elts):
                    if isinstance(elt, ast.Name) and elt.id == name and i < len(node.value.elts):
                        found |= _strings(node.value.elts[i])
    return found


def written_actions() -> dict[str, str]:
    actions: dict[str, str] = {}
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        funcs = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
        for call in ast.walk(tree):
            if not (
                isinstance(call, ast.Call)
                and isinstance(call.func, ast.Attribute)
                and call.func.attr in ("record", "values")
                and isinstance(call.func.value, ast.Name)
                and call.func.value.id == "audit"
            ):
                continue
            index = 2 if call.func.attr == "record" else 1
            arg = next((k.value for k in call.keywords if k.arg == "action"), None)
            if arg is None:
                arg = call.args[index]
            where = f"{path.relative_to(SRC)}:{call.lineno}"
            if isinstance(arg, ast.Name):
                owner = [f for f in funcs if f.lineno <= call.lineno <= (f.end_lineno or f.lineno)]
                codes = _assigned(owner[-1], arg.id) if owner else set()
            else:
                codes = _strings(arg)
            assert codes, f"cannot tell which action {where} writes"
            for code in codes:
                actions.setdefault(code, where)
    return actions


def test_the_scan_finds_the_known_actions() -> None:
    found = written_actions()
    for code in ("registration.take", "registration.line_join", "patient.erase", "staff.deactivate", "payment.repay"):
        assert code in found
    assert len(found) > 50


def test_every_written_action_has_a_name_in_both_languages() -> None:
    zh, en = Translator("zh_CN"), Translator("en")
    missing = {code: where for code, where in written_actions().items() if code not in ACTION_NAMES}
    assert not missing, f"audit actions without a name in ACTION_NAMES: {missing}"
    for code, name in ACTION_NAMES.items():
        english, chinese = en.render(name), zh.render(name)
        assert english and chinese != english, f"{code}: no Chinese for {english!r}"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), code


def test_no_name_is_kept_for_an_action_nothing_writes() -> None:
    assert set(ACTION_NAMES) <= set(written_actions())
