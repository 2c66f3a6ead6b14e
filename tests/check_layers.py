#!/usr/bin/env python3
"""Check the layers of src/README.md against the sources and the object files.

The README has a fenced block that starts with ```layers and lists the
layers, top layer first, one a line: "name  folder  description...". This
script reads that block at run time and checks:

1. includes: every #include "..." of every .c/.h in a layer folder resolves
   (relative to the including file, then include/ for "coreapi/..." names) to
   a file of the same layer, of a layer below, or to a public header
   include/coreapi/*.h. Unresolved includes and source files under src/ that
   are in no layer folder are violations too.
2. calls: an object that uses a symbol another project object defines (nm)
   depends on that object's source file, which must not be in a higher layer.
3. cycles: no two source files depend on each other, through includes or
   calls, directly or through others (strongly connected components; one
   shortest cycle is printed per component).
4. the tool (the "cli" layer) includes only coreapi/... public headers and its
   own files, and calls only public library symbols: coreapi_*, not coreapi__*.
5. sizes: a file over 600 lines, or a function over 80 lines, needs a comment
   "layout: <reason>" (anywhere in the file for the file; above the function
   or inside it for the function).

Usage: check_layers.py --source-dir DIR [--objects OBJ...] [--cli-objects OBJ...]
       [--objects-from FILE] [--cli-objects-from FILE] | --self-test
Prints "layers: <file>: <what>" per violation and exits 1, or prints a summary
line and exits 0. Python 3 standard library and binutils' nm only.
"""

import argparse
import bisect
import collections
import os
import re
import subprocess
import sys
import tempfile

MAX_FILE_LINES = 600
MAX_FUNCTION_LINES = 80
LAYOUT = re.compile(r"\blayout:\s*\S")
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
DEFINED_TYPES = set("TDBRCGSVW")
PUBLIC_DIR = "include/coreapi/"
CLI_LAYER = "cli"

Layer = collections.namedtuple("Layer", "name folder rank")
Function = collections.namedtuple("Function", "name boundary open close")


class Checker:
    """The layers, the files, the dependency graph and the violations found."""

    def __init__(self, source_dir, layers):
        self.source_dir = os.path.realpath(source_dir)
        self.layers = layers
        self.violations = []
        self.edges = collections.defaultdict(dict)   # file -> {file: set(reasons)}
        self.files = {}                              # file -> text

    def report(self, path, what):
        line = "layers: %s: %s" % (path, what)
        if line not in self.violations:
            self.violations.append(line)

    def add_edge(self, source, target, reason):
        self.edges[source].setdefault(target, set()).add(reason)

    def relative(self, path):
        """The project-relative path of an absolute path, or None if outside."""
        path = os.path.realpath(path)
        if path != self.source_dir and not path.startswith(self.source_dir + os.sep):
            return None
        return os.path.relpath(path, self.source_dir).replace(os.sep, "/")

    def layer_of(self, rel):
        """The layer whose folder holds rel (the deepest folder wins), or None."""
        best = None
        for layer in self.layers:
            if rel.startswith(layer.folder + "/"):
                if best is None or len(layer.folder) > len(best.folder):
                    best = layer
        return best


def parse_layers(readme):
    """The layers of the README's ```layers block; rank 0 is the bottom layer."""
    with open(readme, encoding="utf-8") as f:
        lines = f.read().splitlines()
    rows, inside = [], False
    for line in lines:
        if not inside and line.strip() == "```layers":
            inside = True
        elif inside and line.strip().startswith("```"):
            break
        elif inside and line.strip():
            parts = line.split(None, 2)
            if len(parts) < 2:
                raise ValueError("%s: layer line without a folder: %r" % (readme, line))
            rows.append((parts[0], parts[1].rstrip("/")))
    if not rows:
        raise ValueError("%s: no ```layers block" % readme)
    return [Layer(name, folder, len(rows) - 1 - i) for i, (name, folder) in enumerate(rows)]


