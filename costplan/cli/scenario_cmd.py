"""`costplan scenario validate|new|schema`."""
from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from costplan.cli.common import emit, guarded, one_line_option, write_atomic
from costplan.errors import CostplanError, Problem, did_you_mean

app = typer.Typer(help="Write, check and describe scenario files.", no_args_is_help=True,
                  context_settings={"help_option_names": ["-h", "--help"]})


class ValidateFormat(str, Enum):
    text = "text"
    sarif = "sarif"
    junit = "junit"
    github = "github"


@app.command("validate")
@guarded
def validate(files: Annotated[list[str], typer.Argument(help="Scenario files or folders.")],
             format: Annotated[ValidateFormat, typer.Option("--format", "-f", case_sensitive=False, help=(
                 "text (one line per problem on stderr), or sarif / junit / github for code scanning, test "
                 "reports and workflow annotations (on stdout; the exit code is still 2 on any problem)."))]
             = ValidateFormat.text):
    """Check scenario files: one line per problem with file:line and field; exit 2 if any.

    Exit 0 means every command accepts the file: it loads through the one validation pipeline every
    command uses, prices in its region (no price gaps), and builds as Terraform and CloudFormation."""
    from costplan import scenario as sc_mod
    from costplan.validate import every_command_accepts

    problems: list = []
    scenarios = list(sc_mod.iter_load(sc_mod.expand(files), problems))  # an empty folder is one line and exit 2
    problems += [p for s in scenarios for p in every_command_accepts(s)]
    if format != ValidateFormat.text:
        from costplan.cli.limits import scan_text
        from costplan.report import scanning

        bad = {p.file for p in problems}
        emit(scan_text(format.value, scanning.from_problems(problems), "scenario validate",
                       [(s.name, s.source_file or "") for s in scenarios if s.source_file not in bad]))
        if problems:
            raise typer.Exit(2)
        return
    if problems:
        raise CostplanError(problems)
    for s in scenarios:
        typer.echo(f"ok: {s.source_file} ({s.name}, {s.pattern}, {s.region}, account {s.account})")


@app.command("new")
@guarded
def new(pattern: Annotated[str, typer.Argument(help="Pattern, e.g. sync_api or queue_load_leveling.")],
        out: Annotated[Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout.")] = None,
        force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
        schema_url: Annotated[str, typer.Option("--schema", help="Where editors find the JSON Schema (the "
                                                "yaml-language-server modeline); write it with "
                                                "`costplan scenario schema --out`.")] = "costplan.schema.json"):
    """Print a commented starter scenario for a pattern.

    The first line points YAML editors (VS Code's YAML extension, JetBrains) at the scenario JSON
    Schema, so keys, patterns, regions and each pattern's settings complete and are checked.
    """
    from importlib import resources

    from costplan.scenario import PATTERNS

    if pattern not in PATTERNS:
        raise CostplanError(Problem(f"unknown pattern {pattern!r}{did_you_mean(pattern, PATTERNS)}; "
                                    f"expected one of {', '.join(PATTERNS)}", field="pattern"))
    starters = resources.files("costplan.scenarios")
    f = starters / "starters" / f"{pattern}.yaml"
    if f.is_file():
        text = _with_other_settings(pattern, f.read_text(encoding="utf-8"))
    else:
        text = _from_example(pattern) or _generic(pattern)
    one_line_option(schema_url, "--schema")
    if schema_url and not text.startswith("# yaml-language-server:"):
        text = f"# yaml-language-server: $schema={schema_url}\n" + text
    if out:
        write_atomic(out, text, force)
        typer.echo(f"wrote {out}", err=True)
    else:
        emit(text)


# The worked example each starter is made from: a plausible workload for the pattern, every number
# explained beside it, passing validate and limits-check. mqtt_notify and websocket_notify have
# starters of their own (scenarios/starters/): their examples are sized to show a quota breach.
STARTER_EXAMPLE = {
    "sync_api": "periodic_light_api.yaml",
    "async_request_reply": "db_refresh_async.yaml",
    "queue_load_leveling": "global_vote.yaml",
    "pubsub": "user_registration_fanout.yaml",
    "sequential_convoy": "order_ledger_convoy.yaml",
    "claim_check": "avatar_resize_claim_check.yaml",
    "pipes_and_filters": "qa_db_refresh_pipeline.yaml",
    "scheduled_cron": "monthly_invoicing_cron.yaml",
    "scheduled_ttl": "account_bans_ttl.yaml",
}


def _from_example(pattern: str) -> str | None:
    import re
    from importlib import resources

    name = STARTER_EXAMPLE.get(pattern)
    if name is None:
        return None
    text = (resources.files("costplan.scenarios") / name).read_text(encoding="utf-8")
    text = re.sub(r"(?m)^name: .*$", f"name: my-{pattern.replace('_', '-')}", text, count=1)
    text = _with_other_settings(pattern, text)
    return (f"# costplan starter for {pattern}: the worked example scenarios/{name}, renamed. Its workload is\n"
            "# plausible for the pattern and each number says where it came from: replace them with yours.\n"
            "# Values take units: 3M, 120ms, 1.5s, 512MB, 2KB, 2h. `costplan scenario schema` lists every key.\n"
            + text)


def _with_other_settings(pattern: str, text: str) -> str:
    """The example's settings: section, followed by every other setting of the pattern commented out at
    its default with what it means, so the starter documents itself."""
    import importlib

    from costplan.patterns import REGISTRY

    model = importlib.import_module(REGISTRY[pattern]).Settings
    lines = text.splitlines()
    if "settings:" not in [ln.split("#")[0].strip() for ln in lines]:
        return text
    start = next(i for i, ln in enumerate(lines) if ln.split("#")[0].strip() == "settings:")
    end = start + 1
    while end < len(lines) and (lines[end].startswith(" ") or not lines[end].strip()):
        end += 1
    block = "\n".join(lines[start:end])
    extra = []
    for name, f in model.model_fields.items():
        if f"  {name}:" in block or f.is_required():
            continue
        desc = (f.description or "").replace("\n", " ")
        extra.append(f"  # {name}: {_value(f.get_default(call_default_factory=True))}  — {desc}")
    return "\n".join(lines[:end] + extra + lines[end:]) + "\n"


def _value(v) -> str:
    from decimal import Decimal

    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, Decimal):
        return f"{v.normalize():f}"
    if isinstance(v, (list, dict)):
        return "[...]  (see `costplan scenario schema`)"
    return str(v)


