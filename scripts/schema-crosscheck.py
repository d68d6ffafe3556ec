#!/usr/bin/env python3
"""Cross-checks kclient's protocol schemas against Apache Kafka's message definitions.

For every API version we claim, and every Kafka release given whose definitions cover that
version, the wire shape of the request and the response (field order, names, types, struct
names, nullability, tags, defaults, ignorable flags, flexibility) must be identical. Kafka's
definitions ship inside the kafka-clients jar as common/message/*.json; pass either an extracted
directory or the jar itself with --kafka-json (repeatable).

Exit status: 0 when everything matches, 1 on any difference, 77 when no Kafka definitions are
available (ctest's skip code).
"""

from __future__ import annotations

import argparse
import json
import pathlib
import re
import sys
import zipfile

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent.parent / "src" / "protocol" / "gen"))
import kschema  # noqa: E402

INT_TYPES = {"int8", "int16", "uint16", "int32", "uint32", "int64"}


def load_kafka_defs(source: str) -> dict[str, dict]:
    """Returns Kafka's message definitions by name ("ProduceRequest") from a dir or a jar."""
    def parse(text: str) -> dict:
        return json.loads(re.sub(r"^\s*//.*$", "", text, flags=re.M))
    defs: dict[str, dict] = {}
    p = pathlib.Path(source)
    if p.is_dir():
        for f in p.glob("*.json"):
            d = parse(f.read_text())
            defs[d["name"]] = d
    else:
        with zipfile.ZipFile(p) as z:
            for n in z.namelist():
                if n.startswith("common/message/") and n.endswith(".json"):
                    d = parse(z.read(n).decode())
                    defs[d["name"]] = d
    return defs


def _norm_default(type_: str, value: str | None) -> str:
    elem = type_
    if value is None:
        if type_.startswith("[]"):
            return "[]"
        if elem in INT_TYPES or elem == "float64":
            return "0"
        if elem == "bool":
            return "false"
        return ""
    if isinstance(value, bool):
        value = "true" if value else "false"
    elif not isinstance(value, str):
        value = str(value)
    if value.startswith('"') and value.endswith('"') and len(value) >= 2:
        value = value[1:-1]
    if elem in INT_TYPES:
        try:
            return str(int(value, 0))
        except ValueError:
            return value
    if elem == "float64":
        return repr(float(value))
    if elem == "bool":
        return value.lower()
    return value


def project_kafka(defn: dict, v: int) -> list:
    common = {c["name"]: c["fields"] for c in defn.get("commonStructs", [])}
    structs: dict[str, list] = dict(common)

    def collect(fields: list) -> None:
        for f in fields:
            if "fields" in f:
                structs[f["type"].removeprefix("[]")] = f["fields"]
                collect(f["fields"])
    for c in common.values():
        collect(c)
    collect(defn["fields"])

    def proj(fields: list) -> list:
        out = []
        for f in fields:
            if not kschema.contains(kschema.Versions.parse(f["versions"]), v):
                continue
            tagged = "taggedVersions" in f and kschema.contains(
                kschema.Versions.parse(f["taggedVersions"]), v)
            nullable = "nullableVersions" in f and kschema.contains(
                kschema.Versions.parse(f["nullableVersions"]), v)
            flex = None
            if "flexibleVersions" in f:
                flex = kschema.contains(kschema.Versions.parse(f["flexibleVersions"]), v)
            elem = f["type"].removeprefix("[]")
            children = None
            if elem not in kschema.PRIMITIVES:
                children = proj(f.get("fields") or structs[elem])
            out.append({
                "name": f["name"], "type": f["type"], "nullable": nullable,
                "tag": f.get("tag") if tagged else None,
                "default": _norm_default(f["type"], f.get("default")),
                "ignorable": bool(f.get("ignorable", False)), "flexible": flex,
                "fields": children,
            })
        return out
    return proj(defn["fields"])


def project_ours(msg: kschema.Message, v: int) -> list:
    def proj(fields: list[kschema.Field]) -> list:
        out = []
        for f in fields:
            if not f.present(v):
                continue
            children = proj(kschema.struct_fields(msg, f)) if f.is_struct else None
            out.append({
                "name": f.name, "type": f.type, "nullable": kschema.contains(f.nullable, v),
                "tag": f.tag if f.tagged_at(v) else None,
                "default": _norm_default(f.type, f.default),
                "ignorable": f.ignorable,
                "flexible": kschema.contains(f.flexible, v) if f.flexible is not None else None,
                "fields": children,
            })
        return out
    return proj(msg.fields)


