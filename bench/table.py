"""The printed table: scenario, metric, ours, floor, ratio, target, met."""

from __future__ import annotations

from bench.common import Result

HEADERS = ("scenario", "metric", "ours", "floor", "ratio", "target", "met")


def figure(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit in ("/s",):
        return f"{value:,.0f}/s"
    if unit == "stored":
        return f"{value:.0f}"
    if abs(value) >= 100:
        return f"{value:,.0f} {unit}"
    return f"{value:.3g} {unit}"


def cells(row: Result) -> tuple[str, ...]:
    if row.skipped:
        return (row.scenario, row.metric, "skipped", "—", "—", row.target, row.skipped)
    ratio = row.ratio
    met = {True: "yes", False: "NO", None: "—"}[row.met]
    return (row.scenario, row.metric, figure(row.ours, row.unit), figure(row.floor, row.unit),
            "—" if ratio is None else f"{ratio:.2f}×", row.target or "—", met)


def render(rows: list[Result]) -> str:
    table = [HEADERS, *(cells(r) for r in rows)]
    widths = [max(len(line[i]) for line in table) for i in range(len(HEADERS))]
    lines = [" | ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)) for line in table]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