def strip_c(text):
    """Blank out comments and the insides of string/char literals (same length,
    newlines kept); return (code, comments) with comments as (start, end, text)."""
    out, comments, i, n = list(text), [], 0, len(text)

    def blank(start, end):
        for k in range(start, end):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        if text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            end = n if end < 0 else end
        elif text[i] in "\"'":
            j = i + 1
            while j < n and text[j] != text[i] and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            blank(i + 1, min(j, n))
            i = j + 1
            continue
        else:
            i += 1
            continue
        blank(i, end)
        comments.append((i, end, text[i:end]))
        i = end
    return "".join(out), comments


def blank_directives(code):
    """Replace each preprocessor directive by ';' (a boundary) and spaces."""
    lines, continued = code.split("\n"), False
    for k, line in enumerate(lines):
        if continued:
            lines[k] = " " * len(line)
        elif line.lstrip().startswith("#"):
            lines[k] = ";" + " " * (len(line) - 1)
        else:
            continue
        continued = line.rstrip().endswith("\\")
    return "\n".join(lines)


def function_name(code, close):
    """The identifier before the parameter list that ends at code[close] == ')'."""
    while True:
        depth, i = 0, close
        while i >= 0:
            if code[i] == ")":
                depth += 1
            elif code[i] == "(":
                depth -= 1
                if depth == 0:
                    break
            i -= 1
        j = i - 1
        while j >= 0 and code[j].isspace():
            j -= 1
        end = j + 1
        while j >= 0 and (code[j].isalnum() or code[j] == "_"):
            j -= 1
        name = code[j + 1:end]
        if name not in ("__attribute__", "__attribute"):
            return name or "?"
        while j >= 0 and code[j].isspace():
            j -= 1
        if j < 0 or code[j] != ")":
            return "?"
        close = j


def find_functions(code):
    """Top-level function bodies: a '{' at depth 0 right after a ')'."""
    functions, depth, last, boundary, current = [], 0, -1, 0, None
    for i, ch in enumerate(code):
        if ch == "{":
            if depth == 0 and last >= 0 and code[last] == ")":
                current = (function_name(code, last), boundary, i)
            depth += 1
        elif ch == "}" and depth > 0:
            depth -= 1
            if depth == 0:
                if current:
                    functions.append(Function(current[0], current[1], current[2], i))
                    current = None
                boundary = i + 1
        elif ch == ";" and depth == 0:
            boundary = i + 1
        if depth == 0 and not ch.isspace():
            last = i
    return functions


def scan_files(ck):
    """Read every .c/.h under the layer folders and under the README's src/."""
    roots = [layer.folder for layer in ck.layers] + ["src"]
    for root in roots:
        for folder, dirs, names in os.walk(os.path.join(ck.source_dir, root)):
            dirs[:] = sorted(d for d in dirs if not d.startswith("."))
            for name in sorted(names):
                if name.endswith((".c", ".h")):
                    rel = ck.relative(os.path.join(folder, name))
                    if rel and rel not in ck.files:
                        with open(os.path.join(folder, name), encoding="utf-8",
                                  errors="replace") as f:
                            ck.files[rel] = f.read()


def resolve_include(ck, including, name):
    """The project file that #include "name" in `including` means, or None."""
    candidates = [os.path.join(ck.source_dir, os.path.dirname(including), name)]
    if name.startswith("coreapi/"):
        candidates.append(os.path.join(ck.source_dir, "include", name))
    for candidate in candidates:
        rel = ck.relative(candidate)
        if rel and os.path.isfile(candidate):
            return rel
    return None


def collect_includes(ck):
    """(file, line, name, resolved file or None) for every quoted include."""
    includes = []
    for rel, text in sorted(ck.files.items()):
        code, _ = strip_c(text)
        for number, (line, code_line) in enumerate(zip(text.split("\n"), code.split("\n")), 1):
            match = INCLUDE.match(line)
            if match and code_line.lstrip().startswith("#"):
                target = resolve_include(ck, rel, match.group(1))
                includes.append((rel, number, match.group(1), target))
                if target:
                    ck.add_edge(rel, target, "includes")
    return includes


def layer_problem(ck, source, target):
    """Why `source` may not depend on `target` (a string), or None if it may."""
    if target.startswith(PUBLIC_DIR):
        return None
    mine, theirs = ck.layer_of(source), ck.layer_of(target)
    if mine is None:
        return None  # reported once by check_unlayered
    if theirs is None:
        return "that file is in no layer"
    if theirs.rank > mine.rank:
        return "layer %s is above %s" % (theirs.name, mine.name)
    return None


