"""Parser for kclient's protocol schema language (docs/protocol-schema.md).

The parser is shared by the C++ generator (generate.py) and by the cross-check against Apache
Kafka's message definitions (scripts/schema-crosscheck.py), so both read exactly the same model.
"""

from __future__ import annotations

import dataclasses
import pathlib
import re

PRIMITIVES = {
    "bool", "int8", "int16", "uint16", "int32", "uint32", "int64", "float64",
    "string", "bytes", "uuid", "records",
}


class SchemaError(Exception):
    pass


@dataclasses.dataclass(frozen=True)
class Versions:
    """An inclusive version range; hi None means open-ended ("N+")."""
    lo: int
    hi: int | None

    @staticmethod
    def parse(text: str) -> "Versions | None":
        text = text.strip()
        if text == "none":
            return None
        m = re.fullmatch(r"v?(\d+)\+", text)
        if m:
            return Versions(int(m.group(1)), None)
        m = re.fullmatch(r"v?(\d+)-(\d+)", text)
        if m:
            return Versions(int(m.group(1)), int(m.group(2)))
        m = re.fullmatch(r"v?(\d+)", text)
        if m:
            return Versions(int(m.group(1)), int(m.group(1)))
        raise SchemaError(f"bad version range {text!r}")

    def contains(self, v: int) -> bool:
        return v >= self.lo and (self.hi is None or v <= self.hi)


def contains(r: Versions | None, v: int) -> bool:
    return r is not None and r.contains(v)


@dataclasses.dataclass
class Field:
    name: str
    type: str                       # as written: "int32", "[]Topic", "Leader", "[]int32"
    versions: Versions
    nullable: Versions | None = None
    tag: int | None = None
    tagged: Versions | None = None
    default: str | None = None
    ignorable: bool = False
    flexible: Versions | None = None
    fields: list["Field"] = dataclasses.field(default_factory=list)
    line: int = 0

    @property
    def is_array(self) -> bool:
        return self.type.startswith("[]")

    @property
    def element_type(self) -> str:
        return self.type[2:] if self.is_array else self.type

    @property
    def is_struct(self) -> bool:
        return self.element_type not in PRIMITIVES

    def present(self, v: int) -> bool:
        return self.versions.contains(v)

    def tagged_at(self, v: int) -> bool:
        return self.tag is not None and contains(self.tagged, v)


@dataclasses.dataclass
class Message:
    name: str                       # "ProduceRequest"
    fields: list[Field]
    common_structs: dict[str, list[Field]]
    # Every struct type in the message, by name, with its fields (common or inline).
    structs: dict[str, list[Field]] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class Api:
    name: str
    key: int
    min_version: int
    max_version: int
    flexible: Versions | None
    request: Message
    response: Message
    path: pathlib.Path
    comment: str = ""
    # Versions from this one up exist but Kafka marks them unstable: brokers do not advertise
    # them and clients do not pick them. None when every version is stable.
    unstable_from: int | None = None

    @property
    def max_stable_version(self) -> int:
        return self.max_version if self.unstable_from is None else self.unstable_from - 1

    def is_flexible(self, v: int) -> bool:
        return contains(self.flexible, v)


_FIELD_RE = re.compile(r"^(?P<indent> *)(?P<name>[A-Za-z][A-Za-z0-9]*)\s+(?P<type>\S+)(?P<attrs>.*)$")


def _parse_field(m: re.Match, lineno: int, api_range: Versions) -> Field:
    f = Field(name=m.group("name"), type=m.group("type"), versions=api_range, line=lineno)
    attrs = m.group("attrs")
    # Quoted defaults may contain spaces.
    tokens = re.findall(r'default="(?:[^"\\]|\\.)*"|\S+', attrs)
    for tok in tokens:
        if re.fullmatch(r"v\d+(\+|-\d+)?", tok):
            f.versions = Versions.parse(tok)
        elif tok == "nullable":
            f.nullable = f.versions  # fixed up below once versions are known
            f._nullable_all = True   # type: ignore[attr-defined]
        elif tok.startswith("nullable="):
            f.nullable = Versions.parse(tok.split("=", 1)[1])
        elif tok.startswith("tag="):
            f.tag = int(tok.split("=", 1)[1])
        elif tok.startswith("tagged="):
            f.tagged = Versions.parse(tok.split("=", 1)[1])
        elif tok.startswith("default="):
            f.default = tok.split("=", 1)[1]
        elif tok == "ignorable":
            f.ignorable = True
        elif tok.startswith("flexible="):
            f.flexible = Versions.parse(tok.split("=", 1)[1])
        else:
            raise SchemaError(f"line {lineno}: unknown attribute {tok!r}")
    if getattr(f, "_nullable_all", False):
        f.nullable = f.versions
    if f.tag is not None and f.tagged is None:
        f.tagged = f.versions
    return f


