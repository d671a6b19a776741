"""The dashboard's figures as people read them: days to a tenth, shares
in whole percent, and the change from the period before.

The dashboard, the areas page and the monthly e-mail all show figures
through these, so the three agree on every rounding. A change is worked
out between the figures as shown, so a reader can check it by hand, and
only an improvement is marked: the figures make departments compete in a
friendly way, never shame them.
"""

from decimal import ROUND_HALF_UP, Decimal

MINUS = "\u2212"
TENTH = Decimal("0.1")

# The table's columns, in the order the page shows them.
COLUMNS = (
    ("received", "count"),
    ("acknowledged", "count"),
    ("closed", "count"),
    ("open_at_end", "count"),
    ("ack_median_days", "days"),
    ("ack_mean_days", "days"),
    ("ack_p90_days", "days"),
    ("ack_within_target_share", "share"),
    ("close_median_days", "days"),
    ("close_mean_days", "days"),
    ("close_p90_days", "days"),
    ("close_within_target_share", "share"),
)


def figure_table(rows: list[dict], before: list[dict]) -> list[dict]:
    previous = {_key(row): row for row in before}
    cell_for = {"count": count_cell, "days": days_cell, "share": share_cell}
    table = []
    for row in rows:
        earlier = previous.get(_key(row), {})
        cells = [cell_for[kind](row[key], earlier.get(key)) for key, kind in COLUMNS]
        table.append({"department": row["department"], "cells": cells})

    return table


def _key(row: dict) -> int | None:
    return row["department"].pk if row["department"] else None


def tenths(days: float) -> Decimal:
    return Decimal(repr(days)).quantize(TENTH, rounding=ROUND_HALF_UP)


def signed(number) -> str:
    return f"{MINUS}{-number}" if number < 0 else f"+{number}"


def count_cell(value: int, earlier: int | None) -> dict:
    # More requests is neither good nor bad news, so counts stay neutral.
    cell = {"text": str(value), "change": None, "tone": "neutral"}
    if earlier is not None:
        change = value - earlier
        cell["change"] = signed(change) if change else "no change"

    return cell


def days_cell(value: float | None, earlier: float | None) -> dict:
    if value is None:
        return {"text": "—", "change": None, "tone": "neutral"}

    shown = tenths(value)
    cell = {"text": f"{shown} days", "change": None, "tone": "neutral"}
    if earlier is not None:
        # The change is between the figures as shown, so readers can check it.
        change = shown - tenths(earlier)
        cell["change"] = f"{signed(change)} days" if change else "no change"
        cell["tone"] = "improved" if change < 0 else "neutral"

    return cell


def share_cell(value: float | None, earlier: float | None) -> dict:
    if value is None:
        return {"text": "—", "change": None, "tone": "neutral"}

    shown = round(value * 100)
    cell = {"text": f"{shown}%", "change": None, "tone": "neutral"}
    if earlier is not None:
        change = shown - round(earlier * 100)
        cell["change"] = f"{signed(change)} points" if change else "no change"
        cell["tone"] = "improved" if change > 0 else "neutral"

    return cell