def check_unlayered(ck, sources):
    """Rule 1: every source file belongs to a layer."""
    for rel in sorted(sources):
        if not rel.startswith(PUBLIC_DIR) and ck.layer_of(rel) is None:
            ck.report(rel, "is in no layer folder of src/README.md")


def check_include_layers(ck, includes):
    """Rule 1: includes resolve, and never reach a higher layer."""
    for rel, number, name, target in includes:
        if ck.layer_of(rel) is None:
            continue
        if target is None:
            ck.report(rel, 'line %d: unresolved include "%s"' % (number, name))
            continue
        problem = layer_problem(ck, rel, target)
        if problem:
            ck.report(rel, 'line %d: includes "%s" (%s): %s' % (number, name, target, problem))


def object_source(ck, obj):
    """The source of a CMake object .../<bindir>/CMakeFiles/<target>.dir/<src>.o.
    <src> is relative to the folder <bindir> mirrors; the deepest match wins."""
    path = obj.replace(os.sep, "/")
    cut = path.rfind(".dir/")
    if cut < 0:
        return None
    tail = path[cut + len(".dir/"):]
    for suffix in (".o", ".obj"):
        if tail.endswith(suffix):
            tail = tail[:-len(suffix)]
    tail = "/".join(".." if part == "__" else part for part in tail.split("/"))
    bindir = path[:cut]
    bindir = bindir[:bindir.rfind("/CMakeFiles/")] if "/CMakeFiles/" in bindir else ""
    parts = [p for p in bindir.split("/") if p]
    for depth in range(len(parts), -1, -1):
        candidate = os.path.join(ck.source_dir, *parts[len(parts) - depth:], tail)
        rel = ck.relative(candidate)
        if rel and os.path.isfile(candidate):
            return rel
    return None


def read_symbols(ck, objects):
    """{source: (defined, undefined)} for the objects, from nm -P."""
    symbols = {}
    for obj in objects:
        source = object_source(ck, obj)
        if not os.path.isfile(obj):
            ck.report(obj, "object file not found (is the project built?)")
            continue
        if source is None:
            ck.report(obj, "object file that maps to no source file")
            continue
        result = subprocess.run(["nm", "-P", "--no-sort", obj], capture_output=True, text=True)
        if result.returncode != 0:
            ck.report(obj, "nm failed: %s" % result.stderr.strip())
            continue
        defined, undefined = set(), set()
        for line in result.stdout.splitlines():
            fields = line.split()
            if len(fields) >= 2 and fields[1] == "U":
                undefined.add(fields[0])
            elif len(fields) >= 2 and fields[1] in DEFINED_TYPES:
                defined.add(fields[0])
        symbols[source] = (defined, undefined)
    return symbols


def definers_of(symbols):
    """{symbol: set of sources that define it}."""
    definers = collections.defaultdict(set)
    for source, (defined, _) in symbols.items():
        for symbol in defined:
            definers[symbol].add(source)
    return definers


def check_call_layers(ck, library_symbols, cli_symbols):
    """Rule 2: what a file calls is defined in its own layer or below. As the
    linker does, a symbol is looked up in the object's own group (library or
    tool) first, then in the other one."""
    library = (library_symbols, definers_of(library_symbols))
    tool = (cli_symbols, definers_of(cli_symbols))
    calls = collections.defaultdict(set)
    for (symbols, own), (_, other) in ((library, tool), (tool, library)):
        for source, (_, undefined) in symbols.items():
            for symbol in undefined:
                for target in own.get(symbol) or other.get(symbol, ()):
                    if target == source:
                        continue
                    calls[(source, target)].add(symbol)
                    ck.add_edge(source, target, "calls " + symbol)
    for (source, target), used in sorted(calls.items()):
        problem = layer_problem(ck, source, target)
        if problem:
            ck.report(source, "calls %s, defined in %s: %s"
                      % (", ".join(sorted(used)), target, problem))


