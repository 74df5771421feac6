"""Processes of a run: the code snapshot every stage imports, the capability probe, and `spawn`.

Peak memory is read with `os.wait4` on each child. On Linux a child's maximum RSS starts from its
parent's RSS at fork time, so the harness never imports `kg` itself: it asks a child (`probe`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.results import Run

ROOT = Path(__file__).resolve().parents[1]


class StageError(RuntimeError):
    pass


def child_env(source: Path | None) -> dict[str, str]:
    """The environment of every stage: `source` (a snapshot of kg/) first on the path, then this checkout."""
    paths = [str(source)] if source else []
    paths += [str(ROOT), os.environ.get("PYTHONPATH", "")]
    return dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, paths)))


def snapshot(work: Path) -> tuple[Path, dict[str, str]]:
    """Copy kg/, ontology/ and shapes/ so that one run measures one state of the code.

    The work tree may change while a run takes its tens of minutes (other work lands in it); every
    stage imports this copy instead. Returns the copy and what identifies it (git commit, tree digest).
    """
    target = work / "source"
    shutil.rmtree(target, ignore_errors=True)
    digest = hashlib.sha256()
    for name in ("kg", "ontology", "shapes"):
        shutil.copytree(ROOT / name, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        digest.update(path.relative_to(target).as_posix().encode() + b"\0" + path.read_bytes())
    git = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--porcelain", "--", "kg", "ontology", "shapes"],
        capture_output=True,
        text=True,
    )
    info = {
        "commit": git.stdout.strip() or "?",
        "uncommitted": "yes" if dirty.stdout.strip() else "no",
        "source digest": digest.hexdigest()[:16],
        "taken": time.strftime("%Y-%m-%d %H:%M:%S %Z"),
    }
    return target, info


PROBE = """
import importlib.util, inspect, json
import kg, kg.cli
def has(module, name):
    try:
        return importlib.util.find_spec(module) is not None and hasattr(importlib.import_module(module), name)
    except Exception:
        return False
import importlib
print(json.dumps({
    "kg_file": kg.__file__,
    "commands": sorted(kg.cli.common.cli.commands),
    "validate_keyword": "validate" in inspect.signature(kg.build).parameters,
    "validate_cards": has("kg.validation", "validate_cards"),
    "write_store": has("kg.store", "write_store"),
    "query": has("kg.query", "query") and has("kg.queries", "bundled_queries"),
}))
"""


def probe(env: dict[str, str], cwd: Path) -> dict[str, Any]:
    """What the measured kg offers (asked of a child: importing kg here would grow this process, and a
    child's peak RSS as the kernel reports it starts from its parent's RSS at fork time)."""
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, env=env, cwd=cwd)
    if done.returncode:
        raise StageError(f"kg cannot be imported from the snapshot of the work tree:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout)


def spawn(argv: list[str], log: Path, env: dict[str, str] | None = None) -> Run:
    """Run one process to completion; its JSON last line (if any) becomes `extra`/`seconds`.

    The child runs in the log's folder, not in the checkout: `python -m` puts the current folder first on
    sys.path, which would import the work tree's kg instead of the snapshot.
    """
    env = env or child_env(None)
    log.parent.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    with open(log, "wb") as out, open(log.with_suffix(".err"), "wb") as err:
        process = subprocess.Popen(argv, stdout=out, stderr=err, cwd=log.parent, env=env)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    process_s = time.perf_counter() - t0
    if process.returncode:
        tail = log.with_suffix(".err").read_text(errors="replace")[-2000:]
        raise StageError(f"{' '.join(argv[:4])}… exited with {process.returncode}: {tail}")
    lines = log.read_text().strip().splitlines()
    extra = json.loads(lines[-1]) if lines else {}
    seconds = float(extra.pop("seconds", process_s))
    return Run(seconds, process_s, usage.ru_maxrss, extra)
