#!/usr/bin/env python3
"""Generates C++ message classes from src/protocol/schema/*.kschema.

Output, under --out (the build tree):
  protocol/messages/<api>.h, <api>.cc   one request and one response struct per API
  protocol/api_keys.h, api_keys.cc      the ApiKey enum and the table of version ranges
  protocol/testing/message_fill.h, .cc  random population of every message (tests only)

Run by CMake at build time; the output is never committed.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import kschema  # noqa: E402
from kschema import Api, Field, Message, Versions  # noqa: E402

CPP_KEYWORDS = {"default", "delete", "new", "class", "operator", "template", "this", "private",
                "public", "protected", "namespace", "register", "union", "auto", "case", "const"}

SCALARS = {
    "bool": ("bool", "Bool"), "int8": ("int8_t", "Int8"), "int16": ("int16_t", "Int16"),
    "uint16": ("uint16_t", "Uint16"), "int32": ("int32_t", "Int32"),
    "uint32": ("uint32_t", "Uint32"), "int64": ("int64_t", "Int64"),
    "float64": ("double", "Float64"), "uuid": ("Uuid", "Uuid"),
}


def snake(name: str) -> str:
    s = re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name)
    s = re.sub(r"(?<=[A-Z])([A-Z][a-z])", r"_\1", s)
    s = s.lower()
    return s + "_" if s in CPP_KEYWORDS else s


def file_stem(api: Api) -> str:
    return api.path.stem


class Gen:
    """Emits the C++ for one API; `out` collects lines."""

    def __init__(self, api: Api):
        self.api = api
        self.lo = api.min_version
        self.hi = api.max_version

    # ---- version conditions -------------------------------------------------------------
    def cond(self, r: Versions | None) -> str:
        if r is None:
            return "false"
        parts = []
        if r.lo > self.lo:
            parts.append(f"version >= {r.lo}")
        if r.hi is not None and r.hi < self.hi:
            parts.append(f"version <= {r.hi}")
        if r.hi is not None and r.hi < self.lo or r.lo > self.hi:
            return "false"
        return " && ".join(parts) if parts else "true"

    def cond_within(self, r: Versions | None, within: Versions) -> str:
        """Like cond(r), but only for versions inside `within` (where the code runs): "true" or
        "false" when r holds for all or none of them."""
        vs = [v for v in range(self.lo, self.hi + 1) if within.contains(v)]
        hits = [v for v in vs if kschema.contains(r, v)]
        if len(hits) == len(vs):
            return "true"
        if not hits:
            return "false"
        return self.cond(r)

    def inline_cond(self, f: Field) -> str:
        """When the field is written inline (present and not tagged)."""
        present = self.cond(f.versions)
        if f.tag is None:
            return present
        tagged = self.cond_within(f.tagged, f.versions)
        if tagged == "true":
            return "false"
        if tagged == "false":
            return present
        return f"({present}) && !({tagged})"

    def flex_expr(self, f: Field) -> str:
        if f.flexible is not None:
            return f"({self.cond(f.flexible)})"
        return "flexible"

    def nullable_anywhere(self, f: Field) -> bool:
        if f.nullable is None:
            return False
        for v in range(self.lo, self.hi + 1):
            if f.present(v) and f.nullable.contains(v):
                return True
        return False

    def has_tags(self, fields: list[Field]) -> bool:
        return any(f.tag is not None for f in fields)

    # ---- types ----------------------------------------------------------------------------
    def elem_cpp(self, t: str) -> str:
        if t in SCALARS:
            return SCALARS[t][0]
        if t == "string":
            return "std::string"
        if t == "bytes":
            return "Bytes"
        if t == "records":
            return "RecordsView"
        return t  # struct

    def cpp_type(self, f: Field) -> str:
        base = f"std::vector<{self.elem_cpp(f.element_type)}>" if f.is_array else self.elem_cpp(f.type)
        if self.nullable_anywhere(f):
            return f"std::optional<{base}>"
        return base

    def default_init(self, f: Field) -> str:
        """The in-class initializer (including braces or '= '), or ''."""
        d = f.default
        nullable = self.nullable_anywhere(f)
        if f.is_array:
            if nullable:
                return "" if d == "null" else "{std::in_place}"
            return ""
        t = f.type
        if t in SCALARS and t != "uuid":
            if t == "bool":
                return f" = {('true' if (d or 'false').lower() == 'true' else 'false')}"
            if t == "float64":
                return f" = {float(d) if d else 0.0!r}"
            val = d if d not in (None, "") else "0"
            if t == "int64" and val.lstrip("-").isdigit() and abs(int(val)) > 2**31:
                val += "LL"
            return f" = {val}"
        if t == "uuid":
            return ""
        if t == "string":
            lit = None if d is None else d
            if nullable:
                if lit == "null":
                    return ""
                return "{std::in_place" + (f", {lit}" if lit not in (None, '""') else "") + "}"
            if lit not in (None, '""'):
                return f" = {lit}"
            return ""
        if t in ("bytes", "records"):
            if nullable:
                return "" if d == "null" else "{std::in_place}"
            return ""
        # struct
        if nullable:
            return "" if d == "null" else "{std::in_place}"
        return ""

    def is_default_expr(self, f: Field, x: str) -> str:
        nullable = self.nullable_anywhere(f)
        d = f.default
        if f.is_array or f.type in ("bytes", "records"):
            if nullable:
                return f"!{x}" if d == "null" else f"({x} && {x}->empty())"
            return f"{x}.empty()"
        t = f.type
        if t == "uuid":
            return f"{x}.is_zero()"
        if t in SCALARS:
            init = self.default_init(f)[3:]
            return f"{x} == {init}"
        if t == "string":
            if nullable:
                if d == "null":
                    return f"!{x}"
                if d in (None, '""'):
                    return f"({x} && {x}->empty())"
                return f"({x} && *{x} == {d})"
            if d in (None, '""'):
                return f"{x}.empty()"
            return f"{x} == {d}"
        # struct
        if nullable:
            return f"!{x}" if d == "null" else f"({x} && *{x} == {t}{{}})"
        return f"{x} == {t}{{}}"

    # ---- struct ordering ------------------------------------------------------------------
    def ordered_structs(self, msg: Message) -> list[tuple[str, list[Field]]]:
        done: list[str] = []

        def visit(name: str) -> None:
            if name in done:
                return
            for f in msg.structs[name]:
                if f.is_struct:
                    visit(f.element_type)
            done.append(name)
        for fields in [msg.fields]:
            for f in fields:
                if f.is_struct:
                    visit(f.element_type)
        for name in msg.structs:
            visit(name)
        return [(n, msg.structs[n]) for n in done]

    # ---- header ---------------------------------------------------------------------------
    def struct_decl(self, name: str, fields: list[Field], indent: str, top: bool) -> list[str]:
        out = []
        for f in fields:
            out.append(f"{indent}{self.cpp_type(f)} {snake(f.name)}{self.default_init(f)};")
        if self.api.flexible is not None:
            out.append(f"{indent}// Tagged fields from a newer peer, kept so they round-trip.")
            out.append(f"{indent}UnknownTaggedFields unknown_tagged_fields;")
        out.append("")
        if top:
            out.append(f"{indent}// Appends the body (no header) at `version`; fails if the message holds a value")
            out.append(f"{indent}// that `version` cannot carry. On failure `out` holds partial output.")
            out.append(f"{indent}Status Encode(util::ByteBuffer* out, int16_t version) const;")
            out.append(f"{indent}// Replaces *this with the body in `in` (exactly, no trailing bytes). Fields of type")
            out.append(f"{indent}// records point into `in`, which must outlive them.")
            out.append(f"{indent}Status Decode(std::span<const uint8_t> in, int16_t version);")
        out.append(f"{indent}void Write(Writer& w, int16_t version) const;")
        out.append(f"{indent}void Read(Reader& r, int16_t version);")
        out.append(f"{indent}friend bool operator==(const {name}&, const {name}&) = default;")
        return out

    def header_for(self, msg: Message) -> list[str]:
        api = self.api
        out = [f"struct {msg.name} {{"]
        out.append(f"  static constexpr ApiKey kApiKey = ApiKey::k{api.name};")
        out.append(f"  static constexpr int16_t kMinVersion = {api.min_version};")
        out.append(f"  static constexpr int16_t kMaxVersion = {api.max_version};")
        out.append(f"  static constexpr int16_t kMaxStableVersion = {api.max_stable_version};")
        fv = api.flexible.lo if api.flexible is not None else -1
        out.append(f"  // -1: no version is flexible.")
        out.append(f"  static constexpr int16_t kFirstFlexibleVersion = {fv};")
        out.append(f"  static constexpr std::string_view kName = \"{msg.name}\";")
        out.append("")
        for name, fields in self.ordered_structs(msg):
            out.append(f"  struct {name} {{")
            out.extend(self.struct_decl(name, fields, "    ", False))
            out.append("  };")
            out.append("")
        out.extend(self.struct_decl(msg.name, msg.fields, "  ", True))
        out.append("};")
        return out

    def header(self) -> str:
        api = self.api
        lines = [
            "// Generated by src/protocol/gen/generate.py from "
            f"src/protocol/schema/{api.path.name}. Do not edit.",
        ]
        for c in api.comment.splitlines():
            lines.append(f"// {c}" if c else "//")
        lines += [
            "#pragma once",
            "",
            "#include <cstdint>",
            "#include <optional>",
            "#include <span>",
            "#include <string>",
            "#include <string_view>",
            "#include <vector>",
            "",
            "#include \"kclient/status.h\"",
            "#include \"protocol/api_keys.h\"",
            "#include \"protocol/types.h\"",
            "#include \"util/byte_buffer.h\"",
            "",
            "namespace kclient::protocol {",
            "",
            "class Reader;",
            "class Writer;",
            "",
        ]
        lines += self.header_for(api.request)
        lines.append("")
        lines += self.header_for(api.response)
        lines += ["", "}  // namespace kclient::protocol", ""]
        return "\n".join(lines)

    # ---- source: encode --------------------------------------------------------------------
    def write_value(self, f: Field, x: str, w: str, flex: str, nullable_cond: str, ind: str) -> list[str]:
        """Encodes member expression x (of cpp_type(f)) with writer w."""
        out = []
        optional = self.nullable_anywhere(f)
        if optional:
            if f.is_array:
                write_null = f"{w}.WriteArrayLength(-1, {flex});"
            elif f.type == "string":
                write_null = f"{w}.WriteStringLength(-1, {flex});"
            elif f.type in ("bytes", "records"):
                write_null = f"{w}.WriteBytesLength(-1, {flex});"
            else:
                write_null = f"{w}.WriteInt8(-1);"
            fail = f"{w}.Fail(\"{f.name} is null, which version \" + std::to_string(version) + \" does not allow\");"
            out.append(f"{ind}if (!{x}) {{")
            if nullable_cond == "true":
                out.append(f"{ind}  {write_null}")
            elif nullable_cond == "false":
                out.append(f"{ind}  {fail}")
            else:
                out.append(f"{ind}  if ({nullable_cond}) {{")
                out.append(f"{ind}    {write_null}")
                out.append(f"{ind}  }} else {{")
                out.append(f"{ind}    {fail}")
                out.append(f"{ind}  }}")
            out.append(f"{ind}}} else {{")
            out += self.write_present(f, f"(*{x})", w, flex, ind + "  ")
            out.append(f"{ind}}}")
        else:
            out += self.write_present(f, x, w, flex, ind)
        return out

    def write_scalar(self, t: str, x: str, w: str, flex: str) -> str:
        if t in SCALARS:
            return f"{w}.Write{SCALARS[t][1]}({x});"
        if t == "string":
            return f"{w}.WriteString({x}, {flex});"
        if t == "bytes":
            return f"{w}.WriteBytes({x}, {flex});"
        if t == "records":
            return f"{w}.WriteRecords({x}, {flex});"
        return f"{x}.Write({w}, version);"

    def write_present(self, f: Field, x: str, w: str, flex: str, ind: str) -> list[str]:
        out = []
        if f.is_array:
            out.append(f"{ind}{w}.WriteArrayLength(static_cast<int32_t>({x}.size()), {flex});")
            out.append(f"{ind}for (const auto& e : {x}) {self.write_scalar(f.element_type, 'e', w, flex)}")
        elif f.is_struct and self.nullable_anywhere(f):
            out.append(f"{ind}{w}.WriteInt8(1);")
            out.append(f"{ind}{self.write_scalar(f.type, x, w, flex)}")
        else:
            out.append(f"{ind}{self.write_scalar(f.type, x, w, flex)}")
        return out

    def encode_body(self, owner: str, fields: list[Field]) -> list[str]:
        out = [f"void {owner}::Write(Writer& w, int16_t version) const {{"]
        out.append(f"  const bool flexible = {self.cond(self.api.flexible)};")
        out.append("  (void)version;")
        out.append("  (void)flexible;")
        for f in fields:
            x = snake(f.name)
            present = self.cond(f.versions)
            inline_cond = self.inline_cond(f)
            body = self.write_value(f, x, "w", self.flex_expr(f), self.cond_within(f.nullable, f.versions), "    ")
            check_absent = not f.ignorable and present != "true"
            absent_fail = f"w.Fail(\"{f.name} is set but version \" + std::to_string(version) + \" cannot carry it\");"
            if inline_cond == "true":
                out += [b[2:] for b in body]
            elif inline_cond == "false":
                if check_absent:
                    out.append(f"  if (!({present}) && !({self.is_default_expr(f, x)})) {{")
                    out.append(f"    {absent_fail}")
                    out.append("  }")
            else:
                out.append(f"  if ({inline_cond}) {{")
                out += body
                if check_absent:
                    # Inside the else branch the field is absent unless it is tagged here.
                    absent = "" if inline_cond == present else f"!({present}) && "
                    out.append(f"  }} else if ({absent}!({self.is_default_expr(f, x)})) {{")
                    out.append(f"    {absent_fail}")
                out.append("  }")
        if self.api.flexible is not None:
            tagged_fields = sorted([f for f in fields if f.tag is not None], key=lambda f: f.tag)
            out.append("  if (flexible) {")
            if tagged_fields:
                out.append("    util::ByteBuffer scratch;")
                out.append(f"    EncodedTag tags[{len(tagged_fields)}];")
                out.append("    size_t ntags = 0;")
                for f in tagged_fields:
                    x = snake(f.name)
                    out.append(f"    if (({self.cond(f.tagged)}) && !({self.is_default_expr(f, x)})) {{")
                    out.append("      const size_t start = scratch.size();")
                    out.append("      Writer tw(&scratch);")
                    out += self.write_value(f, x, "tw", "true", self.cond_within(f.nullable, f.versions), "      ")
                    out.append("      if (!tw.ok()) w.Fail(std::string(tw.status().message()));")
                    out.append(f"      tags[ntags++] = EncodedTag{{{f.tag}, start, scratch.size() - start}};")
                    out.append("    }")
                out.append("    WriteTaggedFields(w, std::span<const EncodedTag>(tags, ntags), &scratch, unknown_tagged_fields);")
            else:
                out.append("    WriteTaggedFields(w, {}, nullptr, unknown_tagged_fields);")
            out.append("  }")
        out.append("}")
        return out

    # ---- source: decode --------------------------------------------------------------------
    def read_scalar(self, t: str, target: str, r: str, flex: str) -> str:
        if t in SCALARS:
            return f"{target} = {r}.Read{SCALARS[t][1]}();"
        if t == "string":
            return f"{target} = {r}.ReadString({flex});"
        if t == "bytes":
            return f"{target} = {r}.ReadBytes({flex});"
        if t == "records":
            return f"{target} = {r}.ReadRecords({flex});"
        return f"{target}.Read({r}, version);"

    def read_value(self, f: Field, x: str, r: str, flex: str, nullable_cond: str, ind: str) -> list[str]:
        out = []
        optional = self.nullable_anywhere(f)
        if f.is_array:
            out.append(f"{ind}{{")
            out.append(f"{ind}  const int32_t n = {r}.ReadArrayLength({flex});")
            out.append(f"{ind}  if (n < 0) {{")
            if optional:
                out.append(f"{ind}    if ({nullable_cond}) {{")
                out.append(f"{ind}      {x}.reset();")
                out.append(f"{ind}    }} else {{")
                out.append(f"{ind}      {r}.Fail(\"null array where the version requires one\");")
                out.append(f"{ind}    }}")
            else:
                out.append(f"{ind}    {r}.Fail(\"null array where the version requires one\");")
            out.append(f"{ind}  }} else {{")
            target = f"{x}.emplace()" if optional else x
            out.append(f"{ind}    auto& v = {target};")
            out.append(f"{ind}    v.clear();")
            out.append(f"{ind}    for (int32_t i = 0; i < n && {r}.ok(); ++i) {{")
            if f.is_struct:
                out.append(f"{ind}      v.emplace_back().Read({r}, version);")
            else:
                out.append(f"{ind}      {self.read_scalar(f.element_type, 'v.emplace_back()', r, flex)}")
            out.append(f"{ind}    }}")
            out.append(f"{ind}  }}")
            out.append(f"{ind}}}")
            return out
        if f.is_struct:
            if optional:
                out.append(f"{ind}if ({r}.ReadInt8() < 0) {{")
                out.append(f"{ind}  if ({nullable_cond}) {{")
                out.append(f"{ind}    {x}.reset();")
                out.append(f"{ind}  }} else {{")
                out.append(f"{ind}    {r}.Fail(\"null struct where the version requires one\");")
                out.append(f"{ind}  }}")
                out.append(f"{ind}}} else {{")
                out.append(f"{ind}  {x}.emplace().Read({r}, version);")
                out.append(f"{ind}}}")
            else:
                out.append(f"{ind}{x}.Read({r}, version);")
            return out
        if optional:
            kind = {"string": "String", "bytes": "Bytes", "records": "Records"}[f.type]
            if nullable_cond in ("true", "false"):
                prefix = "Nullable" if nullable_cond == "true" else ""
                out.append(f"{ind}{x} = {r}.Read{prefix}{kind}({flex});")
                return out
            out.append(f"{ind}if ({nullable_cond}) {{")
            out.append(f"{ind}  {x} = {r}.ReadNullable{kind}({flex});")
            out.append(f"{ind}}} else {{")
            out.append(f"{ind}  {x} = {r}.Read{kind}({flex});")
            out.append(f"{ind}}}")
            return out
        out.append(f"{ind}{self.read_scalar(f.type, x, r, flex)}")
        return out

    def decode_body(self, owner: str, fields: list[Field]) -> list[str]:
        out = [f"void {owner}::Read(Reader& r, int16_t version) {{"]
        out.append(f"  const bool flexible = {self.cond(self.api.flexible)};")
        out.append("  (void)version;")
        out.append("  (void)flexible;")
        for f in fields:
            x = snake(f.name)
            inline_cond = self.inline_cond(f)
            body = self.read_value(f, x, "r", self.flex_expr(f), self.cond_within(f.nullable, f.versions), "    ")
            if inline_cond == "true":
                out += [b[2:] for b in body]
            elif inline_cond != "false":
                out.append(f"  if ({inline_cond}) {{")
                out += body
                out.append("  }")
        if self.api.flexible is not None:
            tagged_fields = sorted([f for f in fields if f.tag is not None], key=lambda f: f.tag)
            out.append("  if (flexible) {")
            if not tagged_fields:
                out.append("    ReadUnknownTaggedFields(r, &unknown_tagged_fields);")
                out.append("  }")
                out.append("}")
                return out
            out.append("    const uint32_t count = r.ReadUvarint32();")
            out.append("    for (uint32_t i = 0; i < count && r.ok(); ++i) {")
            out.append("      const uint32_t tag = r.ReadUvarint32();")
            out.append("      const auto data = r.ReadSpan(r.ReadUvarint32());")
            out.append("      if (!r.ok()) break;")
            first = True
            for f in tagged_fields:
                kw = "if" if first else "} else if"
                first = False
                out.append(f"      {kw} (tag == {f.tag} && ({self.cond(f.tagged)})) {{")
                out.append("        Reader tr(data);")
                out += self.read_value(f, snake(f.name), "tr", "true", self.cond_within(f.nullable, f.versions), "        ")
                out.append("        if (!tr.ok()) r.Fail(tr.error());")
            out.append("      } else {")
            out.append("        unknown_tagged_fields.push_back(UnknownTaggedField{tag, Bytes(data.begin(), data.end())});")
            out.append("      }")
            out.append("    }")
            out.append("  }")
        out.append("}")
        return out

    def source(self) -> str:
        api = self.api
        lines = [
            "// Generated by src/protocol/gen/generate.py from "
            f"src/protocol/schema/{api.path.name}. Do not edit.",
            f"#include \"protocol/messages/{file_stem(api)}.h\"",
            "",
            "#include <string>",
            "",
            "#include \"protocol/wire.h\"",
            "",
            "namespace kclient::protocol {",
            "",
        ]
        for msg in (api.request, api.response):
            for name, fields in self.ordered_structs(msg):
                owner = f"{msg.name}::{name}"
                lines += self.encode_body(owner, fields) + [""]
                lines += self.decode_body(owner, fields) + [""]
            lines += self.encode_body(msg.name, msg.fields) + [""]
            lines += self.decode_body(msg.name, msg.fields) + [""]
            lines += [
                f"Status {msg.name}::Encode(util::ByteBuffer* out, int16_t version) const {{",
                "  if (version < kMinVersion || version > kMaxVersion) {",
                f"    return Status(ErrorCode::kLocalUnsupportedVersion, \"{msg.name} has no version \" + std::to_string(version));",
                "  }",
                "  Writer w(out);",
                "  Write(w, version);",
                "  return w.status();",
                "}",
                "",
                f"Status {msg.name}::Decode(std::span<const uint8_t> in, int16_t version) {{",
                "  if (version < kMinVersion || version > kMaxVersion) {",
                f"    return Status(ErrorCode::kLocalUnsupportedVersion, \"{msg.name} has no version \" + std::to_string(version));",
                "  }",
                f"  *this = {msg.name}();",
                "  Reader r(in);",
                "  Read(r, version);",
                "  if (r.ok() && r.remaining() != 0) r.Fail(\"trailing bytes after the message\");",
                "  if (r.ok()) return Status();",
                f"  return r.status(\"{msg.name} v\" + std::to_string(version));",
                "}",
                "",
            ]
        lines += ["}  // namespace kclient::protocol", ""]
        return "\n".join(lines)

    # ---- test filler -----------------------------------------------------------------------
    def fill_value(self, f: Field, x: str, ind: str) -> list[str]:
        out = []
        optional = self.nullable_anywhere(f)
        nullable_cond = self.cond(f.nullable)
        if optional:
            out.append(f"{ind}if (({nullable_cond}) && rng.OneIn(4)) {{")
            out.append(f"{ind}  {x}.reset();")
            out.append(f"{ind}}} else {{")
            out.append(f"{ind}  auto& p = {x}.emplace();")
            out += self.fill_present(f, "p", ind + "  ")
            out.append(f"{ind}}}")
        else:
            out += self.fill_present(f, x, ind)
        return out

    def fill_scalar(self, t: str, x: str, ind: str) -> list[str]:
        if t == "bool":
            return [f"{ind}{x} = rng.OneIn(2);"]
        if t in ("int8", "int16", "uint16", "int32", "uint32", "int64"):
            return [f"{ind}{x} = static_cast<{SCALARS[t][0]}>(rng.Next());"]
        if t == "float64":
            return [f"{ind}{x} = static_cast<double>(static_cast<int32_t>(rng.Next())) / 8.0;"]
        if t == "uuid":
            return [f"{ind}{x} = Uuid{{rng.Next(), rng.Next()}};"]
        if t == "string":
            return [f"{ind}{x} = rng.String();"]
        if t == "bytes":
            return [f"{ind}{x} = rng.ByteString();"]
        if t == "records":
            return [f"{ind}{x} = rng.Records();"]
        return [f"{ind}FillForTest({x}, version, rng);"]

    def fill_present(self, f: Field, x: str, ind: str) -> list[str]:
        if f.is_array:
            return [
                f"{ind}{x}.resize(rng.Below(4));",
                f"{ind}for (auto& e : {x}) {{",
                *self.fill_scalar(f.element_type, "e", ind + "  "),
                f"{ind}}}",
            ]
        return self.fill_scalar(f.type, x, ind)

    def fill_body(self, owner: str, fields: list[Field]) -> list[str]:
        out = [f"void FillForTest({owner}& m, int16_t version, TestRng& rng) {{", "  (void)version;", "  (void)rng;"]
        for f in fields:
            cond = self.cond(f.versions)
            out.append(f"  if ({cond}) {{")
            if f.tag is not None:
                out.append("    if (rng.OneIn(3)) {")
                out += self.fill_value(f, f"m.{snake(f.name)}", "      ")
                out.append("    }")
            else:
                out += self.fill_value(f, f"m.{snake(f.name)}", "    ")
            out.append("  }")
        out.append("}")
        return out

    def fill_decls(self) -> list[str]:
        out = []
        for msg in (self.api.request, self.api.response):
            for name, _ in self.ordered_structs(msg):
                out.append(f"void FillForTest({msg.name}::{name}& m, int16_t version, TestRng& rng);")
            out.append(f"void FillForTest({msg.name}& m, int16_t version, TestRng& rng);")
        return out

    def fill_defs(self) -> list[str]:
        out = []
        for msg in (self.api.request, self.api.response):
            for name, fields in self.ordered_structs(msg):
                out += self.fill_body(f"{msg.name}::{name}", fields) + [""]
            out += self.fill_body(msg.name, msg.fields) + [""]
        return out


def api_keys_header(apis: list[Api]) -> str:
    lines = [
        "// Generated by src/protocol/gen/generate.py from src/protocol/schema. Do not edit.",
        "// The Kafka APIs kclient speaks, with the versions it can encode and decode.",
        "#pragma once",
        "",
        "#include <cstdint>",
        "#include <span>",
        "#include <string_view>",
        "",
        "namespace kclient::protocol {",
        "",
        "enum class ApiKey : int16_t {",
    ]
    for a in apis:
        lines.append(f"  k{a.name} = {a.key},")
    lines += [
        "};",
        "",
        "struct ApiInfo {",
        "  ApiKey key;",
        "  std::string_view name;",
        "  int16_t min_version;",
        "  int16_t max_version;",
        "  // Kafka marks versions above this unstable: not advertised, not negotiated.",
        "  int16_t max_stable_version;",
        "  // -1 when no version is flexible.",
        "  int16_t first_flexible_version;",
        "",
        "  bool is_flexible(int16_t version) const {",
        "    return first_flexible_version >= 0 && version >= first_flexible_version;",
        "  }",
        "};",
        "",
        "// Every API, ordered by key.",
        "std::span<const ApiInfo> AllApis();",
        "// The API with this key, or nullptr.",
        "const ApiInfo* FindApi(int16_t key);",
        "",
        "// Request header version for an API version: 2 when flexible, else 1.",
        "int16_t RequestHeaderVersion(ApiKey key, int16_t version);",
        "// Response header version: 1 when flexible, else 0; ApiVersions always uses 0 so that a",
        "// client can read the answer before it knows which versions the broker speaks.",
        "int16_t ResponseHeaderVersion(ApiKey key, int16_t version);",
        "",
        "}  // namespace kclient::protocol",
        "",
    ]
    return "\n".join(lines)


def api_keys_source(apis: list[Api]) -> str:
    lines = [
        "// Generated by src/protocol/gen/generate.py from src/protocol/schema. Do not edit.",
        "#include \"protocol/api_keys.h\"",
        "",
        "namespace kclient::protocol {",
        "namespace {",
        "",
        "constexpr ApiInfo kApis[] = {",
    ]
    for a in apis:
        fv = a.flexible.lo if a.flexible is not None else -1
        lines.append(f"    {{ApiKey::k{a.name}, \"{a.name}\", {a.min_version}, {a.max_version}, "
                     f"{a.max_stable_version}, {fv}}},")
    lines += [
        "};",
        "",
        "}  // namespace",
        "",
        "std::span<const ApiInfo> AllApis() { return kApis; }",
        "",
        "const ApiInfo* FindApi(int16_t key) {",
        "  for (const ApiInfo& a : kApis) {",
        "    if (static_cast<int16_t>(a.key) == key) return &a;",
        "  }",
        "  return nullptr;",
        "}",
        "",
        "int16_t RequestHeaderVersion(ApiKey key, int16_t version) {",
        "  const ApiInfo* a = FindApi(static_cast<int16_t>(key));",
        "  return a != nullptr && a->is_flexible(version) ? 2 : 1;",
        "}",
        "",
        "int16_t ResponseHeaderVersion(ApiKey key, int16_t version) {",
        "  if (key == ApiKey::kApiVersions) return 0;",
        "  const ApiInfo* a = FindApi(static_cast<int16_t>(key));",
        "  return a != nullptr && a->is_flexible(version) ? 1 : 0;",
        "}",
        "",
        "}  // namespace kclient::protocol",
        "",
    ]
    return "\n".join(lines)


def fill_files(apis: list[Api]) -> tuple[str, str]:
    h = [
        "// Generated by src/protocol/gen/generate.py. Do not edit. Tests only.",
        "// FillForTest populates every field a version carries with pseudo-random values, so that",
        "// round-trip tests cover every field of every message at every version.",
        "#pragma once",
        "",
        "#include <cstdint>",
        "",
    ]
    for a in apis:
        h.append(f"#include \"protocol/messages/{file_stem(a)}.h\"")
    h += [
        "#include \"protocol/testing/test_rng.h\"",
        "",
        "namespace kclient::protocol {",
        "",
    ]
    for a in apis:
        h += Gen(a).fill_decls()
    h += [
        "",
        "// X(Type) for every request and response type.",
        "#define KCLIENT_FOR_EACH_MESSAGE(X) \\",
    ]
    names = []
    for a in apis:
        names += [a.request.name, a.response.name]
    h += [f"  X({n}) \\" for n in names[:-1]] + [f"  X({names[-1]})"]
    h += ["", "}  // namespace kclient::protocol", ""]
    c = [
        "// Generated by src/protocol/gen/generate.py. Do not edit. Tests only.",
        "#include \"protocol/testing/message_fill.h\"",
        "",
        "namespace kclient::protocol {",
        "",
    ]
    for a in apis:
        c += Gen(a).fill_defs()
    c += ["}  // namespace kclient::protocol", ""]
    return "\n".join(h), "\n".join(c)


def write_if_changed(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() and path.read_text() == text:
        return
    path.write_text(text)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema-dir", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--list", action="store_true", help="print the files that would be generated")
    args = ap.parse_args()
    try:
        apis = kschema.load_all(pathlib.Path(args.schema_dir))
    except kschema.SchemaError as e:
        print(f"generate.py: {e}", file=sys.stderr)
        return 1
    out = pathlib.Path(args.out)
    if args.list:
        for a in apis:
            print(f"protocol/messages/{file_stem(a)}.cc")
        return 0
    for a in apis:
        g = Gen(a)
        write_if_changed(out / "protocol" / "messages" / f"{file_stem(a)}.h", g.header())
        write_if_changed(out / "protocol" / "messages" / f"{file_stem(a)}.cc", g.source())
    write_if_changed(out / "protocol" / "api_keys.h", api_keys_header(apis))
    write_if_changed(out / "protocol" / "api_keys.cc", api_keys_source(apis))
    fh, fc = fill_files(apis)
    write_if_changed(out / "protocol" / "testing" / "message_fill.h", fh)
    write_if_changed(out / "protocol" / "testing" / "message_fill.cc", fc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