def strongly_connected(nodes, edges):
    """Tarjan's algorithm, iterative: the list of components (sorted lists)."""
    index, low, on_stack, stack, components = {}, {}, set(), [], []
    for root in sorted(nodes):
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, iter(sorted(edges.get(root, {}))))]
        while work:
            node, children = work[-1]
            descended = False
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, {})))))
                    descended = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if descended:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def shortest_cycle(component, edges):
    """The shortest cycle inside the component, as a list of files (BFS)."""
    members, best = set(component), None
    for start in component:
        parent, queue, last = {start: None}, collections.deque([start]), None
        while queue and last is None:
            node = queue.popleft()
            for child in sorted(edges.get(node, {})):
                if child == start:
                    last = node
                    break
                if child in members and child not in parent:
                    parent[child] = node
                    queue.append(child)
        if last is None:
            continue
        path = [last]
        while parent[path[-1]] is not None:
            path.append(parent[path[-1]])
        path.reverse()
        if best is None or len(path) < len(best):
            best = path
    return best


def edge_label(reasons):
    """'includes' and/or 'calls sym' (with how many more symbols)."""
    calls = sorted(r for r in reasons if r.startswith("calls "))
    labels = ["includes"] if "includes" in reasons else []
    if calls:
        more = " (+%d more)" % (len(calls) - 1) if len(calls) > 1 else ""
        labels.append(calls[0] + more)
    return ", ".join(labels)


def check_cycles(ck):
    """Rule 3: no strongly connected component of more than one file."""
    nodes = set(ck.edges)
    for targets in list(ck.edges.values()):
        nodes.update(targets)
    for component in strongly_connected(nodes, ck.edges):
        if len(component) < 2:
            continue
        cycle = shortest_cycle(component, ck.edges)
        steps = [cycle[0]]
        for a, b in zip(cycle, cycle[1:] + cycle[:1]):
            steps.append("-[%s]-> %s" % (edge_label(ck.edges[a][b]), b))
        what = "dependency cycle: " + " ".join(steps)
        if len(component) > len(cycle):
            what += " (%d files depend on each other: %s)" % (
                len(component), ", ".join(component))
        ck.report(cycle[0], what)


def check_cli_api(ck, includes, cli_symbols, library_symbols):
    """Rule 4: the tool includes only public headers and its own files, and
    calls only the library's public coreapi_* functions."""
    cli = next((layer for layer in ck.layers if layer.name == CLI_LAYER), None)
    if cli is None:
        return
    for rel, number, name, target in includes:
        if ck.layer_of(rel) != cli or target is None:
            continue
        if not target.startswith(PUBLIC_DIR) and not target.startswith(cli.folder + "/"):
            ck.report(rel, 'line %d: includes "%s": the tool may include only coreapi/ '
                      'public headers and its own files' % (number, name))
    library = definers_of(library_symbols)
    for source, (_, undefined) in sorted(cli_symbols.items()):
        for symbol in sorted(undefined):
            public = symbol.startswith("coreapi_") and not symbol.startswith("coreapi__")
            if symbol in library and not public:
                ck.report(source, "calls %s (defined in %s), which is not public API"
                          % (symbol, ", ".join(sorted(library[symbol]))))


def check_sizes(ck):
    """Rule 5: long files and long functions need a 'layout:' comment."""
    for rel, text in sorted(ck.files.items()):
        if ck.layer_of(rel) is None:
            continue
        code, comments = strip_c(text)
        explained = [start for start, _, body in comments if LAYOUT.search(body)]
        lines = text.count("\n") + (0 if text.endswith("\n") or not text else 1)
        if lines > MAX_FILE_LINES and not explained:
            ck.report(rel, "%d lines (over %d) and no 'layout:' comment"
                      % (lines, MAX_FILE_LINES))
        starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\n"]
        for function in find_functions(blank_directives(code)):
            first = bisect.bisect_right(starts, function.open)
            last = bisect.bisect_right(starts, function.close)
            length = last - first + 1
            if length <= MAX_FUNCTION_LINES:
                continue
            if any(function.boundary <= start < function.close for start in explained):
                continue
            ck.report(rel, "function %s is %d lines (lines %d-%d, over %d) and no 'layout:' "
                      "comment above or in it" % (function.name, length, first, last,
                                                  MAX_FUNCTION_LINES))