def diff(ours: list, theirs: list, path: str, out: list[str], compare_ignorable: bool) -> None:
    names_o = [f["name"] for f in ours]
    names_t = [f["name"] for f in theirs]
    if names_o != names_t:
        out.append(f"{path}: fields {names_o} != Kafka's {names_t}")
    by_name = {f["name"]: f for f in theirs}
    for fo in ours:
        ft = by_name.get(fo["name"])
        if ft is None:
            continue
        for k in ("type", "nullable", "tag", "default", "ignorable", "flexible"):
            if k == "ignorable" and not compare_ignorable:
                continue
            if fo[k] != ft[k]:
                out.append(f"{path}.{fo['name']}: {k} {fo[k]!r} != Kafka's {ft[k]!r}")
        if fo["fields"] is not None and ft["fields"] is not None:
            diff(fo["fields"], ft["fields"], f"{path}.{fo['name']}", out, compare_ignorable)


def check_api(api: kschema.Api, releases: list[tuple[str, dict]]) -> list[str]:
    problems: dict[str, list[int]] = {}
    covered: set[int] = set()
    for index, (label, defs) in enumerate(releases):
        # "ignorable" only matters when encoding a version that lacks the field; a later release
        # may mark a field ignorable because it added such a version, so the newest release
        # given (the last) decides.
        newest = index == len(releases) - 1
        for msg in (api.request, api.response):
            defn = defs.get(msg.name)
            if defn is None:
                continue
            if defn["apiKey"] != api.key:
                problems.setdefault(f"{label} {msg.name}: apiKey {api.key} != Kafka's {defn['apiKey']}", []).append(-1)
            valid = kschema.Versions.parse(defn["validVersions"])
            if newest and msg is api.request:
                theirs = valid.hi if defn.get("latestVersionUnstable") else None
                if api.unstable_from != theirs:
                    problems.setdefault(f"{label} {msg.name}: unstable from {api.unstable_from} "
                                        f"!= Kafka's {theirs}", [])
            kflex = kschema.Versions.parse(defn["flexibleVersions"])
            for v in range(api.min_version, api.max_version + 1):
                if not valid.contains(v):
                    continue
                covered.add(v)
                out: list[str] = []
                if api.is_flexible(v) != kschema.contains(kflex, v):
                    out.append(f"{msg.name}: flexible {api.is_flexible(v)} != Kafka's")
                diff(project_ours(msg, v), project_kafka(defn, v), msg.name, out, newest)
                for o in out:
                    problems.setdefault(f"{label} {o}", []).append(v)
            # Versions Kafka has that we do not claim.
            hi = valid.hi if valid.hi is not None else valid.lo
            missing = [v for v in range(valid.lo, hi + 1)
                       if not (api.min_version <= v <= api.max_version)]
            if missing:
                problems.setdefault(f"{label} {msg.name}: Kafka has versions {missing} we do not claim", [])
    uncovered = [v for v in range(api.min_version, api.max_version + 1) if v not in covered]
    if uncovered and releases:
        problems.setdefault(f"versions {uncovered} are claimed but no Kafka release given defines them", [])
    lines = []
    for text, versions in problems.items():
        vs = sorted(set(x for x in versions if x >= 0))
        lines.append(f"{api.path.name}: {text}" + (f" (versions {vs})" if vs else ""))
    return lines


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--kafka-json", action="append", default=[],
                    help="directory of Kafka's common/message/*.json, or a kafka-clients jar; "
                         "repeatable, oldest release first")
    ap.add_argument("schemas", nargs="*", help="kschema files (default: all in src/protocol/schema)")
    args = ap.parse_args()

    releases = []
    for src in args.kafka_json:
        if pathlib.Path(src).exists():
            label = pathlib.Path(src).name if src.endswith(".jar") else src
            releases.append((label, load_kafka_defs(src)))
    if not releases:
        print("schema-crosscheck: SKIPPED: no Kafka message definitions available "
              "(run scripts/fetch-kafka.sh to fetch kafka-clients jars through Maven)")
        return 77

    root = pathlib.Path(__file__).resolve().parent.parent / "src" / "protocol" / "schema"
    paths = [pathlib.Path(p) for p in args.schemas] or sorted(root.glob("*.kschema"))
    failures = 0
    for p in paths:
        try:
            api = kschema.parse(p)
        except kschema.SchemaError as e:
            print(f"PARSE ERROR {e}")
            failures += 1
            continue
        lines = check_api(api, releases)
        for line in lines:
            print(line)
        failures += bool(lines)
        status = "MISMATCH" if lines else "ok"
        print(f"{status}: {api.name} (key {api.key}) v{api.min_version}-{api.max_version} "
              f"against {', '.join(label for label, _ in releases)}")
    print(f"{len(paths) - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
