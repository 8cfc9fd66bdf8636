"""Student commands: `exgen practice`, `exgen check`, `exgen explain`. Parsing and printing only."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Optional

import typer

from exgen.cli.main import (LettersOpt, WeightsOpt, _check_choice, app, echo, input_file, network_spec, notation_for, output_file, reading,
                  user_errors)
from exgen.core.notation import LETTERS, WEIGHT_STYLES
from exgen.core.report import fmt

NotationOpt = Annotated[Optional[str], typer.Option(
    "--notation", help="Notation preset as LETTERS,WEIGHTS, e.g. z/h,numbered or a/h,flat (either part alone works). "
                       "Same as --letters/--weights; give each part once.")]
PROMPT = "answer (h hint, s show step, n next, q quit)"
# what a student may type at the prompt for each command letter (case and spaces ignored)
COMMANDS = {"h": "h", "hint": "h", "help": "h", "?": "h", "s": "s", "show": "s", "step": "s", "show step": "s",
            "n": "n", "next": "n", "skip": "n", "q": "q", "quit": "q", "exit": "q", "stop": "q"}


def _letters_weights(notation: Optional[str], letters: Optional[str], weights: Optional[str]):
    """(letters, weights) from --notation and/or --letters/--weights, validated: each part given once
    (`--letters a/h --notation z/h` is a usage error, not a silent choice of one)."""
    from exgen.errors import UsageError
    given = {"letters": letters, "weights": weights}
    seen: set[str] = set()  # the parts --notation gave
    for part in (notation.split(",") if notation else []):
        part = part.strip()
        kind = "letters" if part in LETTERS else "weights" if part in WEIGHT_STYLES else None
        if kind is None:
            raise typer.BadParameter(f"{part!r} is neither letters ({', '.join(LETTERS)}) nor weights "
                                     f"({', '.join(WEIGHT_STYLES)})", param_hint="--notation")
        if given[kind] is not None:
            twice = "--notation gives" if kind in seen else f"--{kind} and --notation both give"
            raise UsageError(f"{twice} the {kind} ({given[kind]}, {part}): give them once")
        given[kind] = part
        seen.add(kind)
    letters, weights = given["letters"], given["weights"]
    _check_choice(letters, LETTERS, "--letters")
    _check_choice(weights, WEIGHT_STYLES, "--weights")
    return letters, weights


def _notation(notation: Optional[str], letters: Optional[str], weights: Optional[str]):
    """nt_for(spec): the spec's own notation, overridden by the options."""
    letters, weights = _letters_weights(notation, letters, weights)
    return lambda spec: notation_for(spec, letters, weights)


@app.command()
def explain(
    spec_file: Annotated[Optional[Path], typer.Argument(metavar="SPEC", help="Network or graph spec, .json or .yaml.", show_default=False)] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="Explain a built-in example instead of a file.")] = None,
    param: Annotated[Optional[str], typer.Option("--param", "-p", help="Show every chain-rule path of this parameter, "
                                                 "named as printed in the notation (w5, w^(2)_11, w2_11, b1 ...).")] = None,
    notation: NotationOpt = None,
    letters: LettersOpt = None,
    weights: WeightsOpt = None,
) -> None:
    """The worked solution, step by step, with every chain-rule path of --param.

    A graph: the steps back to the input or gate --param names. A network: forward pass, loss, output delta, backpropagated deltas, gradients (for --param: each chain-rule path with its factors), then the SGD step.

    Examples:

      exgen explain --example seed002-2-2-1 --param w5

      exgen explain my_net.yaml --notation a/h,flat

      exgen explain --example seed002-graph-sigmoid --param x0
    """
    with user_errors(spec_file):
        nt_for = _notation(notation, letters, weights)
        from exgen.core.solve import solve
        from exgen.student.explain import find_param, worked_solution
        from exgen.graph.cli import explain_text
        spec = network_spec(spec_file, example, lambda: explain_text(spec_file, example, param))
        if spec is None:  # a graph spec or example: its steps are printed
            return
        nt = nt_for(spec)
        sol = solve(spec)
        target = find_param(sol, nt, param) if param else None
        echo(worked_solution(sol, nt, target), nl=False)


