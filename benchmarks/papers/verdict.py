"""One line of the papers table: a measured number, the paper's, the target, met or missed.

``outcome(...)`` builds the JSON record of one measured figure. Targets are

    ("<=", t)      the figure must be at most t   (errors, losses)
    (">=", t)      at least t                      (accuracies)
    ("within", t)  |figure − paper| <= t           (log-likelihoods: "within 3 nats")
    None           reported only (no pass/fail)

and ``torch_within=r`` adds "and within r·100% of PyTorch's same run". ``missed_by`` is
how far the figure is on the wrong side of the target (0 when met), also as a fraction
of the target for the ≤ / ≥ kinds.
"""


def _check_target(target):
    if target is None:
        return
    op, value = target
    if op not in ("<=", ">=", "within") or not isinstance(value, (int, float)):
        raise ValueError(f"target {target!r} must be ('<=' | '>=' | 'within', number) or None")


def outcome(label, metric, value, *, paper, source, target, pytorch=None, torch_within=None,
            recalled=True, note=""):
    """The record of one figure of a row (see the module docstring)."""
    _check_target(target)
    record = {"label": label, "metric": metric, "minidl": value, "pytorch": pytorch,
              "paper": paper, "paper_source": source, "paper_recalled": recalled,
              "target": None if target is None else {"op": target[0], "value": target[1]},
              "torch_within": torch_within, "note": note}
    record.update(_judge(value, paper, target, pytorch, torch_within))
    return record


def _judge(value, paper, target, pytorch, torch_within):
    if target is None or value is None:
        return {"met": None, "missed_by": None, "missed_by_fraction": None, "torch_gap": None}
    op, t = target
    if op == "<=":
        miss = max(0.0, value - t)
    elif op == ">=":
        miss = max(0.0, t - value)
    else:
        miss = max(0.0, abs(value - paper) - t)
    met = miss == 0.0
    gap = None
    if torch_within is not None:
        if pytorch is None:
            met = False                     # the comparison the row asks for is missing
        else:
            gap = (value - pytorch) / abs(pytorch)
            met = met and abs(gap) <= torch_within
    return {"met": met, "missed_by": miss,
            "missed_by_fraction": miss / abs(t) if op != "within" and t else None,
            "torch_gap": gap}


def describe(r):
    """'met', 'missed by 0.004 (4.4%)', 'missed +9.8 from the paper (allowed ±3)', 'missed
    5.1% from PyTorch (allowed 3%)', or 'reported'."""
    if r.get("check"):
        return {None: "reported", True: r["check"], False: "FAILS: " + r["check"]}[r["met"]]
    if r["met"] is None:
        return "reported"
    parts = []
    if r["missed_by"] and r["target"]["op"] == "within":
        parts.append(f"{r['minidl'] - r['paper']:+.3g} from the paper (allowed "
                     f"±{r['target']['value']:g})")
    elif r["missed_by"]:
        frac = r["missed_by_fraction"]
        parts.append(f"by {r['missed_by']:.3g}" + (f" ({100 * frac:.1f}%)" if frac else ""))
    if r["torch_within"] is not None and r["torch_gap"] is not None \
            and abs(r["torch_gap"]) > r["torch_within"]:
        parts.append(f"{100 * abs(r['torch_gap']):.1f}% from PyTorch "
                     f"(allowed {100 * r['torch_within']:.0f}%)")
    if r["torch_within"] is not None and r["pytorch"] is None:
        parts.append("no PyTorch run to compare")
    if r["missed_by"] and r["torch_gap"] is not None and abs(r["torch_gap"]) <= r["torch_within"] \
            and _judge(r["pytorch"], r["paper"], (r["target"]["op"], r["target"]["value"]),
                       None, None)["missed_by"]:
        parts.append(f"as does PyTorch's same run ({100 * abs(r['torch_gap']):.1f}% away): the "
                     f"recipe's gap, not minidl's")
    return "met" if r["met"] else "missed " + ", ".join(parts)