def _bundled_setting(pattern: str, key: str) -> str | None:
    """The line a bundled scenario of this pattern writes for a required setting, comment included."""
    from importlib import resources

    for f in sorted(resources.files("costplan.scenarios").iterdir(), key=lambda f: f.name):
        if not f.name.endswith(".yaml"):
            continue
        text = f.read_text(encoding="utf-8")
        if f"pattern: {pattern}\n" not in text:
            continue
        for line in text.splitlines():
            if line.startswith(f"  {key}:"):
                return line.strip()
    return None


def _settings_block(pattern: str) -> str:
    """The pattern's settings: required ones set (as a bundled scenario sets them), the rest commented
    out at their defaults with what each means, so the starter validates and documents itself."""
    import importlib

    from costplan.patterns import REGISTRY

    model = importlib.import_module(REGISTRY[pattern]).Settings
    required, optional = [], []
    for name, f in model.model_fields.items():
        desc = (f.description or "").replace("\n", " ")
        if f.is_required():
            line = _bundled_setting(pattern, name) or f"{name}: null"
            required.append(f"  {line}" + ("" if "#" in line else f"  # required: {desc}"))
        else:
            default = f.get_default(call_default_factory=True)
            optional.append(f"  # {name}: {_value(default)}  — {desc}")
    head = "settings:" if required else "settings: {}"
    head += "                # pattern-specific; the defaults are shown commented out"
    return "\n".join([head] + required + optional) + "\n"


def _generic(pattern: str) -> str:
    return f"""# costplan scenario, format version 1. Values take units: 3M, 120ms, 1.5s, 512MB, 2KB, 2h.
version: 1
name: my-{pattern.replace('_', '-')}
description: What this design does and why these numbers.
region: us-east-1
account: prod            # scenarios with the same account and region share quotas
pattern: {pattern}
workload:
  monthly_requests: 3M    # or average_rps / peak_rps
  active_hours_per_day: 24
  peak_to_average: 3      # or peak_rps: 50
  duration_ms: 120ms      # average
  p99_duration_ms: 800ms
  memory_mb: 512MB
  architecture: arm64     # x86_64 | arm64
  request_size_kb: 2KB
{_settings_block(pattern)}ecs:
  vcpu: 0.5
  memory_gb: 1GB
  concurrent_requests_per_task: 20
  min_tasks: 2
  scaling: autoscale      # autoscale | peak
"""


@app.command("schema")
@guarded
def schema(out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the schema to this file "
                                                    "(default: stdout).")] = None,
           force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False):
    """Print the JSON Schema of scenario files, for editors.

    VS Code (YAML extension) and JetBrains read the `# yaml-language-server: $schema=...` line that
    `scenario new` writes; or map the schema to scenarios/*.yaml in the editor's settings.

    Example: costplan scenario schema --out scenarios/costplan.schema.json
    """
    from costplan.report.render import to_json
    from costplan.scenario import json_schema

    text = to_json(json_schema())
    if out is None:
        emit(text)
    else:
        write_atomic(out, text, force=force)
        typer.echo(f"wrote {out}", err=True)


@app.command("examples")
@guarded
def examples(out: Annotated[Path | None, typer.Option("--out", "-o", help="Copy the bundled scenarios into this "
                                                      "folder (default: list them).")] = None,
             force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False):
    """List the bundled example scenarios (one per pattern's worked example), or copy them with --out.

    Example: costplan scenario examples --out my-scenarios && costplan compare my-scenarios/
    """
    from importlib import resources

    root = resources.files("costplan.scenarios")
    files = sorted((p for p in root.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name)
    alt = root / "alternatives"
    alts = sorted((p for p in alt.iterdir() if p.name.endswith(".yaml")), key=lambda p: p.name) if alt.is_dir() else []
    pairs = [(p, p.name) for p in files] + [(p, f"alternatives/{p.name}") for p in alts]
    if out is None:
        for _, rel in pairs:
            typer.echo(rel)
        return
    from costplan.safewrite import check_target

    if Path(out).exists() and not Path(out).is_dir():
        raise CostplanError(Problem("is not a folder; --out names the folder to copy the scenarios into",
                                    file=str(out)))
    for _, rel in pairs:  # every target first: all of the copies or none (not ten of fifteen)
        check_target(Path(out) / rel, force)
    for p, rel in pairs:
        target = Path(out) / rel
        write_atomic(target, p.read_text(encoding="utf-8"), force=force)
    typer.echo(f"wrote {len(pairs)} scenarios to {out}", err=True)