def run_check(source_dir, objects, cli_objects):
    """Run every rule; return (violations, summary line)."""
    layers = parse_layers(os.path.join(source_dir, "src", "README.md"))
    ck = Checker(source_dir, layers)
    scan_files(ck)
    includes = collect_includes(ck)
    library_symbols = read_symbols(ck, objects)
    cli_symbols = read_symbols(ck, cli_objects)
    check_unlayered(ck, set(ck.files) | set(library_symbols) | set(cli_symbols))
    check_include_layers(ck, includes)
    check_call_layers(ck, library_symbols, cli_symbols)
    check_cycles(ck)
    check_cli_api(ck, includes, cli_symbols, library_symbols)
    check_sizes(ck)
    dependencies = sum(len(targets) for targets in ck.edges.values())
    summary = "layers: %d files, %d layers, %d dependencies" % (
        len(ck.files), len(layers), dependencies)
    if not objects and not cli_objects:
        summary += " (no object files given: includes and sizes only)"
    if ck.violations:
        count = len(ck.violations)
        summary += ", %d violation%s" % (count, "" if count == 1 else "s")
    else:
        summary += ", no violations"
    return ck.violations, summary


def split_paths(values):
    """Paths from arguments and files: one a line or ';'-separated (CMake lists)."""
    paths = []
    for value in values:
        for part in value.replace("\n", ";").split(";"):
            if part.strip():
                paths.append(part.strip())
    return paths


