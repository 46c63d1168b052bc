"""The ``navis`` command line. Each command lives in ``api/commands/<name>.py``; this file only wires them.

Exit codes (the one place they are defined): 0 success, 1 some inputs failed, 2 bad input or usage,
3 configuration error, 4 internal error.
"""

from __future__ import annotations

import typer

from api.commands import admin, analyze, evaluate, guide, service

app = typer.Typer(
    name="navis",
    help="Navis Records: pathology reports and FHIR bundles in, cited mCODE findings and guidance out.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

app.command("analyze")(analyze.analyze)
app.command("eval")(evaluate.evaluate)
app.command("guide")(guide.guide)
service.register(app)
app.add_typer(admin.app, name="admin")
