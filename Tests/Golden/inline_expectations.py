#!/usr/bin/env python3
"""One-off conversion of Tests/Golden/{errors,language,regressions} to inline expectations.

Run from the package root after `swift build`. For every case:
  * standard output: when its .out is short (at most 13 lines), prints no matrix (no line
    starting with ' [', a matrix's second row) and has no trailing blanks, its lines become
    `# expect: TEXT` lines and the .out is deleted; otherwise the .out stays.
  * standard error: the cases in SNAPSHOTS keep their .err (full render); every other .err
    becomes `# error: LINE:COL id` lines and is deleted. The positions are the ones the
    reviewed .err renders; the ids come from `tau run --json`, whose positions must equal the
    .err's, diagnostic by diagnostic, or the script stops.
The expectations are appended after a blank line, so no line of the program moves; a
diagnostic past the original last line (found end of input) moves to the new end.
"""
import json, os, re, subprocess, sys

SNAPSHOTS = {
    "errors/assign_to_let",  # a hint, then a note with its own excerpt
    "errors/duplicate_function",  # a note chain without a hint
    "errors/transposed_letters_hint",  # a 'did you mean' hint
    "errors/nested_call_stack",  # a stack of calls, innermost first
    "errors/runaway_recursion",  # a repeated frame collapsed to '(1999 times)'
    "errors/error_in_callback",  # a frame in an anonymous fn
    "errors/several_syntax_errors",  # parser recovery: five errors and their count
    "errors/several_check_errors",  # several checker errors with a note between them
    "errors/declaration_without_value",  # a span over several lines, clipped to its first
    "errors/unclosed_brace",  # the caret at the end of input, on an empty line
    "errors/deep_nesting",  # a long line, the caret at column 209
}
FOLDERS = ["errors", "language", "regressions"]
GOLDEN = "Tests/Golden"
TAU = ".build/debug/tau"


def json_diagnostics(path):
    run = subprocess.run([TAU, "run", "--json", path], capture_output=True, text=True,
                         env={**os.environ, "NO_COLOR": "1"})
    text, found, index = run.stderr, [], 0
    decoder = json.JSONDecoder()
    while index < len(text):
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            break
        value, index = decoder.raw_decode(text, index)
        found += value
    return found


def inline_output(lines):
    return (len(lines) <= 13 and not any(l.startswith(" [") for l in lines)
            and not any(l != l.rstrip() for l in lines))


def convert(stem):
    path = f"{GOLDEN}/{stem}.tau"
    source = open(path).read()
    assert source.endswith("\n"), path
    original_lines = source.count("\n")
    block = []
    out_path, err_path = f"{GOLDEN}/{stem}.out", f"{GOLDEN}/{stem}.err"
    if os.path.exists(out_path):
        out = open(out_path).read()
        lines = out.split("\n")[:-1] if out else []
        assert out == "".join(l + "\n" for l in lines), out_path
        if inline_output(lines):
            block += [f"# expect: {l}" if l else "# expect:" for l in lines]
            os.remove(out_path)
    errors = []
    if os.path.exists(err_path) and stem not in SNAPSHOTS:
        rendered = re.findall(rf"^{re.escape(path)}:(\d+):(\d+): (error|warning):",
                              open(err_path).read(), re.M)
        reported = json_diagnostics(path)
        positions = [(int(l), int(c), s) for l, c, s in rendered]
        assert positions == [(d["line"], d["column"], d["severity"]) for d in reported], path
        for (line, column, severity), d in zip(positions, reported):
            errors.append((line, column, severity, d["id"]))
        os.remove(err_path)
    if not block and not errors:
        return "kept"
    # The block adds a blank line and one line per expectation after the last line.
    end = original_lines + 1 + len(block) + len(errors) + 1
    for line, column, severity, ident in errors:
        if line > original_lines:  # at the end of input, which moves to the new end
            line, column = end, 1
        block.append(f"# {severity}: {line}:{column} {ident}")
    with open(path, "w") as f:
        f.write(source + "\n" + "".join(l + "\n" for l in block))
    return "converted"


def main():
    counts = {}
    for folder in FOLDERS:
        for name in sorted(os.listdir(f"{GOLDEN}/{folder}")):
            if name.endswith(".tau"):
                result = convert(f"{folder}/{name[:-4]}")
                counts[result] = counts.get(result, 0) + 1
    print(counts)


if __name__ == "__main__":
    sys.exit(main())
