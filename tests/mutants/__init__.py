"""Deliberately wrong versions of every graded function.

They prove the public tests can fail (tests/test_mutants.py), and the `known` ones also teach the tests to name the
mistake: `python -m coursekit fixtures` stores their outputs, so a student whose output matches one is told `message`.
`expect` is the text the failure message must contain (by default, `message` itself for known mistakes).
"""
from dataclasses import dataclass
from typing import Callable


@dataclass
class Mistake:
    message: str
    func: Callable
    known: bool = True
    expect: str = ""

    def __post_init__(self):
        self.expect = self.expect or self.message
