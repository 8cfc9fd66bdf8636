"""Keys for grading tests, built with questions.py from built-in examples or small specs."""
from exgen.core import solve as engine
from exgen.core import examples
from exgen import answer_key as questions
from exgen.core import solution
from exgen.core.spec import from_dict
from exgen.kinds import DEFAULT_TYPES

ALL = [{"type": t} for t in DEFAULT_TYPES]  # the kinds of a single-sample exam


def key_for(spec, sid="s1", tol=None, asked=None):
    sol = solution.to_dict(engine.solve(spec))
    qs = questions.build_questions(spec, sol, examples.notation_of(spec), asked or ALL, tol)
    return questions.answer_key("test", sid, 0, spec, qs)


def example_key(name, sid="s1", tol=None, asked=None):
    return key_for(examples.load(name), sid, tol, asked)


def spec_key(d, sid="s1", tol=None, asked=None):
    return key_for(from_dict(d), sid, tol, asked)


def exact_answers(key, fmt="{:.10g}"):
    return {q["id"]: fmt.format(q["answer"]) for q in key["questions"]}
