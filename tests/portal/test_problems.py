"""Problems with some input, written one way whatever the input was."""

from __future__ import annotations

import pickle

import pytest

from portal.problems import SHOWN_PROBLEMS, Problem, ProblemList


@pytest.mark.parametrize(
    ("problem", "written"),
    [
        (Problem("is empty"), "is empty"),
        (Problem("unknown field 'Sorce'", 5), "line 5: unknown field 'Sorce'"),
        (
            Problem("no such file or folder", where="notes/a.md"),
            "notes/a.md: no such file or folder",
        ),
        (
            Problem("a card has two 'A:' lines", 7, "a.md"),
            "a.md: line 7: a card has two 'A:' lines",
        ),
        (Problem("missing.", where="states[2].reps"), "states[2].reps: missing."),
    ],
)
def test_a_problem_says_where_then_what(problem, written):
    assert str(problem) == written


def test_a_problem_can_be_placed_in_a_file_and_in_part_of_it():
    problem = Problem("has an empty label", 4).about("decision tree 'x'").within("a.md")
    assert str(problem) == "a.md: line 4: decision tree 'x': has an empty label"


def test_an_error_holds_every_problem_and_lists_them_one_a_line():
    problems = [Problem("first", 1), Problem("second")]
    error = ProblemList(problems)
    assert error.problems == problems
    assert error.lines() == ["line 1: first", "second"]
    assert str(error) == "line 1: first\nsecond"


def test_a_long_list_is_summed_up_in_str_but_kept_whole():
    error = ProblemList(Problem(f"problem {n}") for n in range(SHOWN_PROBLEMS + 5))
    assert len(error.problems) == len(error.lines()) == SHOWN_PROBLEMS + 5
    assert str(error).splitlines()[-1] == "... and 5 more"
    assert len(str(error).splitlines()) == SHOWN_PROBLEMS + 1


def test_one_problem_makes_an_error_of_the_subclass_asked_for():
    class NoteError(ProblemList):
        pass

    error = NoteError.one("is empty", 3)
    assert type(error) is NoteError
    assert error.problems == [Problem("is empty", 3)]
    assert isinstance(error, ValueError)


def test_an_error_survives_pickling():
    error = ProblemList([Problem("broken", 2, "a.md")])
    assert pickle.loads(pickle.dumps(error)).problems == error.problems
