"""Entry point of the checker's child process: ``python -m refgrow.exercises._child KEY FILE EVENTS N``.

A separate module (not ``checker`` run as ``__main__``) so that the checks and the checker share one
copy of :class:`refgrow.exercises.checker.Feedback`.
"""
import sys

if __name__ == "__main__":  # pragma: no cover - run by refgrow.exercises.checker.check_file
    from refgrow.exercises.checker import _child
    key, path, result_path, max_examples = sys.argv[1:5]
    sys.exit(_child(key, path, result_path, int(max_examples)))