def read_list(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


# --- self-test --------------------------------------------------------------

SELF_TEST_README = """# Layers

```layers
cli   cli       the tool
high  src/high  the upper layer
low   src/low   the lower layer
```
"""

CLEAN_TREE = {
    "src/README.md": SELF_TEST_README,
    "include/coreapi/api.h": "int coreapi_answer(void);\n",
    "src/low/low.h": "#ifndef LOW_H\n#define LOW_H\nint low_value(void);\n#endif\n",
    "src/low/low.c": '#include "low.h"\nint low_value(void) { return 41; }\n',
    "src/high/high.h": '#include "../low/low.h"\nint high_value(void);\n',
    "src/high/high.c": ('#include "high.h"\n#include "coreapi/api.h"\n'
                        "int high_value(void) { return low_value(); }\n"
                        "int coreapi_answer(void) { return high_value() + 1; }\n"),
    "src/high/other.c": "int high_other(void);\nint high_other(void) { return 7; }\n",
    "cli/main.c": ('#include "coreapi/api.h"\n'
                   "int main(void) { return coreapi_answer() == 42 ? 0 : 1; }\n"),
}


def long_function(name, length, comment=""):
    body = "".join("  x += %d;\n" % k for k in range(length - 3))
    return "%sint %s(int x)\n{\n%s  return x;\n}\n" % (comment, name, body)


SELF_TEST_CASES = [
    ("a clean tree passes", {}, None),
    ("an upward include is caught",
     {"src/low/low.c": '#include "low.h"\n#include "../high/high.h"\n'
                       "int low_value(void) { return 41; }\n"},
     'includes "../high/high.h" (src/high/high.h): layer high is above low'),
    ("an upward call is caught",
     {"src/low/low.c": '#include "low.h"\nint high_other(void);\n'
                       "int low_value(void) { return high_other() + 34; }\n"},
     "calls high_other, defined in src/high/other.c: layer high is above low"),
    ("a two-file call cycle in one layer is caught",
     {"src/low/a.c": "int b_fn(void);\nint a_fn(int n) { return n ? b_fn() : 0; }\n",
      "src/low/b.c": "int a_fn(int n);\nint b_fn(void) { return a_fn(0); }\n"},
     "dependency cycle: src/low/a.c -[calls b_fn]-> src/low/b.c -[calls a_fn]-> src/low/a.c"),
    ("an include cycle is caught",
     {"src/low/x.h": '#ifndef X_H\n#define X_H\n#include "y.h"\n#endif\n',
      "src/low/y.h": '#ifndef Y_H\n#define Y_H\n#include "x.h"\n#endif\n'},
     "dependency cycle: src/low/x.h -[includes]-> src/low/y.h -[includes]-> src/low/x.h"),
    ("the tool including a private header is caught",
     {"cli/main.c": '#include "../src/low/low.h"\n'
                    "int main(void) { return low_value() == 41 ? 0 : 1; }\n"},
     "the tool may include only coreapi/ public headers"),
    ("the tool calling a coreapi__ symbol is caught",
     {"src/high/other.c": "int coreapi__secret(void);\nint coreapi__secret(void) { return 7; }\n",
      "cli/main.c": "int coreapi__secret(void);\nint main(void) { return coreapi__secret(); }\n"},
     "calls coreapi__secret (defined in src/high/other.c), which is not public API"),
    ("a 700-line file without layout: is caught",
     {"src/low/big.c": "".join("int big_%d;\n" % k for k in range(700))},
     "src/low/big.c: 700 lines (over 600)"),
    ("a 700-line file with layout: passes",
     {"src/low/big.c": "/* layout: a generated table */\n"
                       + "".join("int big_%d;\n" % k for k in range(699))}, None),
    ("an 85-line function is caught",
     {"src/low/long.c": "int long_fn(int x);\n" + long_function("long_fn", 85)},
     "function long_fn is 85 lines (lines 3-87, over 80)"),
    ("a layout: comment above an #include does not cover the function after it",
     {"src/low/long.c": "/* layout: about the file */\n#include \"low.h\"\n"
                        + long_function("long_fn", 85)},
     "function long_fn is 85 lines"),
    ("an 80-line function passes", {"src/low/long.c": long_function("long_fn", 80)}, None),
    ("an 85-line function with layout: above it passes",
     {"src/low/long.c": long_function("long_fn", 85, "/* layout: one switch */\n")}, None),
]


def build_tree(root, files):
    """Write the files and compile the .c files into CMake-like object paths."""
    objects, cli_objects = [], []
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
    for rel in sorted(files):
        if not rel.endswith(".c"):
            continue
        if rel.startswith("cli/"):
            obj = os.path.join(root, "build/cli/CMakeFiles/tool.dir", rel[4:] + ".o")
            cli_objects.append(obj)
        else:
            obj = os.path.join(root, "build/CMakeFiles/lib.dir", rel + ".o")
            objects.append(obj)
        os.makedirs(os.path.dirname(obj), exist_ok=True)
        subprocess.run(["cc", "-std=c11", "-w", "-c", "-I", os.path.join(root, "include"),
                        os.path.join(root, rel), "-o", obj], check=True)
    return objects, cli_objects


def self_test():
    passed = failed = 0
    for title, changes, expected in SELF_TEST_CASES:
        files = dict(CLEAN_TREE)
        files.update(changes)
        with tempfile.TemporaryDirectory(prefix="check_layers.") as root:
            objects, cli_objects = build_tree(root, files)
            violations, summary = run_check(root, objects, cli_objects)
        if expected is None:
            ok = not violations
        else:
            ok = any(expected in line for line in violations)
        passed, failed = passed + ok, failed + (not ok)
        print("%s: %s" % ("ok" if ok else "FAILED", title))
        if not ok:
            print("  expected: %s" % (expected or "no violations"))
            for line in violations or [summary]:
                print("  got: " + line)
    print("%d passed, %d failed" % (passed, failed))
    return 0 if failed == 0 else 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source-dir", help="the project's top folder")
    parser.add_argument("--objects", nargs="*", action="extend", default=[],
                        help="the library's object files (';'-separated lists are split)")
    parser.add_argument("--cli-objects", nargs="*", action="extend", default=[],
                        help="the tool's object files")
    parser.add_argument("--objects-from", action="append", default=[], metavar="FILE")
    parser.add_argument("--cli-objects-from", action="append", default=[], metavar="FILE")
    parser.add_argument("--self-test", action="store_true", help="run the self-test")
    args = parser.parse_args()
    if args.self_test:
        return self_test()
    if not args.source_dir:
        parser.error("--source-dir is required")
    objects = split_paths(args.objects + [read_list(p) for p in args.objects_from])
    cli_objects = split_paths(args.cli_objects + [read_list(p) for p in args.cli_objects_from])
    try:
        violations, summary = run_check(args.source_dir, objects, cli_objects)
    except (OSError, ValueError) as error:
        print("layers: %s" % error, file=sys.stderr)
        return 2
    for line in violations:
        print(line)
    print(summary, file=sys.stderr if violations else sys.stdout)
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main())
