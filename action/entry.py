"""The costplan GitHub Action's entry point: validate, limits-check and the cost diff of a pull request,
posted as one comment that is updated in place on every push.

Standard library only; runs the installed `costplan` command. Inputs come as INPUT_* environment
variables (action.yml sets them), GitHub's context as GITHUB_*; GITHUB_API_URL can point anywhere (a
local fake in the tests). Exit code: 2 when a scenario is not valid, 1 when limits-check fails or the
cost gate (--fail-on-increase / --budget) fails, else 0."""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request

MARKER = "<!-- costplan-diff -->"


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def run(args: list[str]) -> subprocess.CompletedProcess:
    cmd = shlex.split(_env("COSTPLAN_COMMAND", "costplan")) + args
    print("$ " + " ".join(shlex.quote(a) for a in cmd), flush=True)
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.stderr:
        sys.stderr.write(p.stderr)
    return p


def base_ref() -> str:
    base = _env("INPUT_BASE")
    if base:
        return base
    if _env("GITHUB_BASE_REF"):
        return f"origin/{_env('GITHUB_BASE_REF')}"
    return "HEAD~1"


def pr_number() -> int | None:
    if _env("INPUT_PR_NUMBER"):
        return int(_env("INPUT_PR_NUMBER"))
    path = _env("GITHUB_EVENT_PATH")
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            event = json.load(f)
        pr = event.get("pull_request") or {}
        if pr.get("number"):
            return int(pr["number"])
    return None


def _api(method: str, url: str, token: str, body: dict | None = None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={
        "Authorization": f"Bearer {token}", "Accept": "application/vnd.github+json",
        "X-GitHub-Api-Version": "2022-11-28", "Content-Type": "application/json",
        "User-Agent": "costplan-action"})
    with urllib.request.urlopen(req, timeout=30) as r:
        text = r.read().decode() or "null"
        return json.loads(text), r.headers


def post_comment(body: str) -> str:
    """Create the PR comment, or update the one that carries the marker. Returns what it did."""
    token, repo, number = _env("GITHUB_TOKEN"), _env("GITHUB_REPOSITORY"), pr_number()
    if not (token and repo and number):
        return "comment not posted (needs GITHUB_TOKEN, GITHUB_REPOSITORY and a pull request number)"
    api = _env("GITHUB_API_URL", "https://api.github.com").rstrip("/")
    url = f"{api}/repos/{repo}/issues/{number}/comments?per_page=100"
    existing = None
    while url and existing is None:
        page, headers = _api("GET", url, token)
        existing = next((c for c in page or [] if MARKER in (c.get("body") or "")), None)
        url = None
        for part in (headers.get("Link") or "").split(","):
            if 'rel="next"' in part:
                url = part[part.index("<") + 1:part.index(">")]
    if existing is not None:
        _api("PATCH", f"{api}/repos/{repo}/issues/comments/{existing['id']}", token, {"body": body})
        return f"updated comment {existing['id']}"
    made, _ = _api("POST", f"{api}/repos/{repo}/issues/{number}/comments", token, {"body": body})
    return f"created comment {made.get('id')}"


def main() -> int:
    paths = shlex.split(_env("INPUT_PATHS", "scenarios/")) or ["scenarios/"]
    code = 0
    v = run(["scenario", "validate", *paths, "--format", "github"])
    sys.stdout.write(v.stdout)
    if v.returncode != 0:
        print("costplan: a scenario is not valid; see the annotations above", file=sys.stderr)
        return 2
    lc = run(["limits-check", *paths, "--format", "github"])
    sys.stdout.write(lc.stdout)
    limits_failed = lc.returncode == 1
    if lc.returncode not in (0, 1):
        return lc.returncode
    args = ["diff", "--base", base_ref(), *paths, "--format", "markdown"]
    if _env("INPUT_FAIL_ON_INCREASE"):
        args += ["--fail-on-increase", _env("INPUT_FAIL_ON_INCREASE")]
    if _env("INPUT_BUDGET"):
        args += ["--budget", _env("INPUT_BUDGET")]
    d = run(args)
    if d.returncode not in (0, 1):
        return d.returncode
    body = d.stdout
    if limits_failed:
        body += "\n**limits-check failed**: see the annotations on the scenario files.\n"
    out = _env("INPUT_COMMENT_FILE", "costplan-comment.md")
    with open(out, "w", encoding="utf-8") as f:
        f.write(body)
    summary = _env("GITHUB_STEP_SUMMARY")
    if summary:
        with open(summary, "a", encoding="utf-8") as f:
            f.write(body)
    if _env("INPUT_COMMENT", "true").lower() not in ("false", "0", "no"):
        try:
            print(post_comment(body))
        except (urllib.error.URLError, OSError, ValueError) as e:
            print(f"costplan: could not post the comment: {e}", file=sys.stderr)
            code = 1
    if d.returncode == 1 or limits_failed:
        code = 1
    return code


if __name__ == "__main__":
    sys.exit(main())
