"""Content-Security-Policy violations in a browser context, collected for the test to fail on (docs/security.md).

Every violation (an inline script, style or event handler, or a resource from elsewhere, that the policy blocked)
fires ``securitypolicyviolation`` in the page; the init script reports it to the console, where it is collected,
together with Chromium's own "Refused to …" console messages."""

from __future__ import annotations

from typing import Any

REPORT = (
    "document.addEventListener('securitypolicyviolation', function (e) {"
    " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' at ' + e.sourceFile"
    " + ':' + e.lineNumber); });"
)


def watch(ctx: Any) -> list[str]:
    """Collect the violations of every page opened in ``ctx`` (call before opening the pages)."""
    found: list[str] = []
    ctx.add_init_script(REPORT)

    def on_console(message: Any) -> None:
        if "CSP violation" in message.text or "Content Security Policy" in message.text:
            found.append(message.text)

    ctx.on("console", on_console)
    return found
