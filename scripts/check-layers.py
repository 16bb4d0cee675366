#!/usr/bin/env python3
"""check-layers.py: keep the floors of the source tree stacked.

    scripts/check-layers.py [--root DIR] [--objects BUILDDIR]

Floors, top to bottom (a file may include headers of its own floor or a
lower one, never a higher one):

    4  src/      the command line
    3  agents/   the agents and the stock graph
    2  tools/    the agent tools and their libraries (market, ta, report)
    2  model/    the model interface, its backends, the gpt-oss engine
    1  lib/      the runtime library

Also checked, from the #include lines of every .c, .h and .cu file:
  - no cycle between folders (a folder is a directory: tools/report and
    tools are two folders, and they must not include each other both ways);
  - no cycle between the headers of one folder;
  - a header whose opening comment says "private to DIR" is included only
    from files under DIR;
  - every project header is spelled by its path from the top of the tree
    ("lib/xmalloc.h", not "xmalloc.h"), so one name means one file.
With --objects, the object files of a build are read with nm, and no two
files of one folder may call each other in a circle (a.c calls b.c calls
a.c), which the #include lines cannot show when files share a header.
Only functions count: a registry file that lists other files' const
descriptors (the command, tool and backend tables) does not call them.

Tests (tests/) and scripts are outside the floors. Prints one line per
problem and exits 1 when there is any, 0 otherwise.
"""
import argparse
import os
import re
import subprocess
import sys

FLOORS = {"src": 4, "agents": 3, "tools": 2, "model": 2, "lib": 1}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
PRIVATE = re.compile(r"private to\s+([A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*)")
GENERATED = {"config.h"}


def sources(root):
    out = []
    for top in FLOORS:
        for d, _, files in os.walk(os.path.join(root, top)):
            for f in files:
                if f.endswith((".c", ".h", ".cu")):
                    out.append(os.path.relpath(os.path.join(d, f), root))
    return sorted(out)


def floor(path):
    return FLOORS.get(path.split("/")[0])


def module(path):
    return os.path.splitext(path)[0]


def find_cycle(graph):
    """One cycle of GRAPH (node -> set of nodes) as a list, or None."""
    colour, stack = {}, []

    def visit(n):
        colour[n] = 1
        stack.append(n)
        for m in sorted(graph.get(n, ())):
            if colour.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if colour.get(m) is None:
                c = visit(m)
                if c:
                    return c
        stack.pop()
        colour[n] = 2
        return None

    for n in sorted(graph):
        if colour.get(n) is None:
            c = visit(n)
            if c:
                return c
    return None


def private_dir(root, header):
    with open(os.path.join(root, header), encoding="utf-8") as f:
        head = "".join(f.readline() for _ in range(12))
    m = PRIVATE.search(re.sub(r"\n\s*\*\s?", " ", head))
    return m.group(1).rstrip("/") if m else None


def check_includes(root, files, problems):
    known = set(files)
    by_base = {}
    for f in files:
        by_base.setdefault(os.path.basename(f), []).append(f)
    dir_graph, file_graph = {}, {}
    for f in files:
        with open(os.path.join(root, f), encoding="utf-8") as fh:
            text = fh.read()
        for lineno_inc in INCLUDE.finditer(text):
            inc = lineno_inc.group(1)
            line = text.count("\n", 0, lineno_inc.start()) + 1
            where = "%s:%d" % (f, line)
            if inc in GENERATED:
                continue
            if inc not in known:
                if os.path.basename(inc) in by_base:
                    problems.append('%s: include "%s" by its path from the '
                                    'top of the tree: "%s"' % (
                                        where, inc,
                                        by_base[os.path.basename(inc)][0]))
                continue
            if floor(inc) > floor(f):
                problems.append("%s: %s (floor %d) includes %s (floor %d): "
                                "includes point down only" % (
                                    where, f.split("/")[0], floor(f),
                                    inc.split("/")[0], floor(inc)))
            owner = private_dir(root, inc)
            if owner and not f.startswith(owner + "/"):
                problems.append("%s: %s is private to %s/" % (where, inc,
                                                              owner))
            fd, idir = os.path.dirname(f), os.path.dirname(inc)
            if fd != idir:
                dir_graph.setdefault(fd, set()).add(idir)
            else:
                file_graph.setdefault(f, set()).add(inc)
    c = find_cycle(dir_graph)
    if c:
        problems.append("folders include each other in a circle: " +
                        " -> ".join(c))
    c = find_cycle(file_graph)
    if c:
        problems.append("headers include each other in a circle: " +
                        " -> ".join(c))


def nm_symbols(obj):
    out = subprocess.run(["nm", "-P", obj], capture_output=True, text=True,
                         check=False).stdout
    defined, used = set(), set()
    for line in out.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        name, kind = parts[0], parts[1]
        if kind == "U":
            used.add(name)
        elif kind == "T":
            defined.add(name)
    return defined, used


def check_calls(root, build, files, problems):
    objs = {}
    for f in files:
        if f.endswith((".c", ".cu")):
            o = os.path.join(build, os.path.splitext(f)[0] + ".o")
            if os.path.exists(o):
                objs[module(f)] = nm_symbols(o)
    if not objs:
        problems.append("no object files under %s: build first" % build)
        return
    owner = {}
    for m, (defined, _) in objs.items():
        for s in defined:
            owner[s] = m
    graph = {}
    for m, (_, used) in objs.items():
        for s in used:
            o = owner.get(s)
            if o and o != m and os.path.dirname(o) == os.path.dirname(m):
                graph.setdefault(m, set()).add(o)
    for d in sorted({os.path.dirname(m) for m in graph}):
        c = find_cycle({m: e for m, e in graph.items()
                        if os.path.dirname(m) == d})
        if c:
            problems.append("files call each other in a circle: " +
                            " -> ".join(x + ".c" for x in c))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", default=os.path.join(
        os.path.dirname(os.path.abspath(__file__)), ".."))
    ap.add_argument("--objects", metavar="BUILDDIR")
    a = ap.parse_args()
    root = os.path.abspath(a.root)
    files = sources(root)
    problems = []
    check_includes(root, files, problems)
    if a.objects:
        check_calls(root, a.objects, files, problems)
    for p in problems:
        print("check-layers: " + p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