def parse(path: pathlib.Path) -> Api:
    text = path.read_text()
    name = key = None
    vrange: Versions | None = None
    flexible: Versions | None = None
    flexible_seen = False
    unstable_from: int | None = None
    comment_lines: list[str] = []
    sections: dict[str, tuple[list[Field], dict[str, list[Field]]]] = {
        "request": ([], {}), "response": ([], {}),
    }
    current: list[Field] | None = None
    stack: list[tuple[int, list[Field]]] = []

    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            if name is None:
                comment_lines.append(line.lstrip()[1:].strip())
            continue
        if not line.startswith(" "):
            words = line.split()
            if words[0] == "api":
                name = words[1]
                kv = dict(w.split("=", 1) for w in words[2:])
                key = int(kv["key"])
            elif words[0] == "versions":
                vrange = Versions.parse(words[1])
            elif words[0] == "unstable":
                unstable_from = int(words[1])
            elif words[0] == "flexible":
                flexible = Versions.parse(words[1])
                flexible_seen = True
            elif words[0] in sections and len(words) == 1:
                current = sections[words[0]][0]
                stack = [(0, current)]
            elif words[0] in sections and len(words) == 3 and words[1] == "struct":
                current = []
                sections[words[0]][1][words[2]] = current
                stack = [(0, current)]
            else:
                raise SchemaError(f"{path}:{lineno}: unexpected {line!r}")
            continue
        if current is None or vrange is None:
            raise SchemaError(f"{path}:{lineno}: field outside request/response, or before versions")
        m = _FIELD_RE.match(line)
        if not m:
            raise SchemaError(f"{path}:{lineno}: cannot parse field line {line!r}")
        indent = len(m.group("indent"))
        if indent % 2:
            raise SchemaError(f"{path}:{lineno}: indent must be a multiple of two spaces")
        depth = indent // 2
        while stack and stack[-1][0] >= depth:
            stack.pop()
        if not stack or stack[-1][0] != depth - 1:
            raise SchemaError(f"{path}:{lineno}: field indented deeper than its parent allows")
        try:
            field = _parse_field(m, lineno, Versions(vrange.lo, vrange.hi))
        except SchemaError as e:
            raise SchemaError(f"{path}:{e}") from None
        stack[-1][1].append(field)
        stack.append((depth, field.fields))

    if name is None or key is None or vrange is None or not flexible_seen:
        raise SchemaError(f"{path}: needs 'api', 'versions' and 'flexible' lines")
    api = Api(name=name, key=key, min_version=vrange.lo, max_version=vrange.hi or vrange.lo,
              flexible=flexible,
              request=Message(name + "Request", *sections["request"]),
              response=Message(name + "Response", *sections["response"]),
              path=path, comment="\n".join(comment_lines), unstable_from=unstable_from)
    for msg in (api.request, api.response):
        _resolve_structs(api, msg)
    return api


def _resolve_structs(api: Api, msg: Message) -> None:
    """Fills msg.structs and checks that every struct type is defined exactly once."""
    msg.structs = dict(msg.common_structs)

    def visit(fields: list[Field]) -> None:
        for f in fields:
            if f.element_type not in PRIMITIVES:
                if f.fields:
                    if f.element_type in msg.structs:
                        raise SchemaError(f"{api.path}:{f.line}: struct {f.element_type} defined twice")
                    msg.structs[f.element_type] = f.fields
                    visit(f.fields)
            elif f.fields:
                raise SchemaError(f"{api.path}:{f.line}: primitive field {f.name} has children")
    for fields in msg.common_structs.values():
        visit(fields)
    visit(msg.fields)

    def check(fields: list[Field]) -> None:
        for f in fields:
            if f.is_struct:
                if f.element_type not in msg.structs:
                    raise SchemaError(f"{api.path}:{f.line}: unknown struct type {f.element_type}")
                if f.fields:
                    check(f.fields)
            if f.tag is not None and not all(api.is_flexible(v) for v in range(
                    max(f.tagged.lo, api.min_version),
                    (f.tagged.hi if f.tagged.hi is not None else api.max_version) + 1)):
                raise SchemaError(f"{api.path}:{f.line}: tagged field {f.name} outside flexible versions")
    for fields in msg.common_structs.values():
        check(fields)
    check(msg.fields)


def struct_fields(msg: Message, f: Field) -> list[Field]:
    return f.fields if f.fields else msg.structs[f.element_type]


def load_all(directory: pathlib.Path) -> list[Api]:
    apis = [parse(p) for p in sorted(directory.glob("*.kschema"))]
    keys: dict[int, str] = {}
    for a in apis:
        if a.key in keys:
            raise SchemaError(f"API key {a.key} used by both {keys[a.key]} and {a.name}")
        keys[a.key] = a.name
    return sorted(apis, key=lambda a: a.key)
