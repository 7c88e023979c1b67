"""Every sentence the services, the API and the records CLI show exists in zh_CN with the same placeholders."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import hsgclinic
from hsgclinic.i18n import load_catalog

SRC = Path(hsgclinic.__file__).parent
SERVICES = (
    "admin",
    "audit",
    "booking",
    "context",
    "demo",
    "errors",
    "idempotency",
    "patients",
    "payments",
    "procedure",
    "registration",
    "screening",
    "serialize",
    "staff",
    "synthetic",
)
MINE = [
    *(SRC / "services" / f"{name}.py" for name in SERVICES),
    *sorted((SRC / "web" / "api").glob("*.py")),
    SRC / "web" / "errors.py",
    SRC / "cli" / "records.py",
]


def _msgids() -> set[str]:
    ids: set[str] = set()
    for path in MINE:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name == "N_" and node.args and isinstance(node.args[0], ast.Constant):
                    ids.add(node.args[0].value)
                if name == "_say" and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
                    ids.add(node.args[1].value)
    return ids


def test_every_message_has_a_chinese_translation_with_the_same_placeholders():
    catalog = load_catalog("zh_CN")
    missing, wrong = [], []
    for msgid in sorted(_msgids()):
        msg = catalog.get(msgid)
        if msg is None or not msg.string:
            missing.append(msgid)
        elif set(re.findall(r"\{(\w+)\}", msgid)) != set(re.findall(r"\{(\w+)\}", str(msg.string))):
            wrong.append(msgid)
    assert not missing, missing
    assert not wrong, wrong


def test_the_demo_stage_names_are_translated():
    from hsgclinic.services import demo

    catalog = load_catalog("zh_CN")
    stages = set(re.findall(r'result\.stages\["([^"]+)"\]', Path(demo.__file__).read_text(encoding="utf-8")))
    assert stages and all(catalog.get(s) is not None for s in stages)
