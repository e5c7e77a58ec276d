"""Markdown tables (the README's) from the JSON of benchmarks/debiasing.py.

    python benchmarks/debiasing.py > debiasing.json
    python benchmarks/debiasing_table.py debiasing.json
"""

from __future__ import annotations

import argparse
import json


def _ms(stat: dict) -> str:
    return f"{stat['mean']:.3f} ± {stat['std']:.3f}" if stat.get("std") is not None \
        else f"{stat['mean']:.3f}"


def _delta(diff: dict) -> str:
    ci = diff.get("ci95")
    text = f"{diff['mean']:+.3f}"
    return f"{text} [{ci[0]:+.3f}, {ci[1]:+.3f}]" if ci else text


def _options(options: dict) -> str:
    return ", ".join(f"{k} {v}" for k, v in options.items()) or "defaults"


def setting_table(setting: dict) -> str:
    metric = setting["group_metric"]
    head = ["method", "setting kept", "labels", "accuracy", "specificity",
            f"worst-group {metric}", "gap", "Δ gap vs baseline [95% CI]",
            f"Δ worst-group {metric}", "Δ accuracy", "Δ specificity", "gap narrowed in",
            "train acc"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for label, plan in setting["plan"].items():
        s = setting["summary"][label]
        row = [label, _options(plan["options"]), "group" if s["uses_group_labels"] else "class",
               _ms(s["accuracy"]), _ms(s["specificity"]), _ms(s["worst_group"]),
               _ms(s["gap_majority_minority"])]
        vs = setting["vs_baseline"].get(label)
        if vs:
            d = vs["difference"]
            row += [_delta(d["gap_majority_minority"]), _delta(d["worst_group"]),
                    _delta(d["accuracy"]), _delta(d["specificity"]),
                    f"{vs['gap_narrowed_share']['gap_majority_minority']:.0%}"]
        else:
            row += ["—"] * 4 + [""]
        row.append(_ms(s["train_accuracy"]))
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def tuning_table(setting: dict) -> str:
    lines = ["| method | setting | worst group | accuracy | specificity | gap | kept |",
             "|---|---|---|---|---|---|---|"]
    for method, tuned in setting.get("tuning", {}).items():
        for row in tuned["validation"]:
            kept = "**kept**" if row["options"] == tuned["kept"] else ""
            if not tuned["within_budget"] and not row["options"]:
                kept = "kept (none within budget)"
            lines.append(f"| {method} | {_options(row['options'])} | {row['worst_group']:.3f} | "
                         f"{row['accuracy']:.3f} | {row['specificity']:.3f} | "
                         f"{row['gap_majority_minority']:+.3f} | {kept} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("json")
    parser.add_argument("--tuning", action="store_true", help="also the validation tables")
    args = parser.parse_args()
    report = json.load(open(args.json, encoding="utf-8"))
    for name, setting in report["settings"].items():
        if "skipped" in setting:
            print(f"{name}: skipped ({setting['skipped']})\n")
            continue
        print(f"### {name}\n\n{setting_table(setting)}\n")
        if args.tuning and "tuning" in setting:
            print(f"{name}, validation seeds:\n\n{tuning_table(setting)}\n")
    if "throughput" in report:
        t = report["throughput"]
        print("| method | images/s | ratio to bare loop |\n|---|---|---|")
        for method, row in t["methods"].items():
            print(f"| {method} | {row['images_per_s']:.0f} | {row['ratio_to_bare']:.3f} |")


if __name__ == "__main__":
    main()