@app.command()
def check(
    answers: Annotated[list[str], typer.Argument(metavar="ANSWERS", help="A CSV file (question_id,answer) or id=value pairs.", show_default=False)],
    key: Annotated[Path, typer.Option("--key", "-k", help="The answer key (answer_keys/<id>.json).", show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the verdicts as a JSON list.")] = False,
    reveal: Annotated[bool, typer.Option("--reveal", help="Also show the expected answers.")] = False,
) -> None:
    """Check answers against a key: verdicts, diagnoses of wrong answers, and hints.

    A verdict per question (correct, carried, wrong, invalid, missing), grading's diagnosis of a wrong answer, and a hint for the next step.

    Examples:

      exgen check 1a=0.587 1b=0.589 2a=0.074 --key answer_keys/s001.json

      exgen check my_answers.csv --key answer_keys/s001.json --json
    """
    with user_errors():
        _check(answers, key, as_json, reveal)


def _check(answers: list[str], key: Path, as_json: bool, reveal: bool) -> None:
    from exgen.student.selfcheck import check_rows, check_unknown, load_key, parse_answers
    input_file(key)
    answers_file = answers[0] if len(answers) == 1 and "=" not in answers[0] else None
    input_file(answers_file, " (give a CSV file or id=value pairs)")
    with reading(key):
        k = load_key(key)
    with reading(answers_file):
        given = parse_answers(answers, [q["id"] for q in k["questions"]])  # a CSV's unknown id: its line
    check_unknown(k, given)
    rows, got, total = check_rows(k, given, reveal)
    if as_json:
        echo(json.dumps([{f: r[f] for f in ("question_id", "verdict", "diagnosis", "hint", "expected")}
                               for r in rows], indent=2))
        return
    for r in rows:
        exp = f"   expected {fmt(r['expected'])}" if r["expected"] is not None else ""
        ans = f"   (you: {r['answer']})" if r["answer"] not in (None, "") else ""
        echo(f"{r['question_id']:4} {r['verdict_text']:34}{ans}{exp}".rstrip())
        if r["diagnosis"]:
            echo(f"     diagnosis: {r['diagnosis']}" + (f": {r['explanation']}" if r["explanation"] else ""))
        if r["hint"] and r["verdict"] != "missing":  # no hint for questions not tried (see --json)
            echo(f"     hint: {r['hint']}")
    echo(f"Score: {fmt(got)} / {fmt(total)} points")


def _ask(text: str) -> Optional[str]:
    try:
        return typer.prompt(text, default="", show_default=False)
    except (typer.Abort, EOFError):  # end of input or Ctrl-C: stop
        echo()
        return None


def run_session(session, echo=echo) -> bool:
    """Ask the questions one by one. Returns False if the student quit early."""
    from exgen.student.selfcheck import VERDICT_TEXT, explanation
    while not session.done:
        q = session.current
        pts = float(q["points"])
        echo(f"\n{q['id']}. Compute {q['text']}   [{fmt(pts)} point{'' if pts == 1 else 's'}]")
        while session.current is q:
            raw = _ask(PROMPT)
            if raw is None:
                return False
            cmd = COMMANDS.get(" ".join(raw.lower().split()), "")
            if cmd == "q":
                return False
            if not raw.strip():
                echo("Type a number (e.g. 0.25 or -1.5e-3), or h (hint), s (show step), n (next), q (quit).")
            elif cmd == "h":
                echo("Hint: " + (session.hint() or "no more hints: type s to see this step worked out."))
            elif cmd == "s":
                echo("\n".join("  " + s for s in session.show_step()))
            elif cmd == "n":
                session.skip()
            else:
                v = session.submit(raw)
                if v.verdict in ("invalid", "missing"):
                    what = "a shape such as 4x3" if str(q.get("ref", "")).startswith("/shapes/") else "a number"
                    echo(f"{raw.strip()!r} is not {what}: try again (not counted).")
                    continue
                first = session.first[q["id"]] is not v
                echo(VERDICT_TEXT[v.verdict] + (" (your first answer is the one scored)" if first else ""))
                if v.verdict == "carried":
                    echo(f"  It follows from your own earlier answers, which were off: "
                         f"{fmt(session.carried_credit)} of the points (error carried forward).")
                if v.diagnosis and v.verdict != "correct":
                    echo(f"  diagnosis: {v.diagnosis}: {explanation(v) or ''}".rstrip(": "))
                if v.verdict == "wrong":
                    h = session.hint()
                    if h:
                        echo(f"Hint: {h}")
                    echo("Try again, or h for another hint, s to see this step, n to move on.")
    return True


@app.command()
def practice(
    preset: Annotated[Optional[str], typer.Option("--preset", help="A practice preset (see --list); the default is aksoy-2-2-1.")] = None,
    example: Annotated[Optional[str], typer.Option("--example", "-e", help="Practise a textbook example exactly as printed.")] = None,
    config: Annotated[Optional[Path], typer.Option("--config", help="An exam config: practise a network it would generate.")] = None,
    seed: Annotated[Optional[int], typer.Option("--seed", help="Seed of the fresh network (printed, so it can be redone).")] = None,
    pdf: Annotated[Optional[Path], typer.Option("--pdf", help="Also write the exercise sheet as a PDF (needs TeX).")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace the --pdf file if it exists.")] = False,
    list_presets: Annotated[bool, typer.Option("--list", help="List the presets and exit.")] = False,
    notation: NotationOpt = None,
    letters: LettersOpt = None,
    weights: WeightsOpt = None,
) -> None:
    """Practise alone: a fresh exercise in the terminal, question by question, with hints.

    Verdicts, hints (h), worked steps (s) and a score. Works without TeX.

    Examples:

      exgen practice --preset onefourth-softmax --seed 7

      exgen practice --example seed002-3-2-2
    """
    with user_errors():
        _practice(preset, example, config, seed, pdf, force, list_presets, notation, letters, weights)


def _practice(preset, example, config, seed, pdf, force, list_presets, notation, letters, weights) -> None:
    from exgen.student import practice as pr
    if list_presets:
        for name, p in pr.PRESETS.items():
            echo(f"{name:20} {p.about}")
        from exgen.graph.practice import PRESETS as GRAPH_PRESETS
        for name, (_, about) in GRAPH_PRESETS.items():
            echo(f"{name:20} {about}")
        return
    if sum(o is not None for o in (preset, example, config)) > 1:
        raise typer.BadParameter("give one of --preset, --example, --config")
    if example is not None and seed is not None:
        raise typer.BadParameter("--seed makes a fresh network: use it with --preset or --config, not --example")
    lw = _letters_weights(notation, letters, weights)
    input_file(config)
    output_file(pdf, "the PDF")
    nt_for = _notation(notation, letters, weights)
    from exgen.student.explain import worked_solution
    from exgen.student.show import console, show_exercise
    from exgen.graph import practice as graph_practice
    if graph_practice.is_graph_practice(preset, example):  # a computational graph (exgen.graph)
        ex = (graph_practice.from_example(example) if example is not None
              else graph_practice.from_preset(preset, pr.new_seed() if seed is None else seed))
    elif example is not None:
        ex = pr.from_example(example, nt_for)
    elif config is not None:
        from exgen.student.practice_pdf import from_config
        with reading(config):
            ex = from_config(config, pr.new_seed() if seed is None else seed, *lw)
    else:
        pr.preset(preset or pr.DEFAULT_PRESET, graphs=True)  # an unknown name: the graph presets are valid too
        ex = pr.from_preset(preset or pr.DEFAULT_PRESET, seed, nt_for)
    if pdf is not None:
        from exgen.student.practice_pdf import write_pdf
        echo(f"Wrote {write_pdf(ex, pdf, force)}")
    show_exercise(ex, console())
    session = pr.Session(ex)
    finished = run_session(session)
    got, total = session.score()
    echo(f"\n{'Done' if finished else 'Stopped'}. Score: {fmt(got)} / {fmt(total)} points.")
    if ex.seed is not None:
        echo(f"Seed {ex.seed}: redo with  {ex.redo()}")
    try:
        want = typer.confirm("Show the full worked solution?", default=False)
    except (typer.Abort, EOFError):
        echo()
        want = False
    if want:
        echo(graph_practice.worked_solution(ex) if ex.nt is None else worked_solution(ex.sol, ex.nt), nl=False)
